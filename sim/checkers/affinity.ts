import { Protocol, RequestKind } from '../../gen/clustersim/v1/cluster.js';
import { IntTable } from '../kernel/int-table.js';
import { protocolNames } from '../metrics/collector.js';
import { capacityCauses, type Checker, type CheckContext, type CheckerHandlers } from './checker.js';

/**
 * Affinity through maintenance, decided with the affinity server's own state at the time:
 * - keep-affinity: while a server is in keep-affinity maintenance, requests of its existing
 *   sessions are served there, not refused and not sent elsewhere;
 * - ejb-affinity: maintenance (of either mode) never breaks EJB affinity;
 * - jms-flows: JMS keeps flowing to a server in maintenance.
 * Refusals for lack of capacity (a full queue) are not about maintenance and are allowed. A
 * session dropped while the server that holds it is in such maintenance is a violation too,
 * whoever dropped it (a router that gave up on the affinity answers the client itself).
 */
export class AffinityChecker implements Checker {
  readonly rules = ['keep-affinity', 'ejb-affinity', 'jms-flows'];
  /** The server that last took a request of each open session. */
  private readonly sessionServer = new IntTable();

  readonly handlers: CheckerHandlers = {
    'session-ended': (timeUs, _actor, record, context) => {
      const server = this.sessionServer.get(record.session);
      this.sessionServer.delete(record.session);
      if (server === undefined || record.outcome !== 'dropped' || capacityCauses.has(record.cause)) return;
      const rule = this.ruleGuarding(record.protocol, server, context);
      if (rule === undefined) return;
      context.report({
        timeUs,
        rule,
        actor: context.actorName(server),
        detail: `${protocolNames[record.protocol]} session held here dropped (${record.cause}) while in maintenance that must keep it`,
        session: record.session,
      });
    },
    accepted: (timeUs, _actor, record, context) => {
      if (record.session !== 0) this.sessionServer.set(record.session, record.server);
      const affinity = record.affinityServer;
      if (affinity < 0 || affinity === record.server || !inSession(record.kind)) return;
      const rule = this.ruleGuarding(record.protocol, affinity, context);
      if (rule === undefined) return;
      context.report({
        timeUs,
        rule,
        actor: context.actorName(record.server),
        detail: `${protocolNames[record.protocol]} request of a session with affinity to ${context.actorName(affinity)} (in maintenance) accepted here instead`,
        session: record.session,
        request: record.request,
      });
    },
    refused: (timeUs, _actor, record, context) => {
      if (capacityCauses.has(record.cause) || !context.truth.inMaintenance(record.server)) return;
      const rule =
        record.protocol === Protocol.JMS
          ? 'jms-flows'
          : inSession(record.kind)
            ? this.ruleGuarding(record.protocol, record.server, context)
            : undefined;
      if (rule === undefined) return;
      context.report({
        timeUs,
        rule,
        actor: context.actorName(record.server),
        detail: `${protocolNames[record.protocol]} request refused (${record.cause}) by a server in maintenance that must still take it`,
        session: record.session,
        request: record.request,
      });
    },
  };

  /** The rule that keeps requests of a session on `server`, if any holds in its current state. */
  private ruleGuarding(protocol: Protocol, server: number, context: CheckContext): string | undefined {
    if (protocol === Protocol.EJB && context.truth.inMaintenance(server)) return 'ejb-affinity';
    if (context.truth.inKeepAffinityMaintenance(server)) return 'keep-affinity';
    return undefined;
  }
}

function inSession(kind: RequestKind): boolean {
  return kind === RequestKind.IN_SESSION || kind === RequestKind.CLOSE;
}
