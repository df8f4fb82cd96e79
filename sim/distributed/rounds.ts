/**
 * The plan of a run's windows, which every host computes for itself from the same facts, so
 * that no coordinator has to hand the windows out. After each round every host knows, of every
 * host, the time of its next pending event and the earliest delivery on its way to it; a host
 * may then handle its events up to the earliest time another host could still send it anything
 * (that host's earliest event plus the lookahead). Transport-free: the hosts trade RoundEnds.
 */
export interface RoundFacts {
  /** Time of the host's next pending event after its window (Infinity for none). */
  nextEventUs: number;
  /** Earliest delivery the host sent to each host in its window, by host index (Infinity for none). */
  earliestToUs: readonly number[];
}

export type WindowPlan =
  | { done: true; frontierUs: number }
  | {
      done: false;
      /** No host has an event before this time: every record before it is final. */
      frontierUs: number;
      /** This host handles its events before this time. */
      horizonUs: number;
      /** This host has an event before its horizon. */
      active: boolean;
    };

export class RoundPlanner {
  /** Each host's earliest event: pending in its queue, or on its way to it. */
  private readonly earliestUs: number[];
  private reported = 0;

  constructor(
    private readonly self: number,
    private readonly lookaheadUs: number,
    private readonly durationUs: number,
    firstEventUs: readonly number[],
  ) {
    this.earliestUs = [...firstEventUs];
    this.reported = firstEventUs.length;
  }

  get hostCount(): number {
    return this.earliestUs.length;
  }

  /** Takes one host's facts of the round; `plan()` needs them from every host, this one included. */
  add(host: number, facts: RoundFacts): void {
    if (this.reported === this.hostCount) {
      this.earliestUs.fill(Infinity);
      this.reported = 0;
    }
    this.earliestUs[host] = Math.min(this.earliestUs[host]!, facts.nextEventUs);
    facts.earliestToUs.forEach((timeUs, target) => {
      if (target < this.hostCount) this.earliestUs[target] = Math.min(this.earliestUs[target]!, timeUs);
    });
    this.reported++;
  }

  /** The window this host runs next, once every host's facts of the round are in. */
  plan(): WindowPlan {
    if (this.reported !== this.hostCount) throw new Error(`round facts from ${this.reported} of ${this.hostCount} hosts`);
    const earliest = this.earliestUs;
    const frontierUs = Math.min(...earliest);
    if (frontierUs >= this.durationUs) return { done: true, frontierUs };
    let othersUs = Infinity;
    for (let host = 0; host < earliest.length; host++) if (host !== this.self) othersUs = Math.min(othersUs, earliest[host]!);
    const horizonUs = Math.min(this.durationUs, othersUs + this.lookaheadUs);
    return { done: false, frontierUs, horizonUs, active: earliest[this.self]! < horizonUs };
  }
}

/** A time as the protocol carries it: -1 for none (Infinity here). */
export function toWireUs(timeUs: number): number {
  return timeUs === Infinity ? -1 : timeUs;
}

export function fromWireUs(wireUs: number): number {
  return wireUs < 0 ? Infinity : wireUs;
}
