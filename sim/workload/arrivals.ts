import type { RandomStream } from '../kernel/random.js';

/** A rate that changes over time: held between points (steps) or interpolated (linear). */
export interface RateProfile {
  shape: 'steps' | 'linear';
  /** Points in time order; before the first the first rate holds, after the last the last. */
  points: readonly { atUs: number; perSecond: number }[];
}

/** Extra arrivals at a constant rate during a window: a burst. */
export interface Burst {
  atUs: number;
  durationUs: number;
  perSecond: number;
}

// Thinning draws candidates at the peak rate; past this many refusals in a row the rate is
// taken to be zero for good (a profile that ends at zero).
const maxThinningDraws = 1_000_000;

/**
 * When the next session (or message) arrives: a Poisson process at a constant rate, or a
 * non-homogeneous one whose rate follows a profile plus bursts, drawn by thinning (candidates at
 * the peak rate, each kept with probability rate(t) / peak).
 */
export class ArrivalProcess {
  private readonly constantMeanGapUs: number;
  private readonly peakPerSecond: number;

  constructor(
    private readonly base: number | RateProfile,
    private readonly bursts: readonly Burst[] = [],
  ) {
    const constant = typeof base === 'number' && bursts.length === 0;
    this.constantMeanGapUs = constant ? 1_000_000 / base : 0;
    const basePeak = typeof base === 'number' ? base : Math.max(0, ...base.points.map((point) => point.perSecond));
    this.peakPerSecond = basePeak + bursts.reduce((total, burst) => total + burst.perSecond, 0);
  }

  /** Arrivals per second at `atUs`. */
  rateAt(atUs: number): number {
    let rate = typeof this.base === 'number' ? this.base : profileRate(this.base, atUs);
    for (const burst of this.bursts) if (atUs >= burst.atUs && atUs < burst.atUs + burst.durationUs) rate += burst.perSecond;
    return rate;
  }

  /** Time of the next arrival after `nowUs` (at least 1 us later), or Infinity when none comes. */
  nextAfter(nowUs: number, random: RandomStream): number {
    if (this.constantMeanGapUs > 0) return nowUs + Math.max(1, Math.round(-this.constantMeanGapUs * Math.log(1 - random())));
    if (this.peakPerSecond <= 0) return Infinity;
    const peakMeanGapUs = 1_000_000 / this.peakPerSecond;
    let atUs = nowUs;
    for (let draw = 0; draw < maxThinningDraws; draw++) {
      atUs += -peakMeanGapUs * Math.log(1 - random());
      if (random() * this.peakPerSecond <= this.rateAt(atUs)) return Math.max(nowUs + 1, Math.round(atUs));
    }
    return Infinity;
  }
}

function profileRate(profile: RateProfile, atUs: number): number {
  const points = profile.points;
  if (points.length === 0) return 0;
  if (atUs <= points[0]!.atUs) return points[0]!.perSecond;
  for (let index = 1; index < points.length; index++) {
    const next = points[index]!;
    if (atUs >= next.atUs) continue;
    const previous = points[index - 1]!;
    if (profile.shape === 'steps') return previous.perSecond;
    const fraction = (atUs - previous.atUs) / (next.atUs - previous.atUs);
    return previous.perSecond + fraction * (next.perSecond - previous.perSecond);
  }
  return points[points.length - 1]!.perSecond;
}
