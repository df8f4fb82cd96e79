import { FailureDetector } from '../membership/failure-detector.js';
import { AddressOwnership } from './address-ownership.js';
import { DrainDown } from './drain-down.js';
import type { MemberConfig } from './member-config.js';
import { PeerViews, type PeerView } from './peer-views.js';
import { redirectReason, redirectTarget } from './redirect-policy.js';
import { SessionBook } from './session-book.js';
import { ThreadPool } from './thread-pool.js';
import { IpTakeover } from './takeover.js';
import {
  AddressAction,
  ClusterCatsService,
  FaultKind,
  MaintenanceMode,
  RequestKind,
  ServerState,
  Status,
  responseTo,
  unexpected,
  type AddressMessage,
  type ClusterCatsCommand,
  type FaultCommand,
  type MemberReport,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
} from '../messages.js';

export type { MemberConfig } from './member-config.js';

const startTag = 'start';
const heartbeatTag = 'heartbeat';
const reportTag = 'report';
const serviceDoneTag = 'service-done';
const drainDeadlineTag = 'drain-deadline';
/** A request already redirected this often is served where it lands, so redirects cannot loop. */
const maxRedirectsBeforeServing = 2;

/**
 * A ClusterCATS cluster member: a web server with a thread pool that measures its load, tells
 * its peers, and balances by HTTP redirect to the most available member. It applies the
 * maintenance procedure (peak threshold 0%, service stopped with a drain-down period, failover,
 * then back), dynamic IP addressing, failure detection by heartbeats, and optional
 * memory-to-memory session replication to a buddy.
 */
export class ClusterCatsMember implements NodeActor {
  readonly name: string;
  state = ServerState.STARTING;
  mode = MaintenanceMode.UNSPECIFIED;
  gradualPercent: number;
  peakPercent: number;
  /** Addresses this member answers for now: its own, and any it took over. */
  readonly held: string[];
  readonly sessions: SessionBook['sessions'];
  /** Copies of other members' sessions (as buddy, or handed over at a failover). */
  readonly replicas: SessionBook['replicas'];
  private readonly addresses: AddressOwnership;
  private readonly book = new SessionBook();
  private readonly pool: ThreadPool;
  private serviceRunning = true;
  private crashed = false;
  private readonly drain = new DrainDown();
  private conflict = false;
  private incarnation = 0;
  private slowFactor = 1;
  private readonly views: PeerViews;
  private readonly peers: readonly number[];
  private readonly detector: FailureDetector;
  private readonly takeover: IpTakeover;
  private heartbeatSequence = 0;

  constructor(private readonly config: MemberConfig) {
    this.name = config.name;
    this.gradualPercent = config.gradualThresholdPercent;
    this.peakPercent = config.peakThresholdPercent;
    this.addresses = new AddressOwnership(config.address, config.lan, config.dynamicAddressing);
    this.held = this.addresses.held;
    this.sessions = this.book.sessions;
    this.replicas = this.book.replicas;
    this.pool = new ThreadPool(config.threads, config.queueLimit);
    this.peers = config.ring.filter((member) => member !== config.self);
    this.detector = new FailureDetector({ members: this.peers, timeoutUs: config.failureTimeoutUs, isDown: config.isDown });
    this.views = new PeerViews(this.peers, this.detector);
    this.takeover = new IpTakeover(config.ring, config.self, this.views, this.detector, this.addresses, this.book);
  }

  /** The first message of a member: the builder schedules it at time zero. */
  static start(): Message {
    return { $case: 'timer', value: { tag: startTag, ref: 0 } };
  }

  get queued(): number {
    return this.pool.queued;
  }

  /** Load metric in percent: work in flight (in service and queued) over the thread pool. */
  get loadPercent(): number {
    return Math.min(100, Math.round((100 * (this.pool.busyThreads + this.queued)) / this.config.threads));
  }

  onMessage(message: Message, context: NodeContext): void {
    if (message.$case === 'fault') return this.applyFault(message.value, context);
    if (this.crashed) return; // a crashed machine hears nothing
    switch (message.$case) {
      case 'request':
        return this.receive(message.value, context);
      case 'heartbeat':
        this.detector.heard(message.value.from, context);
        return;
      case 'memberReport':
        return this.updateView(message.value, context);
      case 'clustercats':
        return this.administer(message.value, context);
      case 'address':
        return this.onAddress(message.value, context);
      case 'replica':
        return this.book.keepReplica(message.value);
      case 'timer':
        return this.onTimer(message.value.tag, message.value.ref, context);
      default:
        return unexpected(this.name, message);
    }
  }

