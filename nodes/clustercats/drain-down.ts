import type { NodeContext } from '../messages.js';

/**
 * A member's drain-down period: from the service stop, the member keeps serving its users'
 * sessions but takes no new ones, until they have all finished or the period is over.
 * Each period has a number so that the deadline of a cancelled one is recognised as stale.
 */
export class DrainDown {
  active = false;
  private number = 0;

  /** Starts a period; its deadline timer carries `number`. */
  begin(drainDownPeriodUs: number, context: NodeContext): { deadlineUs: number; number: number } {
    this.active = true;
    this.number++;
    const deadlineUs = context.now + drainDownPeriodUs;
    context.record({ type: 'drain-started', server: context.self, deadlineUs });
    return { deadlineUs, number: this.number };
  }

  /** Whether a deadline timer belongs to the period under way. */
  isDeadlineOf(number: number): boolean {
    return this.active && number === this.number;
  }

  /** Running again before the drain-down period is over: the member keeps its users and serves again. */
  cancel(openSessions: number, context: NodeContext): void {
    context.record({ type: 'drain-ended', server: context.self, reason: 'cancelled', openSessions });
    this.active = false;
    this.number++; // the pending deadline is now stale
  }

  end(reason: 'drained' | 'expired', openSessions: number, context: NodeContext): void {
    context.record({ type: 'drain-ended', server: context.self, reason, openSessions });
    this.active = false;
  }
}
