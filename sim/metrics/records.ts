import type { MaintenanceMode, Protocol, RequestKind, ServerState, Status } from '../../gen/clustersim/v1/cluster.js';

/**
 * What actors report about their work. The recorder folds these, in canonical event order,
 * into the summary, the time series of the charts and the invariant checkers. This union is
 * the contract between the logic (nodes/), the checkers (sim/checkers/) and the reports.
 */
export type SimRecord =
  // Client side: the user's view of sessions and requests.
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
      /** The server the request's session had affinity to, or -1. */
      affinityServer: number;
      state: ServerState;
      mode: MaintenanceMode;
      workClass: string;
      maintenanceOnly: boolean;
    }
  /** A server refused a request (the router may retry elsewhere). */
  | {
      type: 'refused';
      server: number;
      protocol: Protocol;
      kind: RequestKind;
      request: number;
      session: number;
      cause: string;
      state: ServerState;
      mode: MaintenanceMode;
    }
  /** Sessions a server holds changed: `open` of this protocol, `total` of all protocols. */
  | { type: 'server-sessions'; server: number; protocol: Protocol; open: number; total: number }
  | { type: 'server-state'; server: number; state: ServerState; mode: MaintenanceMode }
  | { type: 'queue-wait'; server: number; waitUs: number }
  /** The placement controller started or stopped a server of a dynamic cluster. */
  | {
      type: 'placement-action';
      cluster: string;
      server: number;
      node: string;
      action: 'start' | 'stop';
      /** State of the server when the controller acted on it. */
      serverState: ServerState;
      /** Running instances the controller counted (servers in maintenance excluded), and the bounds. */
      countedInstances: number;
      min: number;
      max: number;
      /** Servers of the cluster on that node that the controller counted, and its vertical limit after maintenance. */
      countedOnNode: number;
      verticalLimit: number;
    }
  /** An IP address changed hands (ClusterCATS dynamic addressing). */
  | { type: 'address-owner'; address: string; owner: number; change: 'acquire' | 'release'; reason: string }
  /** A drain-down period started, or ended (drained: all sessions done; expired: cut at the deadline; cancelled: the service set running again). */
  | { type: 'drain-started'; server: number; deadlineUs: number }
  | { type: 'drain-ended'; server: number; reason: 'drained' | 'expired' | 'cancelled'; openSessions: number }
  /** A failure detector declared a member failed (or alive again). `correct` is false for a false suspicion. */
  | { type: 'suspicion'; detector: number; member: number; suspected: boolean; correct: boolean }
  /** A fault of the scenario took effect (crash, restart, partition, heal, slow, latency, loss). */
  | { type: 'fault'; kind: string; target: string; detail: string }
  /** A server took over a session whose server broke affinity (its state was replicated). */
  | { type: 'session-failover'; protocol: Protocol; session: number; from: number; to: number }
  /** An On Demand Router's own state changed (ODR maintenance); the sprayer follows it. */
  | { type: 'router-state'; router: number; state: ServerState; mode: MaintenanceMode }
  /** A router answered a request itself: rejected (no eligible server, work class) or redirected. */
  | { type: 'routed-away'; router: number; protocol: Protocol; request: number; status: Status; cause: string; workClass: string }
  /**
   * A health policy's condition started or stopped holding for a server long enough: it put the
   * server into maintenance or out of it, or (supervised) asked an operator to.
   */
  | { type: 'health-action'; policy: string; server: number; action: 'enter' | 'exit'; supervised: boolean; valueUs: number; errorPercent: number }
  /** Messages of a destination taken in by the messaging engine and not yet consumed. */
  | { type: 'messages-in-flight'; engine: number; destination: string; inFlight: number }
  /** A message its consumer took in but dropped (stopped, say) is back on its destination with the engine, to be delivered again. */
  | { type: 'message-back'; engine: number; request: number; cause: string }
  /** A crash lost work: requests in flight or queued, and sessions held without a replica elsewhere. */
  | { type: 'lost'; server: number; requests: number; sessions: number; cause: string }
  /** A member returning to service found its own address held by `holder` (static addressing): it stays out. */
  | { type: 'address-conflict'; server: number; address: string; holder: number }
  /** A member's load thresholds, in percent, as set (ClusterCATS Explorer, Configure > Load). */
  | { type: 'threshold'; server: number; gradualPercent: number; peakPercent: number }
  /** A member sent a new request elsewhere by HTTP redirect; `reason` is peak, gradual or service-stopped. */
  | { type: 'redirect'; server: number; toServer: number; address: string; reason: string }
  /** A session survived its member: a replica or a handed-over copy was taken up by `server`. */
  | { type: 'session-recovered'; server: number; session: number; from: number; reason: 'replica' | 'handover' }
  /** A load balancer's view of a backend changed: its admin state (active, drain, maint, removed, gone) or its health. */
  | { type: 'lb-backend'; balancer: number; backend: number; admin: string; healthy: boolean; cause: string }
  /**
   * A load balancer sent a request to a backend: held there by its session (`persistent`) or
   * balanced; `spread` names the rule that let it reach a backend out of rotation (panic, fail-open);
   * `attempt` is 1 for the request as its client sent it, more for the balancer's retries.
   */
  | { type: 'lb-forwarded'; balancer: number; backend: number; request: number; session: number; kind: RequestKind; persistent: boolean; spread: string; attempt: number }
  /** A backend's drain (AWS deregistration) ended: nothing left in flight (`idle`), or at the delay (`timeout`). */
  | { type: 'lb-drain-ended'; balancer: number; backend: number; reason: 'idle' | 'timeout'; drainUs: number }
  /** A load balancer cut the requests in flight on a backend (shutdown-sessions, connection termination). */
  | { type: 'lb-cut'; balancer: number; backend: number; requests: number; cause: string }
  /** A load balancer retried a request whose connection to `backend` failed: refused (`connection`) or closed after the request was sent (`reset`). */
  | { type: 'lb-retried'; balancer: number; backend: number; request: number; failure: 'connection' | 'reset'; method: string }
  /** A request waits in a queue of the balancer: the queue of `backend` (held there by persistence), or the backend queue (-1). */
  | { type: 'lb-queued'; balancer: number; backend: number; request: number; session: number }
  /** A backend left rotation and its queued requests were balanced afresh (HAProxy option redispatch). */
  | { type: 'lb-redispatched'; balancer: number; backend: number; requests: number }
  /** A load balancer's own listeners changed: draining (Envoy drain_listeners), closed (drain time over), stopped (the process exited). */
  | { type: 'lb-listener'; balancer: number; state: 'draining' | 'closed' | 'stopped'; cause: string }
  /** A load balancer closed a session's client connection after a response (`drain`: Envoy's listener drain encouraged the client away); its next request needs a new connection. */
  | { type: 'lb-connection-closed'; balancer: number; session: number; cause: 'drain' }
  // Kubernetes topology (nodes/kubernetes/).
  /** A pod's lifecycle as its kubelet or the control plane saw it change; `reason` says who or why (rollout, eviction, node-lost, replace). */
  | { type: 'pod-phase'; pod: number; node: string; revision: number; phase: PodPhase; reason: string }
  /** A consumer (kube-proxy, an ingress, a cloud load balancer) began routing to a slice: the pods it now routes new requests to. */
  | { type: 'endpoints-applied'; consumer: number; version: number; publishedAtUs: number; routable: number[] }
  /**
   * A request reached a pod whose containers had exited, sent by `consumer`: on a new connection
   * (refused: a 502), or on a keep-alive connection established before the exit (reset).
   */
  | { type: 'request-to-exited-pod'; pod: number; consumer: number; request: number; connection: ConnectionUse }
  /** A graceful server closed its keep-alive connections on SIGTERM (idle ones at once, GOAWAY on HTTP/2). */
  | { type: 'connections-closed'; pod: number; connections: number }
  /** A pod accepted a request after its deletion (preStop running or SIGTERM not yet handled). */
  | { type: 'request-to-terminating-pod'; pod: number; consumer: number; request: number; connection: ConnectionUse }
  /** A consumer answered a request with an error (502) because its pod failed it; `cause` is the pod's. */
  | { type: 'upstream-error'; consumer: number; pod: number; request: number; cause: string }
  /** The eviction API decided on an eviction: granted (201) or refused by a PodDisruptionBudget (429). */
  | { type: 'eviction'; pod: number; granted: boolean; healthy: number; desiredHealthy: number }
  /** A rollout of a Deployment revision started or finished (every new pod available, no old pod left). */
  | { type: 'rollout'; revision: number; phase: 'started' | 'ended' }
  /** The node lifecycle controller marked a node NotReady (its lease expired) or Ready again; or kubectl cordoned it. */
  | { type: 'node-condition'; node: string; condition: 'ready' | 'not-ready' | 'cordoned' | 'drained' };

/** Phases of a pod as the records tell them (finer than the API's: `terminating` from the deletion, `stopping` from SIGTERM). */
/** How a request reached its pod: on a connection opened for it, or on an established keep-alive one. */
export type ConnectionUse = 'new' | 'established';

export type PodPhase = 'pending' | 'running' | 'ready' | 'not-ready' | 'terminating' | 'stopping' | 'exited' | 'lost';

export type SessionOutcome = 'completed' | 'dropped' | 'rejected';
