import type { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';

/**
 * What actors report about their work. The recorder folds these, in canonical event order,
 * into the summary, the time series of the charts and the invariant checkers.
 */
export type SimRecord =
  | { type: 'session-started'; protocol: Protocol; session: number }
  | { type: 'session-ended'; protocol: Protocol; session: number; outcome: SessionOutcome; cause: string }
  | {
      type: 'request-ended';
      protocol: Protocol;
      request: number;
      status: Status;
      cause: string;
      latencyUs: number;
      attempts: number;
      redirects: number;
    }
  /** A server took a request in: the facts the maintenance rules are checked against. */
  | {
      type: 'accepted';
      server: number;
      protocol: Protocol;
      kind: RequestKind;
      request: number;
      session: number;
      state: ServerState;
      mode: MaintenanceMode;
      workClass: string;
      maintenanceOnly: boolean;
    }
  | { type: 'server-sessions'; server: number; open: number }
  | { type: 'server-state'; server: number; state: ServerState; mode: MaintenanceMode }
  | { type: 'queue-wait'; server: number; waitUs: number };

export type SessionOutcome = 'completed' | 'dropped' | 'rejected';
