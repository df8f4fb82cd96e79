import type { Distribution } from '../../sim/kernel/distributions.js';
import type { KubeEndpointSlice } from '../../gen/clustersim/v1/kubernetes.js';
import { Status, responseTo, unexpected, type Message, type NodeActor, type NodeContext, type Request, type Response } from '../messages.js';

export interface EndpointConsumerConfig {
  name: string;
  /** From a slice received to routing by it: a watch, a batch, a sync (kube-proxy's min sync period), a cloud API call. */
  delay: Distribution;
  /** Other pods tried after a refused connection. */
  retries: number;
  /** A session stays on its pod while this consumer lists the pod. */
  sessionAffinity: boolean;
  /** Route to terminating, serving pods when no pod is ready. */
  proxyTerminatingEndpoints: boolean;
  /**
   * Keep-alive: a session's requests go on one connection to the pod it was first routed to,
   * whatever the endpoints say later, until the connection fails or the server closes it.
   */
  keepAlive: boolean;
}

const applyTag = 'apply-slice';

/**
 * A consumer of the Service's endpoints (kube-proxy, an ingress controller, a cloud load
 * balancer): it routes each request to one of the pods of the slice it last applied, and applies
 * a newer slice only after its own delay. Until then it keeps sending to the old set, pods that
 * have stopped listening included: the race behind 502s during rollouts. With keep-alive, an
 * established connection is not balanced again when its pod leaves the endpoints (kube-proxy's
 * conntrack entries, an HTTP/2 or WebSocket stream): only new connections follow the slice.
 */
export class EndpointConsumer implements NodeActor {
  readonly name: string;
  /** Pods new requests go to, as of the slice applied last. */
  private routable: number[] = [];
  /** Slices received and not yet applied, oldest first, with the time each applies. */
  private readonly pending: { slice: KubeEndpointSlice; applyAtUs: number }[] = [];
  private lastApplyAtUs = 0;
  private lastVersion = 0;
  /** Requests sent to a pod and not answered, by id. */
  private readonly inFlight = new Map<number, Request>();
  /** Keep-alive connections: the pod each session's connection goes to. */
  private readonly connections = new Map<number, number>();

  constructor(private readonly config: EndpointConsumerConfig) {
    this.name = config.name;
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'kubeEndpointSlice':
        return this.receiveSlice(message.value, context);
      case 'timer':
        if (message.value.tag !== applyTag) return unexpected(this.name, message);
        return this.applyDue(context);
      case 'request':
        return this.route({ ...message.value, router: context.self, attempts: 1, triedServers: [] }, context);
      case 'response':
        return this.answer(message.value, context);
      case 'kubeConnectionsClosed':
        return this.closedByServer(message.value.pod);
      default:
        return unexpected(this.name, message);
    }
  }

  /** Pods this consumer routes new requests to now. */
  get routablePods(): readonly number[] {
    return this.routable;
  }

  private receiveSlice(slice: KubeEndpointSlice, context: NodeContext): void {
    // A watch delivers changes in order: a slice overtaken on the network by a newer one is stale.
    if (slice.version <= this.lastVersion) return;
    this.lastVersion = slice.version;
    // Slices apply in the order they were published: a later one never overtakes an earlier one.
    const applyAtUs = Math.max(context.now + this.config.delay.sample(context.rng('delay')), this.lastApplyAtUs);
    this.lastApplyAtUs = applyAtUs;
    this.pending.push({ slice, applyAtUs });
    context.setTimer(applyAtUs, { $case: 'timer', value: { tag: applyTag, ref: slice.version } });
  }

  private applyDue(context: NodeContext): void {
    let latest: KubeEndpointSlice | undefined;
    while (this.pending.length > 0 && this.pending[0]!.applyAtUs <= context.now) latest = this.pending.shift()!.slice;
    if (latest === undefined) return;
    const ready = latest.endpoints.filter((endpoint) => endpoint.ready).map((endpoint) => endpoint.pod);
    const fallback = this.config.proxyTerminatingEndpoints && ready.length === 0;
    this.routable = fallback ? latest.endpoints.filter((endpoint) => endpoint.serving && endpoint.terminating).map((endpoint) => endpoint.pod) : ready;
    context.record({ type: 'endpoints-applied', consumer: context.self, version: latest.version, publishedAtUs: latest.publishedAtUs, routable: [...this.routable] });
  }

  private route(request: Request, context: NodeContext): void {
    const connected = this.connections.get(request.sessionId);
    if (connected !== undefined && !request.triedServers.includes(connected)) return this.send(connected, request, context);
    const candidates = this.routable.filter((pod) => !request.triedServers.includes(pod));
    if (candidates.length === 0) {
      context.record({ type: 'upstream-error', consumer: context.self, pod: -1, request: request.id, cause: 'no-endpoints' });
      context.send(request.client, { $case: 'response', value: responseTo(request, Status.REJECTED, 'no-endpoints', -1) });
      return;
    }
    const affinity = request.affinityServer;
    const pod = this.config.sessionAffinity && affinity !== undefined && candidates.includes(affinity) ? affinity : candidates[Math.floor(context.rng('balance')() * candidates.length)]!;
    if (this.config.keepAlive && !request.last) this.connections.set(request.sessionId, pod);
    this.send(pod, request, context);
  }

  private send(pod: number, request: Request, context: NodeContext): void {
    this.inFlight.set(request.id, request);
    context.send(pod, { $case: 'request', value: this.config.keepAlive ? { ...request, keepAlive: true } : request });
  }

  /** The server closed its connections (idle keep-alive ones, HTTP/2 GOAWAY): the sessions on them connect anew. */
  private closedByServer(pod: number): void {
    for (const [session, connectedPod] of this.connections) if (connectedPod === pod) this.connections.delete(session);
  }

  private answer(response: Response, context: NodeContext): void {
    const request = this.inFlight.get(response.requestId);
    if (request === undefined) return;
    this.inFlight.delete(response.requestId);
    // A failed connection is dropped; the client closes its own after the session's last request.
    if ((response.status !== Status.OK || request.last) && this.connections.get(request.sessionId) === response.server) this.connections.delete(request.sessionId);
    if (response.status !== Status.OK && response.retryable && request.attempts <= this.config.retries) {
      return this.route({ ...request, attempts: request.attempts + 1, triedServers: [...request.triedServers, response.server] }, context);
    }
    if (response.status !== Status.OK) context.record({ type: 'upstream-error', consumer: context.self, pod: response.server, request: request.id, cause: response.cause });
    context.send(request.client, { $case: 'response', value: { ...response, attempts: request.attempts } });
  }
}
