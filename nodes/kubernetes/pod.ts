import type { Distribution } from '../../sim/kernel/distributions.js';
import type { PodPhase } from '../../sim/metrics/records.js';
import { KubePodAction, type KubePodCommand } from '../../gen/clustersim/v1/kubernetes.js';
import { MaintenanceMode, ServerState, Status, responseTo, unexpected, type Message, type NodeActor, type NodeContext, type Request } from '../messages.js';
import { ServerConnections } from './server-connections.js';

export interface PodConfig {
  name: string;
  controlPlane: number;
  threads: number;
  queueLimit: number;
  /** From the pod bound to a node to its server listening (image pull, container start). */
  startTime: Distribution;
  probe: { initialDelayUs: number; periodUs: number; timeoutUs: number; successThreshold: number; failureThreshold: number };
  terminationGracePeriodUs: number;
  /** A preStop sleep, or 0 for no hook. */
  preStopSleepUs: number;
  onSigterm: 'graceful' | 'exit';
  drainTimeoutUs: number;
  /** When a node stops (the scenario's crashNode steps), or Infinity. */
  nodeCrashAtUs(node: string): number;
}

/** The kubelet gives a preStop hook that outlives the grace period this one extension (then SIGKILL). */
export const preStopExtensionUs = 2_000_000;

type Phase = 'unbound' | 'starting' | 'running' | 'terminating' | 'stopping' | 'exited' | 'lost';

const tags = { started: 'started', probe: 'probe', preStopDone: 'prestop-done', sigkill: 'sigkill', drainTimeout: 'drain-timeout', served: 'served', nodeCrash: 'node-crash' } as const;

/**
 * One pod of the Deployment with the kubelet that runs it: started when the scheduler binds it,
 * probed for readiness, serving requests on its threads, and on deletion taken down as the
 * kubelet does it: the preStop hook, then SIGTERM, then SIGKILL at the grace period's end (the
 * preStop time included). What the server does on SIGTERM is the application's: a graceful one
 * closes its listener and finishes what it holds; another exits at once. A request that reaches
 * the pod after its server stopped listening is refused (connection refused, a 502 upstream).
 * Keep-alive connections stay open across requests: a graceful server closes them on SIGTERM
 * (the consumer then routes the session anew); an exit leaves them dead, and the next request on
 * one is reset.
 */
export class Pod implements NodeActor {
  readonly name: string;
  private phase: Phase = 'unbound';
  private node = '';
  private revision = 0;
  private ready = false;
  private successes = 0;
  private failures = 0;
  private busyThreads = 0;
  private readonly queue: Request[] = [];
  /** Service time of the queued requests, summed: how long a probe would wait behind them. */
  private queuedServiceUs = 0;
  /** Requests on a thread, by request id. */
  private readonly serving = new Map<number, Request>();
  private readonly connections = new ServerConnections();

