import { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';
import type { Checker } from '../../sim/checkers/checker.js';
import { CheckerSet, type CheckResult } from '../../sim/checkers/checker-set.js';
import type { SimRecord } from '../../sim/metrics/records.js';

/** Actors of the synthetic streams: a controller, a router, four servers on two nodes, a client. */
export const actorNames = ['controller', 'odr1', 'node1/shop-1', 'node1/shop-2', 'node2/shop-1', 'node2/shop-2', 'clients/http'];
export const controller = 0;
export const router = 1;
export const [s1, s2, s3, s4] = [2, 3, 4, 5] as const;
export const client = 6;

export type Entry = [timeUs: number, actor: number, record: SimRecord];

/** Runs a checker over a stream of records and returns what it found. */
export function check(checker: Checker, entries: readonly Entry[], endUs = 1_000_000_000): CheckResult {
  const set = new CheckerSet({ actorNames, checkers: [checker] });
  for (const [timeUs, actor, record] of entries) set.record(timeUs, actor, record);
  return set.finish(endUs);
}

export function rulesBroken(result: CheckResult): string[] {
  return result.violations.map((violation) => violation.rule);
}

export function state(server: number, serverState: ServerState, mode = MaintenanceMode.UNSPECIFIED): SimRecord {
  return { type: 'server-state', server, state: serverState, mode };
}

export function maintenance(server: number, mode = MaintenanceMode.AFFINITY): SimRecord {
  return state(server, ServerState.MAINTENANCE, mode);
}

interface AcceptedFields {
  protocol?: Protocol;
  kind?: RequestKind;
  request?: number;
  session?: number;
  affinityServer?: number;
  workClass?: string;
  maintenanceOnly?: boolean;
}

export function accepted(server: number, fields: AcceptedFields = {}): SimRecord {
  return {
    type: 'accepted',
    server,
    protocol: fields.protocol ?? Protocol.HTTP,
    kind: fields.kind ?? RequestKind.OPEN,
    request: fields.request ?? 1,
    session: fields.session ?? 1,
    affinityServer: fields.affinityServer ?? -1,
    // The record's own state is deliberately wrong: the checkers must use the 'server-state' truth.
    state: ServerState.UNSPECIFIED,
    mode: MaintenanceMode.UNSPECIFIED,
    workClass: fields.workClass ?? '',
    maintenanceOnly: fields.maintenanceOnly ?? false,
  };
}

export function refused(server: number, cause: string, fields: { protocol?: Protocol; kind?: RequestKind; request?: number; session?: number } = {}): SimRecord {
  return {
    type: 'refused',
    server,
    protocol: fields.protocol ?? Protocol.HTTP,
    kind: fields.kind ?? RequestKind.IN_SESSION,
    request: fields.request ?? 1,
    session: fields.session ?? 1,
    cause,
    state: ServerState.UNSPECIFIED,
    mode: MaintenanceMode.UNSPECIFIED,
  };
}

export function requestEnded(request: number, status = Status.OK, cause = ''): SimRecord {
  return { type: 'request-ended', protocol: Protocol.HTTP, request, status, cause, latencyUs: 1000, attempts: 1, redirects: 0 };
}

export function sessionStarted(session: number): SimRecord {
  return { type: 'session-started', protocol: Protocol.HTTP, session };
}

export function sessionEnded(session: number, outcome: 'completed' | 'dropped' | 'rejected' = 'completed', cause = '', protocol = Protocol.HTTP): SimRecord {
  return { type: 'session-ended', protocol, session, outcome, cause };
}
