import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

/**
 * drain-deadline: a drain-down period ends at or before its deadline, and every drain ends. A
 * crash of the server ends its drain too: what it lost is the faults' account, not the drain's.
 */
export class DrainChecker implements Checker {
  readonly rules = ['drain-deadline'];
  /** Drains under way: deadline by server. */
  private readonly deadlines = new Map<number, number>();

  readonly handlers: CheckerHandlers = {
    'drain-started': (_timeUs, _actor, record) => {
      this.deadlines.set(record.server, record.deadlineUs);
    },
    'drain-ended': (timeUs, _actor, record, context) => {
      const deadlineUs = this.deadlines.get(record.server);
      this.deadlines.delete(record.server);
      const actor = context.actorName(record.server);
      if (deadlineUs === undefined) context.report({ timeUs, rule: 'drain-deadline', actor, detail: `drain ended (${record.reason}) but none had started` });
      else if (timeUs > deadlineUs) {
        context.report({ timeUs, rule: 'drain-deadline', actor, detail: `drain ended (${record.reason}) ${timeUs - deadlineUs}us after its deadline ${deadlineUs}us` });
      }
    },
    'server-state': (_timeUs, _actor, record) => {
      if (record.state === ServerState.FAILED) this.deadlines.delete(record.server);
    },
  };

  finish(endUs: number, context: CheckContext): void {
    for (const [server, deadlineUs] of [...this.deadlines].sort((a, b) => a[0] - b[0])) {
      if (deadlineUs >= endUs) continue;
      context.report({ timeUs: endUs, rule: 'drain-deadline', actor: context.actorName(server), detail: `drain never ended; its deadline was ${deadlineUs}us` });
    }
  }
}
