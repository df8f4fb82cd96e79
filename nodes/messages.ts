import type { Envelope } from '../gen/clustersim/v1/cluster.js';
import type { Actor, Context } from '../sim/kernel/actor.js';
import type { SimRecord } from '../sim/metrics/records.js';

export {
  AddressAction,
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
