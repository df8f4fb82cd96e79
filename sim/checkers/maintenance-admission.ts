import { Protocol, RequestKind, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { protocolNames, serverStateNames } from '../metrics/collector.js';
import type { RecordOf } from '../metrics/record-bus.js';
import type { Checker, CheckContext, CheckerHandlers } from './checker.js';

/** The members of a ClusterCATS cluster, and how far behind the truth a member's view of its peers may be. */
export interface ClusterCatsMembers {
  members: readonly number[];
  viewLagUs: number;
}

/**
 * What a server may take in, given its own state at the time:
 * - maintenance-new-session: no new HTTP session or SIP dialog on a server in maintenance (or
 *   draining), except by a permitMM / permitstickyMM work class, or on a ClusterCATS member at
 *   peak 0% when no other member has been running for longer than a member's view may lag
 *   (or a partition is in force or healed within that lag): with nowhere to redirect, the
 *   member serves the user itself;
 * - permit-mm: such a maintenance-only request never lands on a server that is not in maintenance;
 * - down-server: a server that is stopped, failed or still starting takes nothing in.
 */
export class MaintenanceAdmissionChecker implements Checker {
  readonly rules = ['maintenance-new-session', 'permit-mm', 'down-server'];

  constructor(private readonly clusterCats?: ClusterCatsMembers) {}

  readonly handlers: CheckerHandlers = {
    // Runs on every accepted request: it only reads the truth and the record until a rule breaks.
    accepted: (timeUs, _actor, record, context) => {
      const state = context.truth.state(record.server);
      if (state === ServerState.STOPPED || state === ServerState.FAILED || state === ServerState.STARTING) {
        context.report({ ...violationAt(timeUs, record, context), rule: 'down-server', detail: `${protocolName(record)} request accepted while the server is ${serverStateNames[state]}` });
        return;
      }
      const closedToNewSessions = state === ServerState.MAINTENANCE || state === ServerState.DRAINING;
      const opensSession = record.kind === RequestKind.OPEN && (record.protocol === Protocol.HTTP || record.protocol === Protocol.SIP);
      if (opensSession && closedToNewSessions && !record.maintenanceOnly && !this.nowhereElse(timeUs, record.server, state, context)) {
        const what = record.protocol === Protocol.SIP ? 'SIP dialog' : 'HTTP session';
        context.report({
          ...violationAt(timeUs, record, context),
          rule: 'maintenance-new-session',
          detail: `new ${what} accepted while the server is ${serverStateNames[state]} (work class "${record.workClass}")`,
        });
      }
      if (record.maintenanceOnly && state !== ServerState.MAINTENANCE) {
        context.report({
          ...violationAt(timeUs, record, context),
          rule: 'permit-mm',
          detail: `${protocolName(record)} request of maintenance-only work class "${record.workClass}" accepted while the server is ${serverStateNames[state]}`,
        });
      }
    },
  };

  /** A ClusterCATS member at peak 0% with no running peer it could know of: serving the user itself is right. */
  private nowhereElse(timeUs: number, server: number, state: ServerState, context: CheckContext): boolean {
    const clusterCats = this.clusterCats;
    if (clusterCats === undefined || state !== ServerState.MAINTENANCE || !clusterCats.members.includes(server)) return false;
    const truth = context.truth;
    // In a partition, and until its view catches up after the heal, it may see no peer running.
    if (truth.partitioned || timeUs - truth.healedAtUs <= clusterCats.viewLagUs) return true;
    return !clusterCats.members.some((peer) => peer !== server && truth.state(peer) === ServerState.RUNNING && timeUs - truth.sinceUs(peer) > clusterCats.viewLagUs);
  }
}

/** What every violation of an accepted request names: when, which server, which session and request. */
function violationAt(timeUs: number, record: RecordOf<'accepted'>, context: CheckContext): { timeUs: number; actor: string; session: number; request: number } {
  return { timeUs, actor: context.actorName(record.server), session: record.session, request: record.request };
}

function protocolName(record: RecordOf<'accepted'>): string {
  return protocolNames[record.protocol] ?? 'unknown';
}
