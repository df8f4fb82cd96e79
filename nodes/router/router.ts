import {
  MaintenanceMode,
  ServerState,
  Status,
  unexpected,
  type LoadReport,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
  type Response,
} from '../messages.js';
import { askPolicy, type RoutingPolicy } from './external-policy.js';

export interface RouterConfig {
  name: string;
  /** Actor indexes of the application servers this router can send to. */
  servers: readonly number[];
  /** Attempts per request, the first included, before a refusal is final. */
  maxAttempts: number;
  /** An external policy that chooses the server instead of the built-in rules. */
  policy?: RoutingPolicy;
}

/** The router's possibly stale picture of one server, built from its load reports. */
interface ServerView {
  actor: number;
  state: ServerState;
  mode: MaintenanceMode;
  /** Requests this router has sent there and not yet seen answered. */
  outstanding: number;
}

/**
 * An On Demand Router: sends each request to the least loaded eligible server, keeps session
 * affinity, and retries a refused request on another server.
 */
export class Router implements NodeActor {
  readonly name: string;
  private readonly views: ServerView[];
  private readonly viewByActor = new Map<number, ServerView>();
  /** Requests forwarded and not yet answered, for retries. */
  private readonly pending = new Map<number, Request>();
  private rotation = 0;

  constructor(private readonly config: RouterConfig) {
    this.name = config.name;
    this.views = config.servers.map((actor) => ({ actor, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED, outstanding: 0 }));
    for (const view of this.views) this.viewByActor.set(view.actor, view);
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.route(message.value, context);
      case 'response':
        return this.answer(message.value, context);
      case 'loadReport':
        return this.updateView(message.value);
      default:
        return unexpected(this.name, message);
    }
  }

  private route(request: Request, context: NodeContext, refusedBy?: number): void {
    const policy = this.config.policy;
    const target = policy === undefined ? this.choose(request, refusedBy) : askPolicy(policy, this.name, request, this.views, refusedBy, context.now);
    if (typeof target === 'string') return this.reject(request, target, context);
    if (target === undefined) return this.reject(request, 'no-eligible-server', context);
    request.router = context.self;
    request.attempts++;
    target.outstanding++;
    this.pending.set(request.id, request);
    context.send(target.actor, { $case: 'request', value: request });
  }

  private choose(request: Request, refusedBy: number | undefined): ServerView | undefined {
    const affinity = request.affinityServer;
    if (affinity !== undefined && affinity !== refusedBy) {
      const view = this.viewByActor.get(affinity);
      if (view !== undefined && acceptsAffinity(view)) return view;
    }
    return this.leastOutstanding(refusedBy);
  }

  /** Least outstanding requests over running servers; ties broken by rotating the start. */
  private leastOutstanding(excluded: number | undefined): ServerView | undefined {
    const views = this.views;
    const count = views.length;
    let best: ServerView | undefined;
    const start = this.rotation++ % count;
    for (let offset = 0; offset < count; offset++) {
      const view = views[(start + offset) % count]!;
      if (view.state !== ServerState.RUNNING || view.actor === excluded) continue;
      if (best === undefined || view.outstanding < best.outstanding) best = view;
    }
    return best;
  }

  private answer(response: Response, context: NodeContext): void {
    const request = this.pending.get(response.requestId);
    if (request === undefined) return; // already answered (a late duplicate)
    this.pending.delete(response.requestId);
    const view = this.viewByActor.get(response.server);
    if (view !== undefined) view.outstanding--;
    if (response.status === Status.REJECTED && response.retryable && request.attempts < this.config.maxAttempts) {
      return this.route(request, context, response.server);
    }
    context.send(response.client, { $case: 'response', value: response });
  }

  private reject(request: Request, cause: string, context: NodeContext): void {
    context.send(request.client, {
      $case: 'response',
      value: {
        requestId: request.id,
        protocol: request.protocol,
        kind: request.kind,
        sessionId: request.sessionId,
        status: Status.REJECTED,
        cause,
        server: -1,
        client: request.client,
        sentAtUs: request.sentAtUs,
        attempts: request.attempts,
        redirects: request.redirects,
        workClass: request.workClass,
        retryable: false,
        redirectAddress: '',
      },
    });
  }

  private updateView(report: LoadReport): void {
    const view = this.viewByActor.get(report.server);
    if (view === undefined) return;
    view.state = report.state;
    view.mode = report.mode;
  }
}

/** A server still takes requests of its existing sessions when running or in keep-affinity maintenance. */
function acceptsAffinity(view: ServerView): boolean {
  return view.state === ServerState.RUNNING || (view.state === ServerState.MAINTENANCE && view.mode === MaintenanceMode.AFFINITY);
}
