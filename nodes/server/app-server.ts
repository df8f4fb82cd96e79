import { IntMap } from '../../sim/kernel/int-map.js';
import {
  FaultKind,
  MaintenanceMode,
  Protocol,
  RequestKind,
  ServerAction,
  ServerState,
  Status,
  responseTo,
  unexpected,
  type FaultCommand,
  type MaintenanceCommand,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
  type ServerControl,
} from '../messages.js';
import type { AppServerConfig } from './app-server-config.js';
import { affinityBreaks, maintenanceRefusal } from './maintenance-rules.js';
import { ServerThreads } from './server-threads.js';

export type { AppServerConfig } from './app-server-config.js';

const protocolCount = Protocol.JMS + 1;
const loadReportTag = 'load-report';
const serviceDoneTag = 'service-done';
const startedTag = 'started';
const quiesceExpiredTag = 'quiesce-expired';
// How long a gracefully stopped server waits for its users before it stops anyway.
const quiescePeriodUs = 600_000_000;

/**
 * An application server: a pool of threads in front of a FIFO queue, and the table of the
 * sessions it holds. It applies maintenance mode itself, so that a router with a stale view
 * cannot open a new session here: the request is refused and the router retries elsewhere.
 *
 * Its life cycle (starting, running, stopped) and its maintenance mode are separate: the mode
 * is configuration, so it survives a stop and a restart; the reported state combines the two.
 */
export class AppServer implements NodeActor {
  readonly name: string;
  /** Reported state: the life cycle, or MAINTENANCE for a running server with a maintenance mode. */
  state: ServerState;
  /** Maintenance mode; UNSPECIFIED when the server is not in maintenance. */
  mode = MaintenanceMode.UNSPECIFIED;
  private lifecycle: ServerState;
  /** Bumped on every stop, so that a start-up timer of an earlier start is ignored. */
  private generation = 0;
  private serviceFactor = 1;
  // Copied out of the configuration: one object fewer to load on every load report.
  private readonly threads: number;
  private readonly pool: ServerThreads;
  /** Sessions held here, by id, with their protocol: HTTP sessions, SIP dialogs, EJB conversations. */
  readonly sessions = new IntMap<Protocol>();
  private readonly sessionsByProtocol = new Float64Array(protocolCount);
  // Since the last periodic load report, for health policies.
  private completedInInterval = 0;
  private responseTimeSumUs = 0;
  private errorsInInterval = 0;
  /** The whole node crashed: nothing answers, not even a refusal. */
  private silent = false;
  /** Stop mode stopped this server (it was running), so leaving stop mode starts it again. */
  private stoppedByStopMode = false;

  constructor(private readonly config: AppServerConfig) {
    this.name = config.name;
    this.threads = config.threads;
    this.pool = new ServerThreads(config.threads, config.queueLimit);
    this.lifecycle = config.startsRunning === false ? ServerState.STOPPED : ServerState.RUNNING;
    this.state = this.lifecycle;
  }

