import type { Distribution } from '../../sim/kernel/distributions.js';
import {
  FaultKind,
  MaintenanceMode,
  Protocol,
  RequestKind,
  ServerState,
  Status,
  unexpected,
  type FaultCommand,
  type MaintenanceCommand,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
} from '../messages.js';

export interface AppServerConfig {
  name: string;
  threads: number;
  /** Requests that may wait for a thread; one more is refused. */
  queueLimit: number;
  /** Service time of one request, by protocol. */
  service: ReadonlyMap<Protocol, Distribution>;
  /** Actors told of this server's load and state: routers, peers. */
  loadSubscribers: readonly number[];
  loadReportIntervalUs: number;
}

const loadReportTag = 'load-report';
const serviceDoneTag = 'service-done';

/**
 * An application server: a pool of threads in front of a FIFO queue, and the table of the
 * sessions it holds. It applies maintenance mode itself, so that a router with a stale view
 * cannot open a new session here: the request is refused and the router retries elsewhere.
 */
export class AppServer implements NodeActor {
  readonly name: string;
  state = ServerState.RUNNING;
  mode = MaintenanceMode.UNSPECIFIED;
  private busyThreads = 0;
  private readonly waiting: { request: Request; arrivedAtUs: number }[] = [];
  private waitingHead = 0;
  private readonly inService = new Map<number, Request>();
  /** Sessions held here, by id, with their protocol: HTTP sessions, SIP dialogs, EJB conversations. */
  readonly sessions = new Map<number, Protocol>();
  private readonly sessionsByProtocol = new Map<Protocol, number>();
  /** Injected faults: service time multiplier, and a crash of the whole node (no answer at all). */
  private slowFactor = 1;
  private silent = false;

  constructor(private readonly config: AppServerConfig) {
    this.name = config.name;
  }

  get queued(): number {
    return this.waiting.length - this.waitingHead;
  }

  onMessage(message: Message, context: NodeContext): void {
    if (this.silent && message.$case !== 'fault' && message.$case !== 'timer') return;
    switch (message.$case) {
      case 'fault':
        return this.applyFault(message.value, context);
      case 'request':
        return this.receive(message.value, context);
      case 'maintenance':
        return this.applyMaintenance(message.value, context);
      case 'timer':
        if (message.value.tag === serviceDoneTag) return this.finish(message.value.ref, context);
        if (message.value.tag === loadReportTag) return this.reportLoad(context, true);
        return unexpected(this.name, message);
      default:
        return unexpected(this.name, message);
    }
  }

  private receive(request: Request, context: NodeContext): void {
    const refusal = this.admissionRefusal(request);
    if (refusal !== undefined) return this.refuse(request, refusal, context);
    if (request.kind === RequestKind.IN_SESSION || request.kind === RequestKind.CLOSE) {
      if (!this.sessions.has(request.sessionId)) return this.drop(request, 'session-lost', context);
    }
    if (this.busyThreads >= this.config.threads && this.queued >= this.config.queueLimit) {
      return this.refuse(request, 'queue-full', context);
    }
    context.record({
      type: 'accepted',
      server: context.self,
      protocol: request.protocol,
      kind: request.kind,
      request: request.id,
      session: request.sessionId,
      affinityServer: request.affinityServer ?? -1,
      state: this.state,
      mode: this.mode,
      workClass: request.workClass,
      maintenanceOnly: request.maintenanceOnly,
    });
    if (request.kind === RequestKind.OPEN) this.openSession(request.sessionId, request.protocol, context);
    if (this.busyThreads < this.config.threads) this.serve(request, context.now, context);
    else this.waiting.push({ request, arrivedAtUs: context.now });
  }

  /** Why this server will not take the request, or undefined when it will. */
  private admissionRefusal(request: Request): string | undefined {
    if (this.state !== ServerState.RUNNING && this.state !== ServerState.MAINTENANCE) return 'server-unavailable';
    const inMaintenance = this.state === ServerState.MAINTENANCE;
    if (request.maintenanceOnly && !inMaintenance) return 'not-in-maintenance';
    if (!inMaintenance || request.maintenanceOnly) return undefined;
    if (request.kind === RequestKind.OPEN) return 'maintenance';
    if (this.mode === MaintenanceMode.BREAK || this.mode === MaintenanceMode.STOP) return 'affinity-broken';
    return undefined;
  }

  private serve(request: Request, arrivedAtUs: number, context: NodeContext): void {
    this.busyThreads++;
    context.record({ type: 'queue-wait', server: context.self, waitUs: context.now - arrivedAtUs });
    const serviceUs = Math.round((this.config.service.get(request.protocol)?.sample(context.rng('service')) ?? 0) * this.slowFactor);
    this.inService.set(request.id, request);
    context.setTimer(context.now + serviceUs, { $case: 'timer', value: { tag: serviceDoneTag, ref: request.id } });
  }