  private onTimer(tag: string, ref: number, context: NodeContext): void {
    switch (tag) {
      case serviceDoneTag:
        return this.finish(ref, context);
      case heartbeatTag:
        if (ref === this.incarnation) this.heartbeat(context);
        return;
      case reportTag:
        if (ref === this.incarnation) this.reportLoad(context, true);
        return;
      case drainDeadlineTag:
        if (this.drain.isDeadlineOf(ref)) this.endDrain('expired', context);
        return;
      case startTag:
        return this.boot(context, 'start');
      default:
        throw new Error(`${this.name} has no timer "${tag}"`);
    }
  }

  // Start, crash, restart -----------------------------------------------------------------

  private boot(context: NodeContext, reason: 'start' | 'restart'): void {
    this.detector.reset(context.now);
    this.serviceRunning = true;
    this.drain.active = false;
    this.conflict = false;
    this.addresses.probing = false;
    context.record({ type: 'threshold', server: context.self, gradualPercent: this.gradualPercent, peakPercent: this.peakPercent });
    if (reason === 'start') this.addresses.acquire(this.config.address, 'start', context);
    else this.addresses.forgetOthersAfterCrash(context);
    this.updateState(context);
    context.setTimer(context.now + this.config.heartbeatIntervalUs, { $case: 'timer', value: { tag: heartbeatTag, ref: this.incarnation } });
    context.setTimer(context.now, { $case: 'timer', value: { tag: reportTag, ref: this.incarnation } });
  }

  private applyFault(fault: FaultCommand, context: NodeContext): void {
    switch (fault.kind) {
      case FaultKind.CRASH:
        if (!this.crashed) this.crash(context);
        return;
      case FaultKind.RESTART:
        if (!this.crashed) return;
        this.crashed = false;
        this.incarnation++;
        return this.boot(context, 'restart');
      case FaultKind.SLOW:
        this.slowFactor = fault.factor;
        return;
      default:
        throw new Error(`${this.name} cannot take a fault of kind ${fault.kind}`);
    }
  }

  /** The machine stops: work in flight is lost, and the sessions that no buddy holds a copy of. */
  private crash(context: NodeContext): void {
    const lostRequests = this.pool.busyThreads + this.queued;
    const lostSessions = this.config.buddy === undefined ? this.sessions.size : 0;
    context.record({ type: 'lost', server: context.self, requests: lostRequests, sessions: lostSessions, cause: 'crash' });
    this.crashed = true;
    this.drain.active = false;
    this.pool.clear();
    this.replicas.clear();
    this.book.clear(context);
    this.addresses.dropAllAtCrash(context);
    this.views.forgetAll(); // else, back, it would take over a peer's address by what it knew before
    this.updateState(context);
  }

  // Administration: ClusterCATS Explorer and the Server Administrator ---------------------

  private administer(command: ClusterCatsCommand, context: NodeContext): void {
    if (command.peakThresholdPercent !== undefined || command.gradualThresholdPercent !== undefined) {
      this.peakPercent = command.peakThresholdPercent ?? this.peakPercent;
      this.gradualPercent = command.gradualThresholdPercent ?? this.gradualPercent;
      context.record({ type: 'threshold', server: context.self, gradualPercent: this.gradualPercent, peakPercent: this.peakPercent });
    }
    if (command.service === ClusterCatsService.STOPPED) this.stopService(command.drainDownPeriodUs, context);
    else if (command.service === ClusterCatsService.RUNNING) {
      if (this.draining) this.drain.cancel(this.sessions.size, context);
      this.serviceRunning = true;
      this.conflict = false; // a new start retries an address that was in conflict
      this.addresses.probing = false;
    }
    this.updateState(context);
  }

  private stopService(drainDownPeriodUs: number, context: NodeContext): void {
    if (!this.serviceRunning || this.draining) return;
    this.serviceRunning = false;
    const { deadlineUs, number } = this.drain.begin(drainDownPeriodUs, context);
    this.updateState(context);
    if (!this.endDrainIfIdle(context)) {
      context.setTimer(deadlineUs, { $case: 'timer', value: { tag: drainDeadlineTag, ref: number } });
    }
  }

  private endDrainIfIdle(context: NodeContext): boolean {
    if (!this.draining || this.sessions.size > 0 || this.pool.busyThreads + this.queued > 0) return false;
    this.endDrain('drained', context);
    return true;
  }

