import {
  FaultKind,
  MaintenanceMode,
  Protocol,
  RequestKind,
  ServerState,
  Status,
  responseTo,
  unexpected,
  type LoadReport,
  type MaintenanceCommand,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
  type Response,
} from '../messages.js';
import { IntMap } from '../../sim/kernel/int-map.js';
import { IntTable } from '../../sim/kernel/int-table.js';
import { maintenanceRefusal } from '../server/maintenance-rules.js';
import { askPolicy, type RoutingPolicy } from './external-policy.js';
import { noServer, ServerGroup, ServerPool, ServerViews } from './server-views.js';
import { WorkClassTable, type WorkClass, type WorkClassSpec } from './work-classes.js';

export interface RouterConfig {
  name: string;
  /** Application servers this router can send to, by actor index, with their threads and initial state. */
  servers: readonly { actor: number; threads: number; state: ServerState }[];
  /** Servers of each cluster, by cluster name. */
  clusters: ReadonlyMap<string, readonly number[]>;
  /** Cluster each protocol goes to when its work class names none. */
  defaultCluster: ReadonlyMap<Protocol, string>;
  workClasses: readonly WorkClassSpec[];
  /** Attempts per request, the first included, before a refusal is final. */
  maxAttempts: number;
  /** An external policy that chooses the server instead of the built-in balancing. */
  policy?: RoutingPolicy;
  /** Actors told of this router's own state (the sprayer in front of it). */
  stateSubscribers?: readonly number[];
  stateReportIntervalUs?: number;
}

const stateReportTag = 'router-state';
const protocolCount = 5;

/**
 * An On Demand Router. For each request it finds the work class, applies its action, and sends
 * the request to the server that holds its session when that server may still take it, or else
 * to the eligible server with the fewest requests per thread as it estimates them: its own
 * outstanding there, exactly, plus the other routers' as the server's last answer counted them,
 * decayed toward their mean (see `ServerViews.estimate`). A request
 * refused by a server (or lost with a server that failed) is retried elsewhere; a request no
 * server may take is rejected with its cause.
 */
export class Router implements NodeActor {
  readonly name: string;
  state = ServerState.RUNNING;
  mode = MaintenanceMode.UNSPECIFIED;
  /** The router's picture of each server it can send to, from the load reports. */
  private readonly views: ServerViews;
  private readonly groups = new Map<string, ServerGroup>();
  private readonly allServers: ServerGroup;
  private readonly workClasses: WorkClassTable;
  /** Requests forwarded and not yet answered, by id. The last of `triedServers` is the target. */
  private readonly pending = new IntMap<Request>();
  /** Requests lost with a server whose node crashed silently, by id → that server (see `forgetLostWith`). */
  private readonly forgotten = new IntMap<number>();
  /** The router's own affinity tables, per protocol: session id → server. */
  private readonly affinity: IntTable[] = Array.from({ length: protocolCount }, () => new IntTable());
  /** Crashed by the scenario: it hears nothing until restarted. */
  private crashed = false;

  constructor(private readonly config: RouterConfig) {
    this.name = config.name;
    this.views = new ServerViews(config.servers);
    this.allServers = this.views.group(config.servers.map((server) => server.actor));
    for (const [cluster, actors] of config.clusters) this.groups.set(cluster, this.views.group(actors));
    this.workClasses = new WorkClassTable(config.workClasses);
  }

  onMessage(message: Message, context: NodeContext): void {
    if (message.$case === 'fault') return this.applyFault(message.value.kind, context);
    if (this.crashed) return;
    switch (message.$case) {
      case 'request':
        return this.route(message.value, context);
      case 'response':
        return this.answer(message.value, context);
      case 'loadReport':
        return this.updateView(message.value, context);
      case 'loadTable':
        for (const report of message.value.reports) this.updateView(report, context);
        return;
      case 'maintenance':
        return this.applyMaintenance(message.value, context);
      case 'heartbeat':
        // The sprayer's advisor probing: answering is all a live ODR does (a crashed one is silent).
        return context.send(message.value.from, { $case: 'heartbeat', value: { ...message.value, from: context.self } });
      case 'timer':
        if (message.value.tag === stateReportTag) return this.reportState(context, true);
        return unexpected(this.name, message);
      default:
        return unexpected(this.name, message);
    }
  }

  /** A crash loses the requests being forwarded; their clients find out by their timeouts. */
  private applyFault(kind: FaultKind, context: NodeContext): void {
    if (kind === FaultKind.CRASH && !this.crashed) {
      this.crashed = true;
      context.record({ type: 'lost', server: context.self, requests: this.pending.size, sessions: 0, cause: 'crash' });
      this.pending.clear();
      this.forgotten.clear();
      this.views.clearOutstanding();
    } else if (kind === FaultKind.RESTART) this.crashed = false;
  }

