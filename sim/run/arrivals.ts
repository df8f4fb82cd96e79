import { ArrivalProcess, type RateProfile } from '../workload/arrivals.js';

type RateSpec = { constant?: number | undefined; steps?: { at: number; rate: number }[] | undefined; linear?: { at: number; rate: number }[] | undefined };

/** The arrival process of a workload: its rate (constant, steps or piecewise linear) and bursts. */
export function arrivalProcess(rate: RateSpec, bursts: readonly { at: number; duration: number; rate: number }[]): ArrivalProcess {
  const burstList = bursts.map((burst) => ({ atUs: burst.at, durationUs: burst.duration, perSecond: burst.rate }));
  if (rate.constant !== undefined) return new ArrivalProcess(rate.constant, burstList);
  const shape = rate.steps !== undefined ? 'steps' : 'linear';
  const points = (rate.steps ?? rate.linear ?? []).map((point) => ({ atUs: point.at, perSecond: point.rate }));
  const profile: RateProfile = { shape, points };
  return new ArrivalProcess(profile, burstList);
}
