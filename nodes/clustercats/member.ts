import type { Distribution } from '../../sim/kernel/distributions.js';
import { FailureDetector } from '../membership/failure-detector.js';
import { PeerViews, type PeerView } from './peer-views.js';
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
  type SessionReplica,
} from '../messages.js';

export interface MemberConfig {
  name: string;
  /** This member's actor index. */
  self: number;
  /** The IP address this member owns and clients reach it by. */
  address: string;
  /** Every member, this one included, in ring order: failover coordination follows it. */
  ring: readonly number[];
  /** The LAN segment that delivers packets to the holder of an address. */
  lan: number;
  threads: number;
  queueLimit: number;
  service: Distribution;
  gradualThresholdPercent: number;
  peakThresholdPercent: number;
  /** On: users who hold a session stay on this member; off: every request is balanced. */
  sessionAware: boolean;
  /** Dynamic addressing gives a taken-over address back; static makes a returning member meet a conflict. */
  dynamicAddressing: boolean;
  heartbeatIntervalUs: number;
  failureTimeoutUs: number;
  loadReportIntervalUs: number;
  /** With memory-to-memory replication: the buddy that keeps copies of this member's sessions. */
  buddy: number | undefined;
  /** Time added to a request whose session is copied to the buddy. */
  replicationCostUs: number;
  /** The run's fault schedule, only to label suspicions for the reports. */
  isDown: (member: number, atUs: number) => boolean;
}

