import { Protocol, RequestKind } from '../../gen/clustersim/v1/cluster.js';
import { IntTable } from '../kernel/int-table.js';
import { protocolNames } from '../metrics/collector.js';
import { capacityCauses, type Checker, type CheckContext, type CheckerHandlers } from './checker.js';

/**
 * Affinity through maintenance, decided with the affinity server's own state at the time:
 * - keep-affinity: while a server is in keep-affinity maintenance, requests of its existing
 *   sessions are served there, not refused and not sent elsewhere;
 * - ejb-affinity: maintenance (of either mode) never breaks EJB affinity.
 * Refusals for lack of capacity (a full queue) are not about maintenance and are allowed, and so
 * is the refused request's retry on another server (a replicated session failing over). A
 * session dropped while the server that holds it is in such maintenance is a violation too,
 * whoever dropped it (a router that gave up on the affinity answers the client itself). A
 * session whose server went down (crashed, stopped) since it last took one of its requests was
 * lost with the server: the faults count that loss, and no maintenance rule guards it any more,
 * even once the server runs again in the same maintenance. Nor does it guard a session its server
 * gave up when a break-mode maintenance began, or one that timed out while a fault stood between
 * it and its server (or whose retry, after its answer was lost so, found it already ended there).
 */
/** Causes of a drop that a fault in the session's way explains. */
const faultCauses = new Set(['timeout', 'session-lost', 'address-unreachable']);

export class AffinityChecker implements Checker {
  readonly rules = ['keep-affinity', 'ejb-affinity'];

  /** `healLagUs`: how long after a heal the members may still act on what the partition hid (a ClusterCATS view's lag). */
  constructor(private readonly healLagUs = 0) {}
  /** The server that last took a request of each open session, and when. */
  private readonly sessionServer = new IntTable();
  private readonly sessionTakenUs = new IntTable();
  /** Requests refused for a full queue, by id → the refusing server: their retry elsewhere is capacity's doing. */
  private readonly refusedFull = new IntTable();

  readonly handlers: CheckerHandlers = {
    'session-ended': (timeUs, _actor, record, context) => {
      const server = this.sessionServer.get(record.session);
      const heldSinceUs = this.sessionTakenUs.get(record.session) ?? 0;
      this.sessionServer.delete(record.session);
      this.sessionTakenUs.delete(record.session);
      if (server === undefined || record.outcome !== 'dropped' || capacityCauses.has(record.cause) || routingTierCauses.has(record.cause)) return;
      const rule = this.ruleGuarding(record.protocol, server, context);
      if (rule === undefined || context.truth.firstDownBetween(server, heldSinceUs, timeUs) >= 0) return;
      // Given up when a break-mode maintenance began since: that maintenance dropped it, not this
      // one (EJB affinity survives any maintenance, so it stays guarded).
      if (rule === 'keep-affinity' && context.truth.firstBreakBetween(server, heldSinceUs, timeUs) >= 0) return;
      // A request that timed out when a fault (a crashed router, a partition) stood in its way was
      // lost to the fault; so was a session whose last request was served but its answer lost so,
      // whose retry finds the session ended on its server (session-lost), and a session its
      // ClusterCATS member's address, claimed by a peer across a partition, led to that peer
      // (session-lost there) or to nobody once that peer let it go (address-unreachable).
      if (faultCauses.has(record.cause) && (context.truth.faultedBetween(heldSinceUs, timeUs) || timeUs - context.truth.healedAtUs <= this.healLagUs)) return;
      context.report({
        timeUs,
        rule,
        actor: context.actorName(server),
        detail: `${protocolNames[record.protocol]} session held here dropped (${record.cause}) while in maintenance that must keep it`,
        session: record.session,
      });
    },
    accepted: (timeUs, _actor, record, context) => {
      const affinity = record.affinityServer;
      const heldBy = record.session === 0 ? undefined : this.sessionServer.get(record.session);
      const heldSinceUs = heldBy === undefined ? 0 : this.sessionTakenUs.get(record.session)!;
      if (record.session !== 0) {
        this.sessionServer.set(record.session, record.server);
        this.sessionTakenUs.set(record.session, timeUs);
      }
      const refusedBy = this.refusedFull.get(record.request);
      if (refusedBy !== undefined) this.refusedFull.delete(record.request);
      if (affinity < 0 || affinity === record.server || !inSession(record.kind) || refusedBy === affinity) return;
      const rule = this.ruleGuarding(record.protocol, affinity, context);
      // A session its server lost when it went down may go anywhere.
      if (rule === undefined || (heldBy === affinity && context.truth.firstDownBetween(affinity, heldSinceUs, timeUs) >= 0)) return;
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
      if (capacityCauses.has(record.cause)) {
        // Kept only where a rule guards the session (few requests): a retry elsewhere is then not a violation.
        if (inSession(record.kind) && this.ruleGuarding(record.protocol, record.server, context) !== undefined) this.refusedFull.set(record.request, record.server);
        return;
      }
      if (!inSession(record.kind) || !context.truth.inMaintenance(record.server)) return;
      // Only the sessions a server holds must still reach it: one held elsewhere (its server
      // restarted and lost it, say) is new work to a server in maintenance, and refusing it is the rule.
      if (this.sessionServer.get(record.session) !== record.server) return;
      const rule = this.ruleGuarding(record.protocol, record.server, context);
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

/** Drops decided before any server: no router would take the request (every ODR down or in maintenance, or the one it reached stopped). */
const routingTierCauses = new Set(['no-router-available', 'router-stopped']);

function inSession(kind: RequestKind): boolean {
  return kind === RequestKind.IN_SESSION || kind === RequestKind.CLOSE;
}
