import {
  ServerState,
  Status,
  responseTo,
  unexpected,
  type LoadReport,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
  type Response,
} from '../messages.js';
import { noServer, ServerGroup, ServerPool, ServerViews } from '../router/server-views.js';

export interface MessagingEngineConfig {
  name: string;
  /** Destinations (queues) this engine hosts. */
  destinations: readonly string[];
  /** Servers running message-driven beans that consume them, with their threads. */
  consumers: readonly { actor: number; threads: number; state: ServerState }[];
  /** Messages a destination may hold; one more is refused to its producer. */
  maxDepth: number;
}

interface Destination {
  inFlight: number;
  /** Messages waiting for a consumer: none was eligible, or one was lost with a stopped server. */
  readonly backlog: Request[];
  backlogHead: number;
}

/**
 * A JMS messaging engine: producers put messages on its destinations; it delivers each to a
 * message-driven bean on one of the consumer servers and acknowledges the producer once the
 * message is consumed. JMS is still routed to servers in maintenance; a message lost with a
 * stopped server goes back on its destination and is delivered again. Messages in flight
 * (taken in, not yet consumed) are counted per destination.
 */
export class MessagingEngine implements NodeActor {
  readonly name: string;
  private readonly destinations = new Map<string, Destination>();
  private readonly views: ServerViews;
  private readonly consumers: ServerGroup;
  /** Messages delivered and not yet consumed, by id, with the consumer they went to. */
  private readonly pending = new Map<number, { request: Request; consumer: number }>();
  /** Messages lost with a consumer whose node crashed silently, by id (see `forgetLostWith`). */
  private readonly forgotten = new Map<number, { request: Request; consumer: number }>();
  private backlogged = 0;

