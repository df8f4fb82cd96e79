import type { NodeContext } from '../messages.js';

export interface FailureDetectorConfig {
  /** Actor indexes of the members watched (the detector's own member excluded). */
  members: readonly number[];
  /** A member not heard from for this long is declared failed. */
  timeoutUs: number;
  /**
   * Whether a member is really down at a time: the run's fault schedule, known up front. Used only
   * to label suspicions for the reports (correct or false), never to decide anything.
   */
  isDown: (member: number, atUs: number) => boolean;
}

/**
 * A heartbeat timeout failure detector. It sees only the messages that reach it, so detection
 * is late by up to the timeout plus a heartbeat interval, and a partition or lossy link makes
 * it suspect members that are alive. Each change of opinion is recorded as a 'suspicion'.
 */
export class FailureDetector {
  private readonly lastHeardUs: Float64Array;
  private readonly suspected: Uint8Array;
  private readonly slotOf = new Map<number, number>();
  private readonly newlySuspected: number[] = [];

  constructor(private readonly config: FailureDetectorConfig) {
    this.lastHeardUs = new Float64Array(config.members.length);
    this.suspected = new Uint8Array(config.members.length);
    config.members.forEach((member, slot) => this.slotOf.set(member, slot));
  }

  isSuspected(member: number): boolean {
    const slot = this.slotOf.get(member);
    return slot !== undefined && this.suspected[slot] === 1;
  }

  /** Starts (or restarts, after this member's own crash) with every member freshly heard. */
  reset(nowUs: number): void {
    this.lastHeardUs.fill(nowUs);
    this.suspected.fill(0);
  }

  /** A message from `member` arrived: it is alive, and a suspicion of it ends. */
  heard(member: number, context: NodeContext): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.lastHeardUs[slot] = context.now;
    if (this.suspected[slot] === 0) return;
    this.suspected[slot] = 0;
    context.record({ type: 'suspicion', detector: context.self, member, suspected: false, correct: !this.config.isDown(member, context.now) });
  }

  /**
   * Declares failed every member silent for longer than the timeout, then calls `onSuspect`
   * for each in member order: every verdict of this check is in place before any is acted on.
   */
  check(context: NodeContext, onSuspect: (member: number) => void): void {
    const members = this.config.members;
    const deadlineUs = context.now - this.config.timeoutUs;
    const newlySuspected = this.newlySuspected;
    newlySuspected.length = 0;
    for (let slot = 0; slot < members.length; slot++) {
      if (this.suspected[slot] === 1 || this.lastHeardUs[slot]! > deadlineUs) continue;
      this.suspected[slot] = 1;
      const member = members[slot]!;
      context.record({ type: 'suspicion', detector: context.self, member, suspected: true, correct: this.config.isDown(member, context.now) });
      newlySuspected.push(member);
    }
    for (const member of newlySuspected) onSuspect(member);
  }
}