  /** `refusal`: the cause of the retryable refusal this request is retried after, if it is. */
  private route(request: Request, context: NodeContext, refusal = ''): void {
    if (this.state === ServerState.STOPPED) return this.answerItself(request, Status.REJECTED, 'router-stopped', '', context);
    const workClass = this.workClasses.match(request);
    if (request.attempts === 0) {
      request.workClass = workClass.name;
      request.maintenanceOnly = workClass.maintenanceOnly;
      if (workClass.action === 'reject') return this.answerItself(request, Status.REJECTED, 'work-class-reject', '', context);
      if (workClass.action === 'redirect') return this.answerItself(request, Status.REDIRECT, 'work-class-redirect', workClass.redirectTo, context);
    }
    const sessionServer = this.affinityOf(request, workClass);
    if (sessionServer !== undefined && !request.triedServers.includes(sessionServer) && this.views.knows(sessionServer)) {
      const state = this.views.state(sessionServer);
      const refusal = maintenanceRefusal(state, this.views.mode(sessionServer), request, sessionServer);
      if (refusal === undefined) return this.forward(request, sessionServer, context);
      // The session cannot follow to another server unless its state is replicated there.
      if (!request.replicated && !request.maintenanceOnly) return this.answerItself(request, Status.DROPPED, sessionLossCause(state, refusal), '', context);
    }
    const group = this.groupFor(request.protocol, workClass);
    const policy = this.config.policy;
    const target =
      policy === undefined
        ? group.choose(request, workClass.maintenanceOnly ? ServerPool.inMaintenance : ServerPool.running, request.triedServers, context.rng('balance'), context.now)
        : this.askPolicy(policy, request, group, context);
    if (typeof target === 'string') return this.answerItself(request, Status.REJECTED, target, '', context);
    if (target === noServer) {
      // A full queue with no other server to try is what the client meets, not a lack of eligible servers.
      const cause = refusal === 'queue-full' ? refusal : request.maintenanceOnly ? 'no-server-in-maintenance' : 'no-eligible-server';
      return this.answerItself(request, Status.REJECTED, cause, '', context);
    }
    this.forward(request, target, context);
  }

  private askPolicy(policy: RoutingPolicy, request: Request, group: ServerGroup, context: NodeContext): number | string {
    const chosen = askPolicy(policy, this.name, request, this.views.policyViews(group.actors), request.triedServers, context.now, context.rng('policy'));
    return typeof chosen === 'string' ? chosen : chosen.actor;
  }

  private forward(request: Request, server: number, context: NodeContext): void {
    request.router = context.self;
    request.attempts++;
    request.triedServers.push(server);
    this.views.addOutstanding(server, 1);
    this.pending.set(request.id, request);
    context.send(server, { $case: 'request', value: request });
  }

  /** Affinity from the router's own table (sticky classes, SIP dialogs, EJB clients), else the request's cookie. */
  private affinityOf(request: Request, workClass: WorkClass): number | undefined {
    if (request.kind === RequestKind.OPEN || request.kind === RequestKind.MESSAGE) return undefined;
    if (keepsAffinityTable(request.protocol, workClass)) {
      const known = this.affinity[request.protocol]!.get(request.sessionId);
      if (known !== undefined) return known;
    }
    return request.affinityServer;
  }

  private groupFor(protocol: Protocol, workClass: WorkClass): ServerGroup {
    const cluster = workClass.cluster ?? this.config.defaultCluster.get(protocol);
    return (cluster === undefined ? undefined : this.groups.get(cluster)) ?? this.allServers;
  }

  private answer(response: Response, context: NodeContext): void {
    const request = this.pending.get(response.requestId);
    if (request === undefined) {
      if (this.forgotten.get(response.requestId) !== response.server) return; // already answered (a late duplicate, or retried after a failure)
      this.forgotten.delete(response.requestId);
      return context.send(response.client, { $case: 'response', value: response });
    }
    this.pending.delete(response.requestId);
    if (this.views.knows(response.server)) {
      this.views.addOutstanding(response.server, -1);
      this.views.heard(response.server, response.othersInFlight, context.now, request.sentAtUs);
    }
    if (response.status === Status.REJECTED && response.retryable && request.attempts < this.config.maxAttempts) {
      return this.route(request, context, response.cause);
    }
    this.learnAffinity(request, response);
    context.send(response.client, { $case: 'response', value: response });
  }

  private learnAffinity(request: Request, response: Response): void {
    const workClass = this.workClasses.match(request);
    if (!keepsAffinityTable(request.protocol, workClass)) return;
    const table = this.affinity[request.protocol]!;
    if (response.status === Status.OK && !request.last && request.kind !== RequestKind.MESSAGE) table.set(request.sessionId, response.server);
    else table.delete(request.sessionId);
  }

