import { Protocol, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { formatDuration } from '../scenario/units.js';
import { capacityCauses, type Checker, type CheckContext, type CheckerHandlers } from './checker.js';

/** A window shorter than this share of deliveries says too little to judge: about 20 messages. */
export const jmsShareJudgedFrom = 20;
/** A server in maintenance that got less than this part of its share was skipped by the engine. */
export const jmsShareFloor = 0.25;

interface MaintenanceWindow {
  fromUs: number;
  delivered: number;
  /** What the engine's rule gives it: each message delivered meanwhile, over the consumers available then. */
  share: number;
  /** Messages delivered to every consumer meanwhile. */
  total: number;
}

/**
 * jms-flows: JMS keeps flowing to a server in maintenance. The messaging engine delivers each
 * message to the least loaded of the consumers that run, in maintenance or not, so over a
 * maintenance window a server's deliveries come to about its share: every message delivered
 * meanwhile over the consumers available at the time (lighter-loaded in maintenance, it gets
 * rather more). A window where it got less than a quarter of a share of at least 20 messages
 * means the engine left it out. A server a fault made `factor` times slower has outstanding
 * messages longer, so the least-loaded choice gives it about 1/factor of that share. A server
 * refusing JMS in maintenance breaks the rule too.
 * A server is a consumer once it has taken a JMS message.
 */
export class JmsFlowChecker implements Checker {
  readonly rules = ['jms-flows'];
  private readonly consumers = new Set<number>();
  /** Consumers running or in maintenance: what the engine chooses among. */
  private available = 0;
  /** Open maintenance windows of consumers, by server. */
  private readonly windows = new Map<number, MaintenanceWindow>();
  /** Servers made slower by a fault, by name: the factor. */
  private readonly slowFactors = new Map<string, number>();

  readonly handlers: CheckerHandlers = {
    accepted: (timeUs, _actor, record, context) => {
      if (record.protocol !== Protocol.JMS) return;
      const server = record.server;
      if (!this.consumers.has(server)) {
        this.consumers.add(server);
        const state = context.truth.state(server);
        if (isAvailable(state)) this.available++;
        if (state === ServerState.MAINTENANCE) this.windows.set(server, { fromUs: timeUs, delivered: 0, share: 0, total: 0 });
      }
      for (const [inMaintenance, window] of this.windows) {
        window.share += 1 / this.available / (this.slowFactors.get(context.actorName(inMaintenance)) ?? 1);
        window.total++;
        if (inMaintenance === server) window.delivered++;
      }
    },
    // Seen before the truth takes the change in: the truth still holds the previous state.
    'server-state': (timeUs, _actor, record, context) => {
      const server = record.server;
      if (!this.consumers.has(server)) return;
      this.available += Number(isAvailable(record.state)) - Number(isAvailable(context.truth.state(server)));
      const window = this.windows.get(server);
      if (record.state === ServerState.MAINTENANCE) {
        if (window === undefined) this.windows.set(server, { fromUs: timeUs, delivered: 0, share: 0, total: 0 });
        return;
      }
      if (window === undefined) return;
      this.windows.delete(server);
      this.judge(server, window, timeUs, context);
    },
    fault: (_timeUs, _actor, record) => {
      if (record.kind !== 'slow') return;
      const factor = Number(record.detail.replace(/^x/, ''));
      if (factor > 1) this.slowFactors.set(record.target, factor);
      else this.slowFactors.delete(record.target);
    },
    refused: (timeUs, _actor, record, context) => {
      if (record.protocol !== Protocol.JMS || capacityCauses.has(record.cause) || !context.truth.inMaintenance(record.server)) return;
      context.report({
        timeUs,
        rule: 'jms-flows',
        actor: context.actorName(record.server),
        detail: `jms request refused (${record.cause}) by a server in maintenance that must still take it`,
        session: record.session,
        request: record.request,
      });
    },
  };

  private judge(server: number, window: MaintenanceWindow, toUs: number, context: CheckContext): void {
    if (window.share < jmsShareJudgedFrom || window.delivered >= window.share * jmsShareFloor) return;
    context.report({
      timeUs: toUs,
      rule: 'jms-flows',
      actor: context.actorName(server),
      detail: `got ${window.delivered} JMS messages in maintenance from ${formatDuration(window.fromUs)} to ${formatDuration(toUs)}; its share of the ${window.total} delivered meanwhile was about ${Math.round(window.share)}`,
    });
  }

  finish(endUs: number, context: CheckContext): void {
    for (const [server, window] of [...this.windows].sort((a, b) => a[0] - b[0])) this.judge(server, window, endUs, context);
  }
}

function isAvailable(state: ServerState): boolean {
  return state === ServerState.RUNNING || state === ServerState.MAINTENANCE;
}