  private finish(requestId: number, context: NodeContext): void {
    const request = this.inService.get(requestId);
    if (request === undefined) return; // lost when the server stopped
    this.inService.delete(requestId);
    this.busyThreads--;
    if (request.last) this.closeSession(request.sessionId, context);
    this.respond(request, Status.OK, '', false, context);
    if (this.queued > 0 && this.busyThreads < this.config.threads) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      this.serve(next.request, next.arrivedAtUs, context);
    }
  }

  private applyMaintenance(command: MaintenanceCommand, context: NodeContext): void {
    if (command.enter) {
      this.mode = command.mode;
      this.state = command.mode === MaintenanceMode.STOP ? ServerState.STOPPED : ServerState.MAINTENANCE;
      if (this.state === ServerState.STOPPED) this.stop(context);
    } else {
      this.mode = MaintenanceMode.UNSPECIFIED;
      this.state = ServerState.RUNNING;
    }
    context.record({ type: 'server-state', server: context.self, state: this.state, mode: this.mode });
    this.reportLoad(context, false);
  }

  /** A stopped server loses its work in flight and its sessions. */
  private stop(context: NodeContext): void {
    for (const request of this.inService.values()) this.drop(request, 'server-stopped', context);
    for (let index = this.waitingHead; index < this.waiting.length; index++) {
      this.drop(this.waiting[index]!.request, 'server-stopped', context);
    }
    this.inService.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.busyThreads = 0;
    this.sessions.clear();
    for (const protocol of [...this.sessionsByProtocol.keys()].sort()) this.countSessions(protocol, -this.sessionsByProtocol.get(protocol)!, context);
  }

  /**
   * A crash loses the work in flight and the sessions without an answer to anyone: after a
   * process crash the node refuses connections (the router retries elsewhere); after a node
   * crash nothing answers, and clients find out by their timeouts.
   */
  private applyFault(fault: FaultCommand, context: NodeContext): void {
    if (fault.kind === FaultKind.SLOW) {
      this.slowFactor = fault.factor;
      return;
    }
    if (fault.kind === FaultKind.CRASH && this.state !== ServerState.FAILED) {
      context.record({ type: 'lost', server: context.self, requests: this.busyThreads + this.queued, sessions: this.sessions.size, cause: 'crash' });
      this.inService.clear();
      this.waiting.length = 0;
      this.waitingHead = 0;
      this.busyThreads = 0;
      this.sessions.clear();
      for (const protocol of [...this.sessionsByProtocol.keys()].sort()) this.countSessions(protocol, -this.sessionsByProtocol.get(protocol)!, context);
      this.silent = fault.detail === 'node';
      this.state = ServerState.FAILED;
    } else if (fault.kind === FaultKind.RESTART && this.state === ServerState.FAILED) {
      this.silent = false;
      this.state = ServerState.RUNNING;
    } else return;
    this.mode = MaintenanceMode.UNSPECIFIED;
    context.record({ type: 'server-state', server: context.self, state: this.state, mode: this.mode });
    if (!this.silent) this.reportLoad(context, false);
  }

  private openSession(sessionId: number, protocol: Protocol, context: NodeContext): void {
    this.sessions.set(sessionId, protocol);
    this.countSessions(protocol, 1, context);
  }

  private closeSession(sessionId: number, context: NodeContext): void {
    const protocol = this.sessions.get(sessionId);
    if (protocol === undefined) return;
    this.sessions.delete(sessionId);
    this.countSessions(protocol, -1, context);
  }

  private countSessions(protocol: Protocol, change: number, context: NodeContext): void {
    const open = (this.sessionsByProtocol.get(protocol) ?? 0) + change;
    this.sessionsByProtocol.set(protocol, open);
    context.record({ type: 'server-sessions', server: context.self, protocol, open, total: this.sessions.size });
  }

  private refuse(request: Request, cause: string, context: NodeContext): void {
    context.record({
      type: 'refused',
      server: context.self,
      protocol: request.protocol,
      kind: request.kind,
      request: request.id,
      session: request.sessionId,
      cause,
      state: this.state,
      mode: this.mode,
    });
    this.respond(request, Status.REJECTED, cause, true, context);
  }

  private drop(request: Request, cause: string, context: NodeContext): void {
    this.respond(request, Status.DROPPED, cause, false, context);
  }

  private respond(request: Request, status: Status, cause: string, retryable: boolean, context: NodeContext): void {
    context.send(request.router, {
      $case: 'response',
      value: {
        requestId: request.id,
        protocol: request.protocol,
        kind: request.kind,
        sessionId: request.sessionId,
        status,
        cause,
        server: context.self,
        client: request.client,
        sentAtUs: request.sentAtUs,
        attempts: request.attempts,
        redirects: request.redirects,
        workClass: request.workClass,
        retryable,
        redirectAddress: '',
      },
    });
  }

  /** Tells the subscribers this server's state and load; periodic ones re-arm the timer. */
  reportLoad(context: NodeContext, periodic: boolean): void {
    const inFlight = this.busyThreads + this.queued;
    const report = {
      server: context.self,
      atUs: context.now,
      state: this.state,
      mode: this.mode,
      inFlight,
      threads: this.config.threads,
      queued: this.queued,
      loadPercent: Math.min(100, Math.round((100 * this.busyThreads) / this.config.threads)),
      openSessions: this.sessions.size,
    };
    for (const subscriber of this.config.loadSubscribers) {
      if (!this.silent) context.send(subscriber, { $case: 'loadReport', value: report });
    }
    if (periodic) {
      context.setTimer(context.now + this.config.loadReportIntervalUs, { $case: 'timer', value: { tag: loadReportTag, ref: 0 } });
    }
  }
}