  constructor(private readonly config: PodConfig) {
    this.name = config.name;
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'kubePodCommand':
        return this.command(message.value, context);
      case 'request':
        return this.receive(message.value, context);
      case 'timer':
        return this.timer(message.value.tag, message.value.ref, context);
      default:
        return unexpected(this.name, message);
    }
  }

  private command(command: KubePodCommand, context: NodeContext): void {
    if (this.phase === 'lost') return; // the node is gone: nobody hears the API server
    if (command.action === KubePodAction.CREATE) return this.bind(command, context);
    if (command.action === KubePodAction.DELETE) return this.terminate(context);
  }

  private bind(command: KubePodCommand, context: NodeContext): void {
    if (this.phase === 'exited') return; // deleted before the binding reached it (the two crossed on the network)
    if (this.phase !== 'unbound') throw new Error(`${this.name} bound twice`);
    this.node = command.node;
    this.revision = command.revision;
    const crashAtUs = this.config.nodeCrashAtUs(this.node);
    if (crashAtUs <= context.now) return this.lose(context);
    if (crashAtUs < Infinity) context.setTimer(crashAtUs, timer(tags.nodeCrash));
    this.phase = 'starting';
    context.setTimer(context.now + this.config.startTime.sample(context.rng('start')), timer(tags.started));
  }

  private timer(tag: string, ref: number, context: NodeContext): void {
    if (this.phase === 'lost' || this.phase === 'exited') return;
    switch (tag) {
      case tags.started:
        if (this.phase !== 'starting') return;
        this.phase = 'running';
        this.recordPhase('running', '', context);
        this.report(context);
        return context.setTimer(context.now + this.config.probe.initialDelayUs, timer(tags.probe));
      case tags.probe:
        return this.probe(context);
      case tags.preStopDone:
        return this.sigterm(context);
      case tags.sigkill:
        return this.exit('cut-by-sigkill', context);
      case tags.drainTimeout:
        return this.exit('cut-by-drain-timeout', context);
      case tags.served:
        return this.served(ref, context);
      case tags.nodeCrash:
        return this.lose(context);
      default:
        throw new Error(`${this.name}: unknown timer ${tag}`);
    }
  }

  /**
   * The kubelet's readiness probe: it passes while the server listens and answers within the
   * probe's timeout, which a probe queued behind a backlog of requests does not.
   */
  private probe(context: NodeContext): void {
    const listening = this.phase === 'running' || this.phase === 'terminating';
    const waitUs = this.busyThreads < this.config.threads ? 0 : this.queuedServiceUs / this.config.threads;
    const passed = listening && waitUs <= this.config.probe.timeoutUs;
    const probe = this.config.probe;
    if (passed) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    const ready = passed ? this.ready || this.successes >= probe.successThreshold : this.ready && this.failures < probe.failureThreshold;
    if (ready !== this.ready) {
      this.ready = ready;
      this.recordPhase(ready ? 'ready' : 'not-ready', 'probe', context);
      this.report(context);
    }
    context.setTimer(context.now + probe.periodUs, timer(tags.probe));
  }

  /** The pod was deleted: preStop, then SIGTERM; SIGKILL at the grace period's end whatever happens. */
  private terminate(context: NodeContext): void {
    if (this.phase === 'unbound' || this.phase === 'starting') return this.exit('', context);
    if (this.phase !== 'running') return; // already terminating
    this.phase = 'terminating';
    const { terminationGracePeriodUs: graceUs, preStopSleepUs } = this.config;
    if (preStopSleepUs === 0) {
      context.setTimer(context.now + graceUs, timer(tags.sigkill));
      return this.sigterm(context);
    }
    const outlivesGrace = preStopSleepUs >= graceUs;
    context.setTimer(context.now + (outlivesGrace ? graceUs : preStopSleepUs), timer(tags.preStopDone));
    context.setTimer(context.now + graceUs + (outlivesGrace ? preStopExtensionUs : 0), timer(tags.sigkill));
  }

  private sigterm(context: NodeContext): void {
    if (this.phase !== 'terminating') return;
    if (this.config.onSigterm === 'exit') return this.exit('cut-by-sigterm', context);
    this.phase = 'stopping';
    this.recordPhase('stopping', 'sigterm', context);
    this.closeConnections(context);
    if (this.busyThreads === 0 && this.queue.length === 0) return this.exit('', context);
    context.setTimer(context.now + this.config.drainTimeoutUs, timer(tags.drainTimeout));
  }

  private receive(request: Request, context: NodeContext): void {
    switch (this.phase) {
      case 'lost':
        return; // the node is gone: the sender hears nothing
      case 'unbound':
      case 'starting':
        return this.refuse(request, 'pod-not-started', context);
      case 'stopping':
        return this.refuse(request, 'refused-after-sigterm', context);
      case 'exited':
        return this.receiveExited(request, context);
      case 'running':
      case 'terminating':
        return this.accept(request, context);
    }
  }

  /** Nobody listens: a new connection is refused; one the server held when it exited is reset. */
  private receiveExited(request: Request, context: NodeContext): void {
    const established = this.onConnection(request);
    context.record({ type: 'request-to-exited-pod', pod: context.self, consumer: request.router, request: request.id, connection: established ? 'established' : 'new' });
    if (!established) return this.refuse(request, 'pod-exited', context);
    this.connections.close(request.router, request.sessionId);
    this.refuse(request, 'connection-reset', context);
  }

  private onConnection(request: Request): boolean {
    return request.keepAlive === true && this.connections.has(request.router, request.sessionId);
  }

  private accept(request: Request, context: NodeContext): void {
    if (this.phase === 'terminating') {
      const connection = this.onConnection(request) ? 'established' : 'new';
      context.record({ type: 'request-to-terminating-pod', pod: context.self, consumer: request.router, request: request.id, connection });
    }
    if (this.busyThreads >= this.config.threads && this.queue.length >= this.config.queueLimit) {
      this.connections.close(request.router, request.sessionId); // the consumer drops a connection that failed it
      context.send(request.router, { $case: 'response', value: responseTo(request, Status.REJECTED, 'queue-full', context.self, true) });
      return;
    }
    // The client closes its connection after its session's last request.
    if (request.keepAlive === true && request.last) this.connections.close(request.router, request.sessionId);
    else if (request.keepAlive === true) this.connections.open(request.router, request.sessionId);
    context.record({
      type: 'accepted',
      server: context.self,
      protocol: request.protocol,
      kind: request.kind,
      request: request.id,
      session: request.sessionId,
      affinityServer: request.affinityServer ?? -1,
      state: ServerState.RUNNING,
      mode: MaintenanceMode.UNSPECIFIED,
      workClass: '',
      maintenanceOnly: false,
    });
    if (this.busyThreads < this.config.threads) this.startService(request, context);
    else {
      this.queue.push(request);
      this.queuedServiceUs += request.serviceUs ?? 0;
    }
  }

  private startService(request: Request, context: NodeContext): void {
    this.busyThreads++;
    this.serving.set(request.id, request);
    context.setTimer(context.now + (request.serviceUs ?? 0), { $case: 'timer', value: { tag: tags.served, ref: request.id } });
  }

  private served(requestId: number, context: NodeContext): void {
    const request = this.serving.get(requestId);
    if (request === undefined) return;
    this.serving.delete(requestId);
    this.busyThreads--;
    context.send(request.router, { $case: 'response', value: responseTo(request, Status.OK, '', context.self) });
    const next = this.queue.shift();
    if (next !== undefined) {
      this.queuedServiceUs -= next.serviceUs ?? 0;
      this.startService(next, context);
    }
    else if (this.phase === 'stopping' && this.busyThreads === 0) this.exit('', context);
  }

  private refuse(request: Request, cause: string, context: NodeContext): void {
    context.send(request.router, { $case: 'response', value: responseTo(request, Status.REJECTED, cause, context.self, true) });
  }

  /**
   * The containers are gone; what they still held is cut with `cause`. The connections those
   * requests were on are seen to fail; the idle ones stay open at the consumers' end, dead.
   */
  private exit(cause: string, context: NodeContext): void {
    for (const request of [...this.serving.values(), ...this.queue]) {
      this.connections.close(request.router, request.sessionId);
      context.send(request.router, { $case: 'response', value: responseTo(request, Status.DROPPED, cause, context.self) });
    }
    this.serving.clear();
    this.queue.length = 0;
    this.queuedServiceUs = 0;
    this.busyThreads = 0;
    this.phase = 'exited';
    this.ready = false;
    this.recordPhase('exited', cause === '' ? 'completed' : cause, context);
    this.report(context);
  }

  /** The node stopped: whatever the pod held is lost in silence. */
  private lose(context: NodeContext): void {
    this.serving.clear();
    this.queue.length = 0;
    this.queuedServiceUs = 0;
    this.busyThreads = 0;
    this.phase = 'lost';
    this.ready = false;
    this.recordPhase('lost', 'node-crash', context);
  }

  /** A graceful shutdown closes the keep-alive connections (HTTP/2: GOAWAY); the requests on them still finish. */
  private closeConnections(context: NodeContext): void {
    const closed = this.connections.closeAll();
    if (closed.count === 0) return;
    context.record({ type: 'connections-closed', pod: context.self, connections: closed.count });
    for (const consumer of closed.consumers) context.send(consumer, { $case: 'kubeConnectionsClosed', value: { pod: context.self } });
  }

  private report(context: NodeContext): void {
    context.send(this.config.controlPlane, {
      $case: 'kubePodStatus',
      value: { pod: context.self, ready: this.ready, exited: this.phase === 'exited', started: this.phase !== 'unbound' && this.phase !== 'starting' },
    });
  }

  private recordPhase(phase: PodPhase, reason: string, context: NodeContext): void {
    context.record({ type: 'pod-phase', pod: context.self, node: this.node, revision: this.revision, phase, reason });
  }
}

function timer(tag: string): Message {
  return { $case: 'timer', value: { tag, ref: 0 } };
}