  /**
   * The drain-down period is over (or every user has finished): sessions still open are cut
   * (or, with replication, handed over) and the member fails over to the most available peer.
   */
  private endDrain(reason: 'drained' | 'expired', context: NodeContext): void {
    this.drain.end(reason, this.sessions.size, context);
    const cut = this.pool.takeAll();
    for (const request of cut) this.answer(request, Status.DROPPED, 'drain-expired', context);
    const answered = new Set(cut.map((request) => request.sessionId));
    const handed = this.book.endAll(answered, this.config.buddy !== undefined, context);
    const peersSuspected = this.peers.some((peer) => this.detector.isSuspected(peer));
    this.addresses.failOver(this.views.mostAvailable(-1), handed, context, peersSuspected);
    // Reported after the failover: a report still listing the addresses would have a peer take them over again at a crash.
    this.updateState(context);
  }

  // State and reports ---------------------------------------------------------------------

  private get draining(): boolean {
    return this.drain.active;
  }

  private get takesRequests(): boolean {
    return !this.crashed && !this.conflict && (this.serviceRunning || this.draining);
  }

  private updateState(context: NodeContext): void {
    let state: ServerState;
    let mode = MaintenanceMode.UNSPECIFIED;
    if (this.crashed) state = ServerState.FAILED;
    else if (this.draining) [state, mode] = [ServerState.DRAINING, MaintenanceMode.STOP];
    else if (!this.serviceRunning || this.conflict) [state, mode] = [ServerState.STOPPED, MaintenanceMode.STOP];
    else if (this.peakPercent === 0) [state, mode] = [ServerState.MAINTENANCE, MaintenanceMode.AFFINITY];
    else state = ServerState.RUNNING;
    if (state !== this.state || mode !== this.mode) {
      this.state = state;
      this.mode = mode;
      context.record({ type: 'server-state', server: context.self, state, mode });
      if (!this.crashed) this.reportLoad(context, false);
    }
    const mayClaim = this.serviceRunning && !this.crashed && !this.conflict && !(this.config.dynamicAddressing && this.peakPercent === 0);
    this.addresses.claimOwnIfDue(mayClaim, context);
  }

  private reportLoad(context: NodeContext, periodic: boolean): void {
    const report: MemberReport = {
      load: {
        server: context.self,
        atUs: context.now,
        state: this.state,
        mode: this.mode,
        inFlight: this.pool.busyThreads + this.queued,
        threads: this.config.threads,
        queued: this.queued,
        loadPercent: this.loadPercent,
        openSessions: this.sessions.size,
        completedInInterval: 0,
        responseTimeSumUs: 0,
        errorsInInterval: 0,
      },
      address: this.config.address,
      peakThresholdPercent: this.peakPercent,
      addresses: this.held.slice(),
      addressConflict: this.conflict,
    };
    const message: Message = { $case: 'memberReport', value: report };
    for (const peer of this.peers) context.send(peer, message);
    if (periodic) context.setTimer(context.now + this.config.loadReportIntervalUs, { $case: 'timer', value: { tag: reportTag, ref: this.incarnation } });
  }

  private heartbeat(context: NodeContext): void {
    const message: Message = { $case: 'heartbeat', value: { from: context.self, sequence: this.heartbeatSequence++, sentAtUs: context.now } };
    for (const peer of this.peers) context.send(peer, message);
    this.detector.check(context, (member) => this.onSuspect(member, context));
    context.setTimer(context.now + this.config.heartbeatIntervalUs, { $case: 'timer', value: { tag: heartbeatTag, ref: this.incarnation } });
  }

  private updateView(report: MemberReport, context: NodeContext): void {
    this.detector.heard(report.load!.server, context);
    const view = this.views.update(report);
    this.addresses.giveBackIfDue(view, this.detector.isSuspected(view.actor), context);
    this.takeover.resolveDuplicates(view, context);
    if (this.addresses.awaitsTaker && !this.serviceRunning && !this.draining) this.addresses.handOwnToLateTaker(this.views.mostAvailable(-1), context);
  }

  // Failure detection and IP takeover -----------------------------------------------------

  /** A peer is declared failed: its addresses are taken over if this member coordinates. */
  private onSuspect(member: number, context: NodeContext): void {
    const candidate = { inService: this.serviceRunning && !this.conflict, available: this.serviceRunning && this.peakPercent > 0, loadPercent: this.loadPercent };
    this.takeover.onSuspect(member, candidate, context);
  }