  constructor(private readonly config: MessagingEngineConfig) {
    this.name = config.name;
    for (const destination of config.destinations) this.destinations.set(destination, { inFlight: 0, backlog: [], backlogHead: 0 });
    this.views = new ServerViews(config.consumers);
    this.consumers = this.views.group(config.consumers.map((consumer) => consumer.actor));
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.put(message.value, context);
      case 'response':
        return this.consumed(message.value, context);
      case 'loadReport':
        return this.updateConsumer(message.value, context);
      default:
        return unexpected(this.name, message);
    }
  }

  private put(request: Request, context: NodeContext): void {
    const destination = this.destinations.get(request.destination);
    if (destination === undefined) return this.answer(request, Status.REJECTED, 'unknown-destination', context);
    if (destination.inFlight >= this.config.maxDepth) return this.answer(request, Status.REJECTED, 'destination-full', context);
    destination.inFlight++;
    context.record({ type: 'messages-in-flight', engine: context.self, destination: request.destination, inFlight: destination.inFlight });
    this.deliver(request, destination, context);
  }

  private deliver(request: Request, destination: Destination, context: NodeContext): void {
    const consumer = this.consumers.choose(request, ServerPool.available, noneTried, context.rng('balance'));
    if (consumer === noServer) {
      destination.backlog.push(request);
      this.backlogged++;
      return;
    }
    request.router = context.self;
    request.attempts++;
    this.views.addOutstanding(consumer, 1);
    this.pending.set(request.id, { request, consumer });
    context.send(consumer, { $case: 'request', value: request });
  }

  private consumed(response: Response, context: NodeContext): void {
    const delivery = this.pending.get(response.requestId);
    if (delivery === undefined) return this.answeredAfterAll(response, context);
    // An answer from a consumer the message no longer waits on (delivered again since) is not its answer.
    if (delivery.consumer !== response.server) return;
    const request = delivery.request;
    this.pending.delete(response.requestId);
    if (this.views.knows(response.server)) this.views.addOutstanding(response.server, -1);
    const destination = this.destinations.get(request.destination)!;
    if (response.status !== Status.OK) {
      if (response.status === Status.DROPPED) context.record({ type: 'message-back', engine: context.self, request: request.id, cause: response.cause });
      // Back on the destination: delivered again now, or after the next load report when the
      // consumers keep refusing it (full queues), so that a refusal never spins.
      if (request.attempts % redeliveriesBeforeWaiting !== 0) return this.deliver(request, destination, context);
      destination.backlog.push(request);
      this.backlogged++;
      return;
    }
    this.countInFlight(request.destination, -1, context);
    context.send(request.client, { $case: 'response', value: response });
    // A consumer has a thread free: the next message waiting goes now. Waiting for the next load
    // report instead held a backlog to a few queues' worth per interval, far below the consumers' pace.
    if (this.backlogged > 0) this.deliverNextWaiting(destination, context);
  }

  /** Delivers the oldest message waiting on `first`, or else on the first destination with one. */
  private deliverNextWaiting(first: Destination, context: NodeContext): void {
    const destination = first.backlogHead < first.backlog.length ? first : [...this.destinations.values()].find((other) => other.backlogHead < other.backlog.length);
    if (destination === undefined) return;
    const request = destination.backlog[destination.backlogHead]!;
    if (this.consumers.choose(request, ServerPool.available, noneTried, context.rng('balance')) === noServer) return;
    destination.backlogHead++;
    this.backlogged--;
    if (destination.backlogHead === destination.backlog.length) {
      destination.backlog.length = 0;
      destination.backlogHead = 0;
    }
    this.deliver(request, destination, context);
  }

  /** An answer for a message forgotten with its consumer (see `forgetLostWith`): passed on, or a refused message delivered again. */
  private answeredAfterAll(response: Response, context: NodeContext): void {
    const delivery = this.forgotten.get(response.requestId);
    if (delivery === undefined || delivery.consumer !== response.server) return;
    this.forgotten.delete(response.requestId);
    const request = delivery.request;
    if (response.status === Status.OK) return context.send(request.client, { $case: 'response', value: response });
    if (response.status === Status.DROPPED) context.record({ type: 'message-back', engine: context.self, request: request.id, cause: response.cause });
    this.countInFlight(request.destination, 1, context);
    this.deliver(request, this.destinations.get(request.destination)!, context);
  }

  private countInFlight(name: string, change: number, context: NodeContext): void {
    const destination = this.destinations.get(name)!;
    destination.inFlight += change;
    context.record({ type: 'messages-in-flight', engine: context.self, destination: name, inFlight: destination.inFlight });
  }

  private updateConsumer(report: LoadReport, context: NodeContext): void {
    if (!this.views.knows(report.server)) return;
    const wasUp = takesMessages(this.views.state(report.server));
    if (this.views.apply(report) && report.state === ServerState.STARTING && wasUp) this.forgetLostWith(report.server, context);
    if (this.backlogged > 0) this.deliverBacklog(context);
  }

  /**
   * A consumer heard starting again that was never heard going down: its whole node crashed,
   * silently, with the messages it had taken. Their producers find out by their timeouts and put
   * them again (most have by now), so they are not delivered again here; they stop counting as
   * in flight and as outstanding there, where they would stay for ever and the choice of consumer
   * would shun the server. An answer that still comes for one (a restart whose answers the report
   * overtook) is taken as for a message in flight.
   */
  private forgetLostWith(consumer: number, context: NodeContext): void {
    const lost = [...this.pending.values()].filter((delivery) => delivery.consumer === consumer).map((delivery) => delivery.request);
    lost.sort((first, second) => first.id - second.id);
    for (const request of lost) {
      this.pending.delete(request.id);
      this.views.addOutstanding(consumer, -1);
      this.forgotten.set(request.id, { request, consumer });
      this.countInFlight(request.destination, -1, context);
    }
  }

  private deliverBacklog(context: NodeContext): void {
    for (const destination of this.destinations.values()) {
      while (destination.backlogHead < destination.backlog.length) {
        const request = destination.backlog[destination.backlogHead]!;
        if (this.consumers.choose(request, ServerPool.available, noneTried, context.rng('balance')) === noServer) break;
        destination.backlogHead++;
        this.backlogged--;
        this.deliver(request, destination, context);
      }
      if (destination.backlogHead === destination.backlog.length) {
        destination.backlog.length = 0;
        destination.backlogHead = 0;
      }
    }
  }

  private answer(request: Request, status: Status, cause: string, context: NodeContext): void {
    context.send(request.client, { $case: 'response', value: responseTo(request, status, cause, -1) });
  }
}

/** A consumer in these states takes messages: one heard in them answers those it has. */
function takesMessages(state: ServerState): boolean {
  return state === ServerState.RUNNING || state === ServerState.MAINTENANCE || state === ServerState.DRAINING;
}

const noneTried: readonly number[] = [];
const redeliveriesBeforeWaiting = 3;
