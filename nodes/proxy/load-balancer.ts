import { IntMap } from '../../sim/kernel/int-map.js';
import {
  BackendAdminAction,
  RequestKind,
  Status,
  responseTo,
  unexpected,
  type HealthProbeAnswer,
  type LoadBalancerCommand,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
  type Response,
} from '../messages.js';
import { newBackend, pickWeighted, type AdminState, type Backend } from './backend.js';
import { failureOf } from './answers.js';
import { HealthCount, type HealthChange } from './health-checks.js';
import { adminActions, agentReports, type AgentAnswer } from './admin-actions.js';
import { Listeners, type ListenerState } from './listeners.js';
import { ServerQueues } from './queues.js';
import { SessionBindings } from './session-bindings.js';
import type { LoadBalancerConfig } from './load-balancer-config.js';
import { inRotation, type BackendAction, type BalancerProfile, type Spread } from './profile.js';

export type { LoadBalancerConfig } from './load-balancer-config.js';

const startTag = 'lb-start';
const healthRoundTag = 'lb-health-round';
const healthTimeoutTag = 'lb-health-timeout';
const drainDeadlineTag = 'lb-drain-deadline';
const passiveReturnTag = 'lb-passive-return';
const listenersClosedTag = 'lb-listeners-closed';
const agentPollTag = 'lb-agent-poll';

/**
 * A load balancer of one product in front of application servers. It balances new requests over
 * the backends its profile allows by smooth weighted round robin (weights ramped by slow start),
 * keeps a session's requests on its backend while the profile honours persistence, health-checks
 * the backends, applies admin actions (drain, maint, EDS removal, deregistration) and retries
 * requests whose connection a backend refused (an error status goes back to the client). What each product does differently lives in its profile (nodes/proxy/*.ts).
 */
export class LoadBalancer implements NodeActor {
  readonly name: string;
  readonly backends: Backend[];
  private readonly byActor = new Map<number, Backend>();
  private readonly health = new Map<number, HealthCount>();
  private readonly profile: BalancerProfile;
  /** Requests forwarded and not yet answered, by id; the last of `triedServers` is the backend. */
  private readonly pending = new IntMap<Request>();
  /** The backend each session is bound to (cookie, stick table, connection). */
  private readonly sessions: SessionBindings;
  /** The current round of health checks, and the backends not yet answered in it. */
  private round = 0;
  private readonly awaiting = new Set<number>();
  /** Drains that end by themselves (AWS): start and deadline by backend. */
  private readonly drains = new Map<number, { startedUs: number; deadlineUs: number }>();
  private readonly listeners: Listeners;
  /** What each server's agent answers now and the balancer has not polled yet, by backend. */
  private readonly unpolledAgentAnswers = new Map<number, AgentAnswer>();
  private readonly queues: ServerQueues | undefined;

  constructor(private readonly config: LoadBalancerConfig) {
    this.name = config.name;
    this.profile = config.profile;
    this.backends = config.backends.map((backend) => newBackend(backend.actor, backend.name));
    this.sessions = new SessionBindings(this.byActor);
    this.queues = (this.profile.maxconn ?? 0) > 0 ? new ServerQueues() : undefined;
    const drainTimeUs = this.profile.listenerDrainTimeUs;
    this.listeners = new Listeners(drainTimeUs === undefined ? undefined : { timeUs: drainTimeUs, strategy: this.profile.listenerDrainStrategy ?? 'gradual' });
    for (const backend of this.backends) {
      this.byActor.set(backend.actor, backend);
      if (this.profile.healthChecks !== undefined) this.health.set(backend.actor, new HealthCount(this.profile.healthChecks));
    }
  }