  private onAddress(message: AddressMessage, context: NodeContext): void {
    switch (message.action) {
      case AddressAction.HANDOVER:
        this.addresses.acquire(message.address, message.reason, context);
        // From a coordinator rather than the owner itself, or from another taker: the owner was suspected.
        const fromOwner = this.views.get(message.member)?.address === message.address;
        if ((message.reason === 'failover' && !fromOwner) || message.reason === 'duplicate') this.addresses.markTakenOnSuspicion(message.address);
        this.book.receiveHandover(message.sessions, message.member);
        return;
      case AddressAction.FREE:
        this.addresses.probing = false;
        if (this.serviceRunning && !this.conflict) this.addresses.acquire(message.address, 'return', context);
        return;
      case AddressAction.HELD:
        this.addresses.probing = false;
        if (this.config.dynamicAddressing) return; // the holder gives it back once it sees this member running
        this.conflict = true;
        context.record({ type: 'address-conflict', server: context.self, address: message.address, holder: message.member });
        this.updateState(context);
        this.reportLoad(context, false);
        return;
      default:
        throw new Error(`${this.name} cannot handle address action ${message.action}`);
    }
  }

  // Requests ------------------------------------------------------------------------------

  private receive(request: Request, context: NodeContext): void {
    if (!this.takesRequests) return this.answer(request, Status.REJECTED, 'service-stopped', context);
    const opens = request.kind === RequestKind.OPEN;
    if (!opens && !this.sessions.has(request.sessionId) && !this.book.adoptCopy(request.sessionId, context)) {
      return this.answer(request, Status.DROPPED, 'session-lost', context);
    }
    if (opens || !this.config.sessionAware) {
      const member = { draining: this.draining, loadPercent: this.loadPercent, gradualPercent: this.gradualPercent, peakPercent: this.peakPercent };
      const reason = redirectReason(member, opens, context);
      if (reason !== undefined) {
        const target = request.redirects < maxRedirectsBeforeServing ? redirectTarget(this.views, reason, this.loadPercent, this.peakPercent) : undefined;
        if (target !== undefined) return this.redirect(request, target, reason, context);
        if (reason === 'service-stopped') return this.answer(request, Status.REJECTED, 'no-member-available', context);
      }
    }
    if (this.pool.full) return this.answer(request, Status.REJECTED, 'queue-full', context);
    context.record({
      type: 'accepted',
      server: context.self,
      protocol: request.protocol,
      kind: request.kind,
      request: request.id,
      session: request.sessionId,
      affinityServer: -1,
      state: this.state,
      mode: this.mode,
      workClass: '',
      maintenanceOnly: false,
    });
    if (opens) this.book.open(request, context);
    if (this.pool.hasIdleThread) this.serve(request, context);
    else this.pool.enqueue(request);
  }

  private redirect(request: Request, target: PeerView, reason: string, context: NodeContext): void {
    context.record({ type: 'redirect', server: context.self, toServer: target.actor, address: target.address, reason });
    this.answer(request, Status.REDIRECT, reason, context, target.address);
  }

  private serve(request: Request, context: NodeContext): void {
    this.pool.startService(request);
    const serviceUs = Math.round((request.serviceUs ?? this.config.service.sample(context.rng('service'))) * this.slowFactor);
    const replicationUs = this.config.buddy === undefined ? 0 : this.config.replicationCostUs;
    context.setTimer(context.now + serviceUs + replicationUs, { $case: 'timer', value: { tag: serviceDoneTag, ref: request.id } });
  }

  private finish(requestId: number, context: NodeContext): void {
    const request = this.pool.finishService(requestId);
    if (request === undefined) return; // lost in a crash or cut at a drain's end
    this.book.served(request, this.config.buddy, context);
    this.answer(request, Status.OK, '', context);
    const next = this.pool.nextWaiting();
    if (next !== undefined) this.serve(next, context);
    this.endDrainIfIdle(context);
  }

  private answer(request: Request, status: Status, cause: string, context: NodeContext, redirectAddress = ''): void {
    const stays = status === Status.OK && this.config.sessionAware && request.kind !== RequestKind.CLOSE;
    context.send(request.client, { $case: 'response', value: responseTo(request, status, cause, context.self, false, stays ? this.addresses.forSessions(request.address) : redirectAddress) });
  }
}
