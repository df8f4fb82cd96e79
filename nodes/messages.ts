import type { Envelope, Request, Response, Status } from '../gen/clustersim/v1/cluster.js';
import type { Actor, Context } from '../sim/kernel/actor.js';
import type { SimRecord } from '../sim/metrics/records.js';

export {
  AddressAction,
  BackendAdminAction,
  ClusterCatsService,
  FaultKind,
  MaintenanceMode,
  Protocol,
  RequestKind,
  ServerAction,
  ServerState,
  Status,
  type AddressMessage,
  type ClusterCatsCommand,
  type FaultCommand,
  type HealthProbe,
  type HealthProbeAnswer,
  type Heartbeat,
  type LoadBalancerCommand,
  type LoadReport,
  type MemberReport,
  type MaintenanceCommand,
  type Request,
  type Response,
  type ServerControl,
  type SessionReplica,
} from '../gen/clustersim/v1/cluster.js';

/** Every message between actors: the body of the proto Envelope, a union on `$case`. */
export type Message = NonNullable<Envelope['body']>;

export type NodeContext = Context<Message, SimRecord>;
export type NodeActor = Actor<Message, SimRecord>;

/** Fails loudly on a message an actor does not expect: a wiring bug, never a user error. */
export function unexpected(actor: string, message: Message): never {
  throw new Error(`${actor} cannot handle a ${message.$case} message`);
}

/** The response to `request`: its identity copied, with the outcome and the server that answered (-1: none). */
export function responseTo(request: Request, status: Status, cause: string, server: number, retryable = false, redirectAddress = '', othersInFlight = 0): Response {
  return {
    requestId: request.id,
    protocol: request.protocol,
    kind: request.kind,
    sessionId: request.sessionId,
    status,
    cause,
    server,
    client: request.client,
    sentAtUs: request.sentAtUs,
    attempts: request.attempts,
    redirects: request.redirects,
    workClass: request.workClass,
    retryable,
    redirectAddress,
    othersInFlight,
  };
}