  get queued(): number {
    return this.pool.queued;
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
      case 'serverControl':
        return this.control(message.value, context);
      case 'healthProbe':
        // A load balancer's health check: a running process answers; a stopped or failed one refuses the connection.
        return context.send(message.value.from, { $case: 'healthProbeAnswer', value: { server: context.self, sequence: message.value.sequence, healthy: this.lifecycle === ServerState.RUNNING } });
      case 'timer':
        if (message.value.tag === serviceDoneTag) return this.finish(message.value.ref, context);
        if (message.value.tag === loadReportTag) return this.reportLoad(context, true);
        if (message.value.tag === startedTag) return this.started(message.value.ref, context);
        if (message.value.tag === quiesceExpiredTag) return this.quiesceExpired(message.value.ref, context);
        return unexpected(this.name, message);
      default:
        return unexpected(this.name, message);
    }
  }

  private receive(request: Request, context: NodeContext): void {
    const refusal = maintenanceRefusal(this.state, this.mode, request, context.self);
    if (refusal !== undefined) return this.refuse(request, refusal, context);
    const opens = request.kind === RequestKind.OPEN;
    let failover = false;
    if (!opens && request.kind !== RequestKind.MESSAGE && !this.sessions.has(request.sessionId)) {
      const heldElsewhere = request.affinityServer !== undefined && request.affinityServer !== context.self;
      if (!heldElsewhere) return this.drop(request, 'session-lost', context);
      if (!request.replicated) return this.drop(request, 'affinity-broken', context);
      failover = true;
    }
    if (this.pool.full) {
      this.errorsInInterval++;
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
    if (failover) {
      context.record({ type: 'session-failover', protocol: request.protocol, session: request.sessionId, from: request.affinityServer ?? -1, to: context.self });
    }
    if (opens || failover) this.openSession(request.sessionId, request.protocol, context);
    this.pool.admit(request);
    if (this.pool.hasIdleThread) this.serve(request, context.now, context);
    else this.pool.enqueue(request, context.now);
  }

  private serve(request: Request, arrivedAtUs: number, context: NodeContext): void {
    context.record({ type: 'queue-wait', server: context.self, waitUs: context.now - arrivedAtUs });
    const sampled = request.serviceUs ?? this.config.service.get(request.protocol)?.sample(context.rng('service')) ?? 0;
    const serviceUs = this.serviceFactor === 1 ? sampled : Math.round(sampled * this.serviceFactor);
    const ticket = this.pool.assign(request, arrivedAtUs);
    context.setTimer(context.now + serviceUs, { $case: 'timer', value: { tag: serviceDoneTag, ref: ticket } });
  }

  private finish(ticket: number, context: NodeContext): void {
    const request = this.pool.complete(ticket);
    if (request === undefined) return; // lost when the server stopped
    this.completedInInterval++;
    this.responseTimeSumUs += context.now - this.pool.arrivedAtUs(ticket);
    if (request.last) this.closeSession(request.sessionId, context);
    this.respond(request, Status.OK, '', false, context);
    if (this.queued > 0 && this.pool.hasIdleThread) {
      const arrivedAtUs = this.pool.headArrivedAtUs;
      this.serve(this.pool.dequeue(), arrivedAtUs, context);
    }
    if (this.lifecycle === ServerState.DRAINING && this.sessions.size === 0 && this.pool.busyThreads === 0) this.stop(ServerState.STOPPED, 'server-stopped', context);
  }

  // Maintenance --------------------------------------------------------------------------

  private applyMaintenance(command: MaintenanceCommand, context: NodeContext): void {
    if (command.enter) this.enterMaintenance(command.mode, context);
    else this.exitMaintenance(context);
  }

  private enterMaintenance(mode: MaintenanceMode, context: NodeContext): void {
    this.mode = mode;
    if (mode === MaintenanceMode.STOP) {
      if (this.lifecycle !== ServerState.STOPPED && this.lifecycle !== ServerState.FAILED) {
        this.stoppedByStopMode = true;
        return this.stop(ServerState.STOPPED, 'server-stopped', context);
      }
    } else if (mode === MaintenanceMode.BREAK) {
      this.breakAffinity(context);
    }
    this.stateChanged(context);
  }

  /**
   * Leaving maintenance; a server that stop mode stopped is started again, not one that was
   * stopped already (an instance slot not in use, a server stopped by an order).
   */
  private exitMaintenance(context: NodeContext): void {
    const stoppedByMaintenance = this.stoppedByStopMode && this.mode === MaintenanceMode.STOP && this.lifecycle === ServerState.STOPPED;
    this.stoppedByStopMode = false;
    this.mode = MaintenanceMode.UNSPECIFIED;
    if (stoppedByMaintenance) return this.start(context);
    this.stateChanged(context);
  }

  /** Break mode: the HTTP sessions and SIP dialogs held here are given up (EJB affinity is never broken). */
  private breakAffinity(context: NodeContext): void {
    const broken: number[] = [];
    for (const [session, protocol] of this.sessions.entryList().sort((a, b) => a[0] - b[0])) if (affinityBreaks(protocol)) broken.push(session);
    for (const session of broken) this.closeSession(session, context);
  }

  // Life cycle ---------------------------------------------------------------------------

  private control(order: ServerControl, context: NodeContext): void {
    switch (order.action) {
      case ServerAction.START:
        return this.start(context);
      case ServerAction.STOP:
        return this.stop(ServerState.STOPPED, 'server-stopped', context);
      case ServerAction.RESTART:
        this.stop(ServerState.STOPPED, 'server-restarted', context);
        return this.start(context);
      case ServerAction.QUIESCE:
        return this.quiesce(context);
      default:
        throw new Error(`${this.name}: unknown server action ${order.action}`);
    }
  }

  /** A graceful stop: no new sessions; the server stops once its open sessions end, or when the quiesce period runs out. */
  private quiesce(context: NodeContext): void {
    if (this.lifecycle !== ServerState.RUNNING) return;
    if (this.sessions.size === 0 && this.pool.busyThreads === 0) return this.stop(ServerState.STOPPED, 'server-stopped', context);
    this.lifecycle = ServerState.DRAINING;
    this.stateChanged(context);
    context.setTimer(context.now + quiescePeriodUs, { $case: 'timer', value: { tag: quiesceExpiredTag, ref: this.generation } });
  }

  private quiesceExpired(generation: number, context: NodeContext): void {
    if (generation === this.generation && this.lifecycle === ServerState.DRAINING) this.stop(ServerState.STOPPED, 'quiesce-expired', context);
  }

  private start(context: NodeContext): void {
    if (this.lifecycle === ServerState.DRAINING) {
      // Started again while quiescing: it simply keeps running.
      this.generation++;
      this.lifecycle = ServerState.RUNNING;
      return this.stateChanged(context);
    }
    if (this.lifecycle === ServerState.RUNNING || this.lifecycle === ServerState.STARTING) return;
    this.stoppedByStopMode = false;
    // A server that stop mode stopped comes back in break mode: the mode survives the restart.
    if (this.mode === MaintenanceMode.STOP) this.mode = MaintenanceMode.BREAK;
    const startupUs = this.config.startupUs ?? 0;
    if (startupUs === 0) return this.started(this.generation, context);
    this.lifecycle = ServerState.STARTING;
    this.stateChanged(context);
    context.setTimer(context.now + startupUs, { $case: 'timer', value: { tag: startedTag, ref: this.generation } });
  }

  private started(generation: number, context: NodeContext): void {
    if (generation !== this.generation) return; // stopped again while starting
    this.lifecycle = ServerState.RUNNING;
    this.stateChanged(context);
  }

  /** Stops the server as `finalState` (stopped, or failed for a crash): work in flight and sessions are lost. */
  private stop(finalState: ServerState, cause: string, context: NodeContext): void {
    this.generation++;
    for (const request of this.pool.inFlight()) this.drop(request, cause, context);
    this.pool.clear();
    this.sessions.clear();
    for (let protocol = 0; protocol < protocolCount; protocol++) {
      const open = this.sessionsByProtocol[protocol]!;
      if (open !== 0) this.countSessions(protocol, -open, context);
    }
    this.lifecycle = finalState;
    this.stateChanged(context);
  }

  private stateChanged(context: NodeContext): void {
    const state = this.lifecycle === ServerState.RUNNING && this.mode !== MaintenanceMode.UNSPECIFIED ? ServerState.MAINTENANCE : this.lifecycle;
    this.state = state;
    context.record({ type: 'server-state', server: context.self, state, mode: this.mode });
    this.reportLoad(context, false);
  }

  // Sessions -----------------------------------------------------------------------------

  /**
   * Injected faults. A crash loses the work in flight and the sessions: after a process crash
   * the node refuses connections (the router retries elsewhere); after a node crash nothing
   * answers, and clients find out by their timeouts. The maintenance mode is configuration and
   * survives the crash, like any restart.
   */
  private applyFault(fault: FaultCommand, context: NodeContext): void {
    switch (fault.kind) {
      case FaultKind.SLOW:
        this.serviceFactor = fault.factor > 0 ? fault.factor : 1;
        return;
      case FaultKind.CRASH:
        if (this.lifecycle === ServerState.FAILED) return;
        context.record({ type: 'lost', server: context.self, requests: this.pool.busyThreads + this.queued, sessions: this.sessions.size, cause: 'crash' });
        this.silent = fault.detail === 'node';
        return this.stop(ServerState.FAILED, 'crash', context);
      case FaultKind.RESTART:
        if (this.lifecycle !== ServerState.FAILED) return;
        this.silent = false;
        this.lifecycle = ServerState.STOPPED;
        return this.start(context);
      default:
        return;
    }
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
    const open = this.sessionsByProtocol[protocol]! + change;
    this.sessionsByProtocol[protocol] = open;
    context.record({ type: 'server-sessions', server: context.self, protocol, open, total: this.sessions.size });
  }

  // Answers ------------------------------------------------------------------------------

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
    this.errorsInInterval++;
    this.respond(request, Status.DROPPED, cause, false, context);
  }

  private respond(request: Request, status: Status, cause: string, retryable: boolean, context: NodeContext): void {
    if (this.silent) return;
    // The load rides on the answer: the requests in service and queued that other routers sent.
    const others = this.pool.othersInFlight(request.router);
    context.send(request.router, { $case: 'response', value: responseTo(request, status, cause, context.self, retryable, '', others) });
  }

  /**
   * Tells the subscribers this server's state and load; periodic ones re-arm the timer and
   * close the interval of the health figures. A stopped server's node agent reports for it.
   */
  reportLoad(context: NodeContext, periodic: boolean): void {
    const inFlight = this.pool.busyThreads + this.queued;
    const report = {
      server: context.self,
      atUs: context.now,
      state: this.state,
      mode: this.mode,
      inFlight,
      threads: this.threads,
      queued: this.queued,
      loadPercent: Math.min(100, Math.round((100 * this.pool.busyThreads) / this.threads)),
      openSessions: this.sessions.size,
      completedInInterval: periodic ? this.completedInInterval : 0,
      responseTimeSumUs: periodic ? this.responseTimeSumUs : 0,
      errorsInInterval: periodic ? this.errorsInInterval : 0,
    };
    for (const subscriber of this.config.loadSubscribers) {
      if (!this.silent) context.send(subscriber, { $case: 'loadReport', value: report });
    }
    if (periodic) {
      this.completedInInterval = 0;
      this.responseTimeSumUs = 0;
      this.errorsInInterval = 0;
      context.setTimer(context.now + this.config.loadReportIntervalUs, { $case: 'timer', value: { tag: loadReportTag, ref: 0 } });
    }
  }
}