  static start(): Message {
    return { $case: 'timer', value: { tag: startTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.accept(message.value, context);
      case 'response':
        return this.answer(message.value, context);
      case 'healthProbeAnswer':
        return this.probeAnswered(message.value, context);
      case 'loadBalancer':
        return this.applyAdmin(message.value, context);
      case 'timer':
        return this.onTimer(message.value.tag, message.value.ref, context);
      default:
        return unexpected(this.name, message);
    }
  }

  private onTimer(tag: string, ref: number, context: NodeContext): void {
    switch (tag) {
      case startTag:
      case healthRoundTag:
        return this.checkRound(context);
      case healthTimeoutTag:
        return this.checksTimedOut(ref, context);
      case drainDeadlineTag:
        return this.drainDeadline(ref, context);
      case passiveReturnTag:
        return this.passiveReturn(ref, context);
      case listenersClosedTag:
        return this.closeListeners(context);
      case agentPollTag:
        return this.agentPolled(ref, context);
      default:
        throw new Error(`${this.name}: unknown timer ${tag}`);
    }
  }

  // Routing ----------------------------------------------------------------------------------

  /** A request from a client: refused when it needs a new connection and the listeners are closed, or when the process is gone. */
  private accept(request: Request, context: NodeContext): void {
    if (!this.listeners.accepts(request.sessionId)) return this.answerItself(request, `balancer-${this.listeners.state}`, context);
    this.route(request, context);
  }

  private route(request: Request, context: NodeContext): void {
    const boundTo = this.config.persistence && request.kind !== RequestKind.OPEN ? this.sessions.get(request.sessionId) : undefined;
    if (boundTo !== undefined) {
      const backend = this.byActor.get(boundTo)!;
      if (this.profile.honoursPersistence(backend, context.now) && !request.triedServers.includes(boundTo)) {
        if (this.queues?.full(backend, this.maxconnOf(backend, context)) === true) return this.enqueue(request, backend.actor, context);
        return this.forward(request, backend, true, undefined, context);
      }
      // Persistence is not honoured: the session is balanced afresh (HAProxy maint, ALB re-binding).
      this.sessions.unbind(request.sessionId);
    }
    this.balance(request, context);
  }

  /** Picks a backend for a request not held by persistence; with maxconn, among those with a connection to spare, else the request waits in the backend queue. */
  private balance(request: Request, context: NodeContext): void {
    const { backends, spread } = this.profile.candidates(this.backends, context.now);
    const untried = backends.filter((backend) => !request.triedServers.includes(backend.actor));
    if (untried.length === 0) return this.answerItself(request, 'no-server-available', context);
    const withRoom = this.queues === undefined ? untried : untried.filter((backend) => !this.queues!.full(backend, this.maxconnOf(backend, context)));
    if (withRoom.length === 0) return this.enqueue(request, undefined, context);
    const chosen = pickWeighted(withRoom, (backend) => this.profile.weightFactor(backend, context.now, this.backends))!;
    this.forward(request, chosen, false, spread, context);
  }

  private enqueue(request: Request, server: number | undefined, context: NodeContext): void {
    this.queues!.enqueue(request, server);
    context.record({ type: 'lb-queued', balancer: context.self, backend: server ?? -1, request: request.id, session: request.sessionId });
  }

  /** A backend with a connection to spare takes queued requests, oldest first. */
  private serveQueue(backend: Backend, context: NodeContext): void {
    const take = () => this.queues?.next(backend, inRotation(backend), this.maxconnOf(backend, context));
    for (let next = take(); next !== undefined; next = take()) this.forward(next.request, backend, next.persistent, undefined, context);
  }

  /** The connections `backend` takes now (with queues only): maxconn, or less while it warms up. A limit grown meanwhile is taken up at the backend's next answer. */
  private maxconnOf(backend: Backend, context: NodeContext): number {
    return this.profile.maxconnNow?.(backend, context.now) ?? this.profile.maxconn!;
  }

  /** A backend left rotation: with redispatch its queued requests are balanced afresh, their persistence broken (HAProxy pendconn_redistribute). */
  private redistribute(backend: Backend, context: NodeContext): void {
    if (this.queues === undefined || this.profile.redistributesQueue !== true) return;
    const queued = this.queues.takeAll(backend.actor);
    if (queued.length === 0) return;
    context.record({ type: 'lb-redispatched', balancer: context.self, backend: backend.actor, requests: queued.length });
    for (const request of queued) {
      this.sessions.unbind(request.sessionId);
      this.balance(request, context);
    }
  }

  private forward(request: Request, backend: Backend, persistent: boolean, spread: Spread | undefined, context: NodeContext): void {
    request.router = context.self;
    request.attempts++;
    request.triedServers.push(backend.actor);
    backend.inFlight++;
    this.pending.set(request.id, request);
    context.record({ type: 'lb-forwarded', balancer: context.self, backend: backend.actor, request: request.id, session: request.sessionId, kind: request.kind, persistent, spread: spread ?? '', attempt: request.attempts });
    context.send(backend.actor, { $case: 'request', value: request });
  }

  private answer(response: Response, context: NodeContext): void {
    const request = this.pending.get(response.requestId);
    if (request === undefined) return; // cut by the balancer already
    this.pending.delete(response.requestId);
    const backend = this.byActor.get(request.triedServers[request.triedServers.length - 1]!)!;
    backend.inFlight--;
    if (backend.inFlight < 0) throw new Error(`${this.name}: more answers than requests from ${backend.name} at ${context.now}us`);
    const failure = failureOf(response);
    const outForUs = this.profile.observeAnswer(backend, failure, context.now, this.backends);
    if (outForUs > 0 && !backend.passiveOut) {
      backend.passiveOut = true;
      this.refreshHealth(backend, 'passive', context);
      context.setTimer(context.now + outForUs, { $case: 'timer', value: { tag: passiveReturnTag, ref: backend.actor } });
    }
    const retried = failure === 'connection' || (failure === 'reset' && this.profile.retriesSentRequest?.(request.method) === true);
    if (retried && request.attempts <= this.profile.retries) {
      context.record({ type: 'lb-retried', balancer: context.self, backend: backend.actor, request: request.id, failure, method: request.method });
      if (this.profile.retryElsewhere) this.route(request, context);
      else this.forward(request, backend, true, undefined, context);
    } else {
      if (response.status === Status.OK && !request.last && request.kind !== RequestKind.MESSAGE) this.sessions.bind(request.sessionId, backend);
      else this.sessions.unbind(request.sessionId);
      if (this.listeners.closesAfterResponse(request.sessionId, request.last, context.now, () => context.rng('lb-drain-close')())) {
        context.record({ type: 'lb-connection-closed', balancer: context.self, session: request.sessionId, cause: 'drain' });
      }
      context.send(response.client, { $case: 'response', value: response });
    }
    this.serveQueue(backend, context);
    this.drainProgress(backend, context);
  }

  private answerItself(request: Request, cause: string, context: NodeContext): void {
    context.record({ type: 'routed-away', router: context.self, protocol: request.protocol, request: request.id, status: Status.REJECTED, cause, workClass: request.workClass });
    context.send(request.client, { $case: 'response', value: responseTo(request, Status.REJECTED, cause, -1) });
  }

  /** Drops the requests in flight on `backend` and closes its sessions (connections). */
  private cut(backend: Backend, cause: string, context: NodeContext): void {
    const lost = this.pending.valuesWhere((request) => request.triedServers[request.triedServers.length - 1] === backend.actor).sort((a, b) => a.id - b.id);
    for (const request of lost) {
      this.pending.delete(request.id);
      backend.inFlight--;
      context.send(request.client, { $case: 'response', value: responseTo(request, Status.DROPPED, cause, backend.actor) });
    }
    this.sessions.unbindAll(backend);
    context.record({ type: 'lb-cut', balancer: context.self, backend: backend.actor, requests: lost.length, cause });
  }

  // Admin actions and drains -----------------------------------------------------------------

  private applyAdmin(command: LoadBalancerCommand, context: NodeContext): void {
    if (this.listeners.state === 'stopped') return;
    if (command.action === BackendAdminAction.DRAIN_LISTENERS) return this.drainListeners(context);
    if (command.action === BackendAdminAction.STOP) return this.stop(context);
    const backend = this.byActor.get(command.backend);
    const agent = agentReports[command.action];
    if (backend !== undefined && agent !== undefined) return this.agentAnswered(backend, agent, context);
    const action = adminActions[command.action];
    if (backend === undefined || action === undefined) throw new Error(`${this.name}: bad admin command ${JSON.stringify(command)}`);
    this.applyAction(backend, action, action, context);
  }

  private applyAction(backend: Backend, action: BackendAction, cause: string, context: NodeContext): void {
    const next = this.profile.adminAfter(action, backend);
    if (next === undefined || next === backend.admin) return;
    const wasOut = backend.admin !== 'active' && backend.admin !== 'removed';
    this.setAdmin(backend, next, cause, context);
    if (next === 'active' && wasOut) backend.inServiceSinceUs = context.now;
    if (next === 'active') this.serveQueue(backend, context);
    else this.redistribute(backend, context);
    const delayUs = this.profile.drainDeadlineUs;
    if (next === 'drain' && delayUs !== undefined) {
      this.drains.set(backend.actor, { startedUs: context.now, deadlineUs: context.now + delayUs });
      context.setTimer(context.now + delayUs, { $case: 'timer', value: { tag: drainDeadlineTag, ref: backend.actor } });
      this.drainProgress(backend, context);
    } else if (next !== 'drain') this.drains.delete(backend.actor);
  }

  /**
   * The server's agent now answers `report`; the balancer learns it at its next poll of that agent
   * (HAProxy polls every agent-inter from its start), so the change lags by up to agent-inter. A
   * later report before the poll replaces it: the agent answers what it says at poll time.
   */
  private agentAnswered(backend: Backend, answer: AgentAnswer, context: NodeContext): void {
    const intervalUs = this.profile.agentIntervalUs;
    if (intervalUs === undefined) throw new Error(`${this.name}: ${this.profile.name} has no agent checks`);
    const pollScheduled = this.unpolledAgentAnswers.has(backend.actor);
    this.unpolledAgentAnswers.set(backend.actor, answer);
    if (pollScheduled) return;
    const nextPollUs = (Math.floor(context.now / intervalUs) + 1) * intervalUs;
    context.setTimer(nextPollUs, { $case: 'timer', value: { tag: agentPollTag, ref: backend.actor } });
  }

  private agentPolled(actor: number, context: NodeContext): void {
    const answer = this.unpolledAgentAnswers.get(actor);
    if (answer === undefined || this.listeners.state === 'stopped') return;
    this.unpolledAgentAnswers.delete(actor);
    const backend = this.byActor.get(actor)!;
    if ('action' in answer) return this.applyAction(backend, answer.action, answer.report, context);
    backend.agentDown = answer.down;
    this.refreshHealth(backend, answer.report, context);
  }

  /** Envoy's graceful listener drain: the listeners close once the drain time is over; a second call changes nothing. */
  private drainListeners(context: NodeContext): void {
    const drainTimeUs = this.profile.listenerDrainTimeUs;
    if (drainTimeUs === undefined) throw new Error(`${this.name}: ${this.profile.name} has no listener drain`);
    if (this.listeners.state !== 'open') return;
    this.listeners.startDrain(context.now);
    this.setListener('draining', 'drain-listeners', context);
    context.setTimer(context.now + drainTimeUs, { $case: 'timer', value: { tag: listenersClosedTag, ref: 0 } });
  }

  private closeListeners(context: NodeContext): void {
    if (this.listeners.state === 'draining') this.setListener('closed', 'drain-time-over', context);
  }

  /** The process exits (SIGTERM): whatever is still in flight is cut, and nothing is served any more. */
  private stop(context: NodeContext): void {
    const wasDraining = this.listeners.state === 'draining';
    this.setListener('stopped', wasDraining ? 'stop-while-draining' : 'stop', context);
    for (const backend of this.backends) if (backend.inFlight > 0) this.cut(backend, 'balancer-exit', context);
  }

  private setListener(state: Exclude<ListenerState, 'open'>, cause: string, context: NodeContext): void {
    this.listeners.state = state;
    context.record({ type: 'lb-listener', balancer: context.self, state, cause });
  }

  private setAdmin(backend: Backend, admin: AdminState, cause: string, context: NodeContext): void {
    backend.admin = admin;
    context.record({ type: 'lb-backend', balancer: context.self, backend: backend.actor, admin, healthy: backend.healthy, cause });
  }

  /** A drain that ends by itself ends early once nothing is left on the backend (AWS). */
  private drainProgress(backend: Backend, context: NodeContext): void {
    const drain = this.drains.get(backend.actor);
    if (drain === undefined || backend.admin !== 'drain' || this.profile.drainIsOver?.(backend) !== true) return;
    this.drains.delete(backend.actor);
    this.setAdmin(backend, 'gone', 'drained', context);
    context.record({ type: 'lb-drain-ended', balancer: context.self, backend: backend.actor, reason: 'idle', drainUs: context.now - drain.startedUs });
  }

  private drainDeadline(actor: number, context: NodeContext): void {
    const drain = this.drains.get(actor);
    if (drain === undefined || drain.deadlineUs > context.now) return; // ended early, or an earlier drain's timer
    const backend = this.byActor.get(actor)!;
    this.drains.delete(actor);
    if (this.profile.cutsAtDrainTimeout === true) this.cut(backend, 'deregistration-delay', context);
    this.setAdmin(backend, 'gone', 'deregistration-delay', context);
    context.record({ type: 'lb-drain-ended', balancer: context.self, backend: actor, reason: 'timeout', drainUs: context.now - drain.startedUs });
  }

  // Health -----------------------------------------------------------------------------------

  private checkRound(context: NodeContext): void {
    const checks = this.profile.healthChecks;
    if (checks === undefined || this.listeners.state === 'stopped') return;
    this.round++;
    this.awaiting.clear();
    for (const backend of this.backends) {
      if (backend.admin === 'gone' || !this.profile.checks(backend)) continue;
      this.awaiting.add(backend.actor);
      context.send(backend.actor, { $case: 'healthProbe', value: { from: context.self, sequence: this.round } });
    }
    // Set first, so that a timeout equal to the interval is judged before the next round starts.
    context.setTimer(context.now + checks.timeoutUs, { $case: 'timer', value: { tag: healthTimeoutTag, ref: this.round } });
    context.setTimer(context.now + checks.intervalUs, { $case: 'timer', value: { tag: healthRoundTag, ref: 0 } });
  }

  private probeAnswered(answer: HealthProbeAnswer, context: NodeContext): void {
    if (answer.sequence !== this.round || !this.awaiting.delete(answer.server)) return; // late: already counted as a timeout
    const count = this.health.get(answer.server)!;
    this.applyCheck(this.byActor.get(answer.server)!, answer.healthy ? count.passed() : count.failed(true), context);
  }

  private checksTimedOut(round: number, context: NodeContext): void {
    if (round !== this.round) return;
    for (const actor of [...this.awaiting].sort((a, b) => a - b)) this.applyCheck(this.byActor.get(actor)!, this.health.get(actor)!.failed(false), context);
    this.awaiting.clear();
  }

  private applyCheck(backend: Backend, change: HealthChange, context: NodeContext): void {
    if (change === undefined) return;
    backend.checksPass = change === 'up';
    this.refreshHealth(backend, change === 'up' ? 'checks-passed' : 'checks-failed', context);
  }

  private passiveReturn(actor: number, context: NodeContext): void {
    const backend = this.byActor.get(actor)!;
    if (!backend.passiveOut) return;
    backend.passiveOut = false;
    this.profile.returnToService(backend);
    this.refreshHealth(backend, 'passive-return', context);
  }

  private refreshHealth(backend: Backend, cause: string, context: NodeContext): void {
    const healthy = backend.checksPass && !backend.agentDown && !backend.passiveOut;
    if (healthy === backend.healthy) return;
    backend.healthy = healthy;
    if (healthy) backend.inServiceSinceUs = context.now;
    else if (this.profile.cutsWhenMarkedDown && (cause === 'checks-failed' || cause === 'agent-down')) this.cut(backend, 'shutdown-sessions', context);
    const admin = this.profile.adminAfterHealthChange(backend);
    context.record({ type: 'lb-backend', balancer: context.self, backend: backend.actor, admin, healthy, cause });
    if (admin !== backend.admin) backend.admin = admin;
    if (healthy) this.serveQueue(backend, context);
    else this.redistribute(backend, context);
  }
}
