import type { Network } from '../kernel/network.js';
import type { RandomStream } from '../kernel/random.js';

/**
 * A fault on links during [fromUs, toUs): a partition cuts every link between two different
 * groups; a degradation adds latency and loss on links between its two sides (or on every
 * link when `sideOf` is undefined). Actors outside every group are not affected.
 */
export interface LinkFault {
  kind: 'partition' | 'degrade';
  name: string;
  fromUs: number;
  toUs: number;
  /** Group (partition) or side (degradation) of each actor, by actor index; -1 for none. */
  sideOf: Int32Array | undefined;
  addedLatencyUs: number;
  lossProbability: number;
}

/**
 * The scenario's network with its link faults laid over it. The whole fault schedule is
 * known before the run, so a delay stays a pure function of (from, to, virtual time, the
 * sender's stream): every host computes the same answer. Actors in `relays` (a LAN segment)
 * forward without a latency of their own.
 */
export class FaultyNetwork implements Network {
  constructor(
    private readonly base: Network,
    private readonly faults: readonly LinkFault[],
    private readonly relays: ReadonlySet<number> = new Set(),
  ) {}

  delayUs(from: number, to: number, nowUs: number, random: RandomStream): number {
    let delayUs = this.relays.has(from) ? 0 : this.base.delayUs(from, to, nowUs, random);
    if (delayUs < 0) return delayUs;
    const faults = this.faults;
    for (let index = 0; index < faults.length; index++) {
      const fault = faults[index]!;
      if (nowUs < fault.fromUs || nowUs >= fault.toUs || !crosses(fault, from, to)) continue;
      if (fault.kind === 'partition') return -1;
      delayUs += fault.addedLatencyUs;
      // The loss draw happens only on a degraded link, which (from, to, now) decide alone.
      if (fault.lossProbability > 0 && random() < fault.lossProbability) return -1;
    }
    return delayUs;
  }

  minimumDelayUs(): number {
    return this.base.minimumDelayUs();
  }
}

function crosses(fault: LinkFault, from: number, to: number): boolean {
  const sideOf = fault.sideOf;
  if (sideOf === undefined) return true;
  const fromSide = sideOf[from] ?? -1;
  const toSide = sideOf[to] ?? -1;
  return fromSide >= 0 && toSide >= 0 && fromSide !== toSide;
}