  private updateView(report: LoadReport, context: NodeContext): void {
    const wasUp = this.views.knows(report.server) && takesRequests(this.views.state(report.server));
    if (!this.views.apply(report)) return;
    if (report.state === ServerState.FAILED) this.retryLostWith(report.server, context);
    else if (report.state === ServerState.STARTING && wasUp) this.forgetLostWith(report.server);
  }

  /**
   * A server heard starting again that was never heard going down: its whole node crashed,
   * silently. Its requests here are lost, and their clients find out by their timeouts (most
   * have sent them again by now, so they are not sent again here); they stop counting as
   * outstanding there, where they would stay for ever and the balancing would shun the server.
   * An answer that still comes for one (a restart whose answers the report overtook) is passed on.
   */
  private forgetLostWith(server: number): void {
    for (const request of this.pending.valueList()) {
      if (request.triedServers[request.triedServers.length - 1] !== server) continue;
      this.pending.delete(request.id);
      this.views.addOutstanding(server, -1);
      this.forgotten.set(request.id, server);
    }
  }

  /** A failed server answers nothing: its outstanding requests are retried elsewhere, or dropped. */
  private retryLostWith(server: number, context: NodeContext): void {
    const lost: Request[] = [];
    for (const request of this.pending.valueList()) if (request.triedServers[request.triedServers.length - 1] === server) lost.push(request);
    lost.sort((a, b) => a.id - b.id);
    for (const request of lost) {
      this.pending.delete(request.id);
      this.views.addOutstanding(server, -1);
      if (request.kind === RequestKind.OPEN || request.kind === RequestKind.MESSAGE) {
        if (request.attempts < this.config.maxAttempts) {
          this.route(request, context);
          continue;
        }
      }
      this.answerItself(request, Status.DROPPED, 'server-failed', '', context);
    }
  }

  private answerItself(request: Request, status: Status, cause: string, redirectAddress: string, context: NodeContext): void {
    context.record({ type: 'routed-away', router: context.self, protocol: request.protocol, request: request.id, status, cause, workClass: request.workClass });
    context.send(request.client, { $case: 'response', value: responseTo(request, status, cause, -1, false, redirectAddress) });
  }

  // The ODR's own maintenance --------------------------------------------------------------

  /**
   * An ODR in maintenance gets no new traffic from the sprayer once the sprayer hears of it,
   * and still routes what reaches it; in stop mode it is stopped and rejects what arrives.
   */
  private applyMaintenance(command: MaintenanceCommand, context: NodeContext): void {
    this.mode = command.enter ? command.mode : MaintenanceMode.UNSPECIFIED;
    if (!command.enter) this.state = ServerState.RUNNING;
    else this.state = command.mode === MaintenanceMode.STOP ? ServerState.STOPPED : ServerState.MAINTENANCE;
    context.record({ type: 'router-state', router: context.self, state: this.state, mode: this.mode });
    this.reportState(context, false);
  }

  /** Tells the sprayer this router's state; the periodic report re-arms its timer. */
  reportState(context: NodeContext, periodic: boolean): void {
    const subscribers = this.config.stateSubscribers ?? [];
    const report: LoadReport = {
      server: context.self,
      atUs: context.now,
      state: this.state,
      mode: this.mode,
      inFlight: this.pending.size,
      threads: 0,
      queued: 0,
      loadPercent: 0,
      openSessions: 0,
      completedInInterval: 0,
      responseTimeSumUs: 0,
      errorsInInterval: 0,
    };
    for (const subscriber of subscribers) context.send(subscriber, { $case: 'loadReport', value: report });
    const intervalUs = this.config.stateReportIntervalUs ?? 0;
    if (periodic && intervalUs > 0) context.setTimer(context.now + intervalUs, { $case: 'timer', value: { tag: stateReportTag, ref: 0 } });
  }
}

/** Why a session is lost when its server may no longer take its requests. */
function sessionLossCause(state: ServerState, refusal: string): string {
  if (state === ServerState.FAILED) return 'server-failed';
  if (state === ServerState.STOPPED || state === ServerState.STARTING) return 'server-stopped';
  return refusal;
}

/** A server in these states takes requests: one heard in them has requests outstanding that it will answer. */
function takesRequests(state: ServerState): boolean {
  return state === ServerState.RUNNING || state === ServerState.MAINTENANCE || state === ServerState.DRAINING;
}

/** SIP dialogs and EJB clients are tracked by the router itself, and so is any sticky work class. */
function keepsAffinityTable(protocol: Protocol, workClass: WorkClass): boolean {
  return workClass.sticky || protocol === Protocol.SIP || protocol === Protocol.EJB;
}