interface Session {
  client: number;
  protocol: Request['protocol'];
}

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
  readonly held: string[] = [];
  readonly sessions = new Map<number, Session>();
  private readonly sessionsByProtocol = new Map<Request['protocol'], number>();
  /** Copies of other members' sessions (as buddy, or handed over at a failover). */
  readonly replicas = new Map<number, SessionReplica>();
  /** Copies that their owner handed over itself at the end of its drain (not kept by a buddy). */
  private readonly handedOver = new Set<number>();
  private serviceRunning = true;
  private crashed = false;
  private draining = false;
  private conflict = false;
  private probing = false;
  private incarnation = 0;
  private drainNumber = 0;
  private slowFactor = 1;
  private busyThreads = 0;
  private readonly waiting: Request[] = [];
  private waitingHead = 0;
  private readonly inService = new Map<number, Request>();
  private readonly views: PeerViews;
  private readonly peers: readonly number[];
  private readonly detector: FailureDetector;
  private heartbeatSequence = 0;

  constructor(private readonly config: MemberConfig) {
    this.name = config.name;
    this.gradualPercent = config.gradualThresholdPercent;
    this.peakPercent = config.peakThresholdPercent;
    this.peers = config.ring.filter((member) => member !== config.self);
    this.detector = new FailureDetector({ members: this.peers, timeoutUs: config.failureTimeoutUs, isDown: config.isDown });
    this.views = new PeerViews(this.peers, this.detector);
  }

  /** The first message of a member: the builder schedules it at time zero. */
  static start(): Message {
    return { $case: 'timer', value: { tag: startTag, ref: 0 } };
  }

  get queued(): number {
    return this.waiting.length - this.waitingHead;
  }

  /** Load metric in percent: work in flight (in service and queued) over the thread pool. */
  get loadPercent(): number {
    return Math.min(100, Math.round((100 * (this.busyThreads + this.queued)) / this.config.threads));
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
        return this.keepReplica(message.value);
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
        if (this.draining && ref === this.drainNumber) this.endDrain('expired', context);
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
    this.draining = false;
    this.conflict = false;
    this.probing = false;
    context.record({ type: 'threshold', server: context.self, gradualPercent: this.gradualPercent, peakPercent: this.peakPercent });
    if (reason === 'start') this.acquire(this.config.address, 'start', context);
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
    const lostRequests = this.busyThreads + this.queued;
    const lostSessions = this.config.buddy === undefined ? this.sessions.size : 0;
    context.record({ type: 'lost', server: context.self, requests: lostRequests, sessions: lostSessions, cause: 'crash' });
    this.crashed = true;
    this.draining = false;
    this.inService.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.busyThreads = 0;
    this.replicas.clear();
    this.setSessionsEmpty(context);
    while (this.held.length > 0) this.release(this.held[0]!, 'crash', context);
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
      if (this.draining) this.cancelDrain(context);
      this.serviceRunning = true;
      this.conflict = false; // a new start retries an address that was in conflict
      this.probing = false;
    }
    this.updateState(context);
  }

  private stopService(drainDownPeriodUs: number, context: NodeContext): void {
    if (!this.serviceRunning || this.draining) return;
    this.serviceRunning = false;
    this.draining = true;
    this.drainNumber++;
    const deadlineUs = context.now + drainDownPeriodUs;
    context.record({ type: 'drain-started', server: context.self, deadlineUs });
    this.updateState(context);
    if (!this.endDrainIfIdle(context)) {
      context.setTimer(deadlineUs, { $case: 'timer', value: { tag: drainDeadlineTag, ref: this.drainNumber } });
    }
  }

  /** Running again before the drain-down period is over: the member keeps its users and serves again. */
  private cancelDrain(context: NodeContext): void {
    context.record({ type: 'drain-ended', server: context.self, reason: 'cancelled', openSessions: this.sessions.size });
    this.draining = false;
    this.drainNumber++; // the pending deadline is now stale
  }

  private endDrainIfIdle(context: NodeContext): boolean {
    if (!this.draining || this.sessions.size > 0 || this.busyThreads + this.queued > 0) return false;
    this.endDrain('drained', context);
    return true;
  }

  /**
   * The drain-down period is over (or every user has finished): sessions still open are cut
   * (or, with replication, handed over) and the member fails over to the most available peer.
   */
  private endDrain(reason: 'drained' | 'expired', context: NodeContext): void {
    context.record({ type: 'drain-ended', server: context.self, reason, openSessions: this.sessions.size });
    this.draining = false;
    const replicated = this.config.buddy !== undefined;
    const handed: SessionReplica[] = [];
    for (const request of this.inService.values()) this.answer(request, Status.DROPPED, 'drain-expired', context);
    for (let index = this.waitingHead; index < this.waiting.length; index++) this.answer(this.waiting[index]!, Status.DROPPED, 'drain-expired', context);
    const answered = new Set<number>();
    for (const request of this.inService.values()) answered.add(request.sessionId);
    for (let index = this.waitingHead; index < this.waiting.length; index++) answered.add(this.waiting[index]!.sessionId);
    this.inService.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.busyThreads = 0;
    for (const [sessionId, session] of this.sessions) {
      if (answered.has(sessionId)) continue;
      if (replicated) handed.push({ sessionId, client: session.client, protocol: session.protocol, owner: context.self, closed: false });
      else this.noticeSessionEnd(sessionId, session, 'drain-expired', context);
    }
    this.setSessionsEmpty(context);
    this.updateState(context);
    this.failOver(handed, context);
  }

  /** Hands every address held to the most available peer, with the sessions that travel along. */
  private failOver(sessions: SessionReplica[], context: NodeContext): void {
    const taker = this.views.mostAvailable(-1);
    for (let index = 0; this.held.length > 0; index++) {
      const address = this.held[0]!;
      this.release(address, taker === undefined ? 'no-member-available' : 'failover', context);
      if (taker === undefined) {
        context.send(this.config.lan, { $case: 'address', value: { address, action: AddressAction.RELEASE, member: context.self, reason: 'failover', sessions: [] } });
        continue;
      }
      context.send(taker.actor, {
        $case: 'address',
        value: { address, action: AddressAction.HANDOVER, member: context.self, reason: 'failover', sessions: index === 0 ? sessions : [] },
      });
    }
  }

  // State and reports ---------------------------------------------------------------------

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
    this.claimOwnAddressIfDue(context);
  }

  /**
   * A member back in service asks the LAN whether its own address is free. Under dynamic
   * addressing it waits, as well, until its threshold is restored; under static addressing
   * the probe at service start is what finds the conflict.
   */
  private claimOwnAddressIfDue(context: NodeContext): void {
    if (this.probing || !this.serviceRunning || this.crashed || this.conflict || this.held.includes(this.config.address)) return;
    if (this.config.dynamicAddressing && this.peakPercent === 0) return;
    this.probing = true;
    context.send(this.config.lan, { $case: 'address', value: { address: this.config.address, action: AddressAction.PROBE, member: context.self, reason: 'return', sessions: [] } });
  }

  private reportLoad(context: NodeContext, periodic: boolean): void {
    const report: MemberReport = {
      load: {
        server: context.self,
        atUs: context.now,
        state: this.state,
        mode: this.mode,
        inFlight: this.busyThreads + this.queued,
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
    this.giveBackIfDue(this.views.update(report), context);
  }

  /**
   * The address of a member taken over goes back when the member is in service again with its
   * threshold restored (dynamic addressing); under static addressing only when the member met
   * the conflict, so that its next start finds the address free.
   */
  private giveBackIfDue(view: PeerView, context: NodeContext): void {
    if (!this.held.includes(view.address) || this.detector.isSuspected(view.actor)) return;
    if (this.config.dynamicAddressing) {
      if (view.state !== ServerState.RUNNING) return;
      this.release(view.address, 'give-back', context);
      context.send(view.actor, { $case: 'address', value: { address: view.address, action: AddressAction.HANDOVER, member: context.self, reason: 'give-back', sessions: [] } });
    } else if (view.conflict) {
      this.release(view.address, 'conflict', context);
      context.send(this.config.lan, { $case: 'address', value: { address: view.address, action: AddressAction.RELEASE, member: context.self, reason: 'conflict', sessions: [] } });
    }
  }

  // Failure detection and IP takeover -----------------------------------------------------

  /**
   * A peer is declared failed. Every survivor computes the same coordinator without a vote:
   * the first member after the failed one in ring order that it does not suspect and that is
   * in service. The coordinator hands the failed member's addresses, with the session copies
   * it holds of it, to the most available member (itself included).
   */
  private onSuspect(member: number, context: NodeContext): void {
    const view = this.views.get(member);
    if (view === undefined || view.addresses.length === 0) return;
    if (this.coordinatorFor(member) !== context.self) return;
    const taker = this.mostAvailableMember(context);
    const sessions: SessionReplica[] = [];
    if (taker !== context.self) {
      for (const [sessionId, replica] of this.replicas) {
        if (replica.owner !== member) continue;
        sessions.push(replica);
        this.replicas.delete(sessionId);
      }
    }
    view.addresses.forEach((address, index) => {
      if (taker === context.self) this.acquire(address, 'failover', context);
      else context.send(taker, { $case: 'address', value: { address, action: AddressAction.HANDOVER, member: context.self, reason: 'failover', sessions: index === 0 ? sessions : [] } });
    });
    view.addresses = [];
  }

  private coordinatorFor(failed: number): number | undefined {
    const ring = this.config.ring;
    const start = ring.indexOf(failed);
    for (let offset = 1; offset < ring.length; offset++) {
      const member = ring[(start + offset) % ring.length]!;
      if (this.views.get(member) === undefined && member !== this.config.self) continue;
      if (member === this.config.self) {
        if (this.serviceRunning && !this.conflict) return member;
        continue;
      }
      if (this.detector.isSuspected(member)) continue;
      const state = this.views.get(member)!.state;
      if (state === ServerState.RUNNING || state === ServerState.MAINTENANCE) return member;
    }
    return undefined;
  }

  /** The most available member for a takeover: peers by their reports, this one by its own load. */
  private mostAvailableMember(context: NodeContext): number {
    const peer = this.views.mostAvailable(-1);
    const selfAvailable = this.serviceRunning && this.peakPercent > 0;
    if (peer === undefined) return context.self;
    return selfAvailable && this.loadPercent <= peer.loadPercent ? context.self : peer.actor;
  }

  private onAddress(message: AddressMessage, context: NodeContext): void {
    switch (message.action) {
      case AddressAction.HANDOVER:
        this.acquire(message.address, message.reason, context);
        for (const replica of message.sessions) {
          this.replicas.set(replica.sessionId, replica);
          if (replica.owner === message.member) this.handedOver.add(replica.sessionId);
        }
        return;
      case AddressAction.FREE:
        this.probing = false;
        if (this.serviceRunning && !this.conflict) this.acquire(message.address, 'return', context);
        return;
      case AddressAction.HELD:
        this.probing = false;
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

  private acquire(address: string, reason: string, context: NodeContext): void {
    if (!this.held.includes(address)) {
      this.held.push(address);
      context.record({ type: 'address-owner', address, owner: context.self, change: 'acquire', reason });
    }
    context.send(this.config.lan, { $case: 'address', value: { address, action: AddressAction.CLAIM, member: context.self, reason, sessions: [] } });
  }

  private release(address: string, reason: string, context: NodeContext): void {
    const index = this.held.indexOf(address);
    if (index < 0) return;
    this.held.splice(index, 1);
    context.record({ type: 'address-owner', address, owner: context.self, change: 'release', reason });
  }

  // Requests ------------------------------------------------------------------------------

  private receive(request: Request, context: NodeContext): void {
    if (!this.takesRequests) return this.answer(request, Status.REJECTED, 'service-stopped', context);
    const opens = request.kind === RequestKind.OPEN;
    if (!opens && !this.sessions.has(request.sessionId) && !this.adoptCopy(request.sessionId, context)) {
      return this.answer(request, Status.DROPPED, 'session-lost', context);
    }
    if (opens || !this.config.sessionAware) {
      const reason = this.redirectReason(opens, context);
      if (reason !== undefined) {
        const target = request.redirects < maxRedirectsBeforeServing ? this.redirectTarget(reason) : undefined;
        if (target !== undefined) return this.redirect(request, target, reason, context);
        if (reason === 'service-stopped') return this.answer(request, Status.REJECTED, 'no-member-available', context);
      }
    }
    if (this.busyThreads >= this.config.threads && this.queued >= this.config.queueLimit) {
      return this.answer(request, Status.REJECTED, 'queue-full', context);
    }
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
    if (opens) this.openSession(request, context);
    if (this.busyThreads < this.config.threads) this.serve(request, context);
    else this.waiting.push(request);
  }

  /**
   * Where a request redirected for `reason` goes. A member in maintenance (peak 0%) sends it to
   * the most available running member even if that one is past its own peak: it is available,
   * this one is not. With no running member to send it to (every member in maintenance) the
   * member serves it itself: there is nowhere else, and a user is never turned away for load.
   */
  private redirectTarget(reason: string): PeerView | undefined {
    if (reason === 'gradual') return this.views.mostAvailable(this.loadPercent);
    return this.views.mostAvailable(-1, this.peakPercent === 0);
  }

  /** Why a new request should go elsewhere, or undefined to serve it here. */
  private redirectReason(opens: boolean, context: NodeContext): string | undefined {
    if (this.draining) return opens ? 'service-stopped' : undefined;
    const load = this.loadPercent;
    if (this.peakPercent === 0 || load >= this.peakPercent) return 'peak';
    if (load <= this.gradualPercent) return undefined;
    // Between the thresholds the share redirected grows linearly from 0 to 1.
    const share = (load - this.gradualPercent) / (this.peakPercent - this.gradualPercent);
    return context.rng('redirect')() < share ? 'gradual' : undefined;
  }

  private redirect(request: Request, target: PeerView, reason: string, context: NodeContext): void {
    context.record({ type: 'redirect', server: context.self, toServer: target.actor, address: target.address, reason });
    this.answer(request, Status.REDIRECT, reason, context, target.address);
  }

  /** Takes up a session copy (from the buddy role or a handover) for a request that needs it. */
  private adoptCopy(sessionId: number, context: NodeContext): boolean {
    const replica = this.replicas.get(sessionId);
    if (replica === undefined) return false;
    this.replicas.delete(sessionId);
    this.sessions.set(sessionId, { client: replica.client, protocol: replica.protocol });
    context.record({ type: 'session-recovered', server: context.self, session: sessionId, from: replica.owner, reason: this.handedOver.delete(sessionId) ? 'handover' : 'replica' });
    this.countSessions(replica.protocol, 1, context);
    return true;
  }

  private openSession(request: Request, context: NodeContext): void {
    this.sessions.set(request.sessionId, { client: request.client, protocol: request.protocol });
    this.countSessions(request.protocol, 1, context);
  }

  private serve(request: Request, context: NodeContext): void {
    this.busyThreads++;
    const serviceUs = Math.round((request.serviceUs ?? this.config.service.sample(context.rng('service'))) * this.slowFactor);
    const replicationUs = this.config.buddy === undefined ? 0 : this.config.replicationCostUs;
    this.inService.set(request.id, request);
    context.setTimer(context.now + serviceUs + replicationUs, { $case: 'timer', value: { tag: serviceDoneTag, ref: request.id } });
  }

  private finish(requestId: number, context: NodeContext): void {
    const request = this.inService.get(requestId);
    if (request === undefined) return; // lost in a crash or cut at a drain's end
    this.inService.delete(requestId);
    this.busyThreads--;
    const session = this.sessions.get(request.sessionId);
    if (this.config.buddy !== undefined && session !== undefined) {
      context.send(this.config.buddy, {
        $case: 'replica',
        value: { sessionId: request.sessionId, client: session.client, protocol: session.protocol, owner: context.self, closed: request.last },
      });
    }
    if (request.last && session !== undefined) {
      this.sessions.delete(request.sessionId);
      this.countSessions(session.protocol, -1, context);
    }
    this.answer(request, Status.OK, '', context);
    if (this.queued > 0 && this.busyThreads < this.config.threads) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      this.serve(next, context);
    }
    this.endDrainIfIdle(context);
  }

  private keepReplica(replica: SessionReplica): void {
    if (replica.closed) this.replicas.delete(replica.sessionId);
    else this.replicas.set(replica.sessionId, replica);
  }

  private countSessions(protocol: Request['protocol'], change: number, context: NodeContext): void {
    const open = (this.sessionsByProtocol.get(protocol) ?? 0) + change;
    this.sessionsByProtocol.set(protocol, open);
    context.record({ type: 'server-sessions', server: context.self, protocol, open, total: this.sessions.size });
  }

  private setSessionsEmpty(context: NodeContext): void {
    if (this.sessions.size === 0) return;
    this.sessions.clear();
    for (const protocol of [...this.sessionsByProtocol.keys()].sort()) this.countSessions(protocol, -this.sessionsByProtocol.get(protocol)!, context);
  }

  /** Tells a user between requests that the session is gone (the next click would find it so). */
  private noticeSessionEnd(sessionId: number, session: Session, cause: string, context: NodeContext): void {
    context.send(session.client, {
      $case: 'response',
      value: {
        requestId: 0,
        protocol: session.protocol,
        kind: RequestKind.IN_SESSION,
        sessionId,
        status: Status.DROPPED,
        cause,
        server: context.self,
        client: session.client,
        sentAtUs: context.now,
        attempts: 0,
        redirects: 0,
        workClass: '',
        retryable: false,
        redirectAddress: '',
        othersInFlight: 0,
      },
    });
  }

  private answer(request: Request, status: Status, cause: string, context: NodeContext, redirectAddress = ''): void {
    const stays = status === Status.OK && this.config.sessionAware && request.kind !== RequestKind.CLOSE;
    context.send(request.client, { $case: 'response', value: responseTo(request, status, cause, context.self, false, stays ? this.addressForSessions(request) : redirectAddress) });
  }

  /** Where this member's users reach it: its own address when it holds it. */
  private addressForSessions(request: Request): string {
    return this.held.includes(this.config.address) ? this.config.address : request.address;
  }
}
