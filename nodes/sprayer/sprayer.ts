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
} from '../messages.js';

export interface SprayerConfig {
  name: string;
  /** On Demand Routers behind the sprayer, by actor index. */
  routers: readonly number[];
}

/**
 * The front-end IP sprayer in front of several ODRs. It spreads requests by session, each
 * session to its own ODR so that the ODR's affinity tables stay useful, and stops sending to an
 * ODR once it hears that the ODR is in maintenance: that is how an ODR is taken out of service.
 * Only the sessions of an ODR out of service move, spread over the ODRs running.
 */
export class Sprayer implements NodeActor {
  readonly name: string;
  private readonly states = new Map<number, ServerState>();
  private available: number[];

  constructor(private readonly config: SprayerConfig) {
    this.name = config.name;
    for (const router of config.routers) this.states.set(router, ServerState.RUNNING);
    this.available = [...config.routers];
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.spray(message.value, context);
      case 'loadReport':
        return this.updateRouter(message.value);
      default:
        return unexpected(this.name, message);
    }
  }

  private spray(request: Request, context: NodeContext): void {
    const routers = this.config.routers;
    const home = routers[request.sessionId % routers.length];
    if (home !== undefined && this.states.get(home) === ServerState.RUNNING) return context.send(home, { $case: 'request', value: request });
    const available = this.available;
    if (available.length === 0) return this.reject(request, context);
    context.send(available[request.sessionId % available.length]!, { $case: 'request', value: request });
  }

  private updateRouter(report: LoadReport): void {
    if (this.states.get(report.server) === report.state) return;
    this.states.set(report.server, report.state);
    this.available = this.config.routers.filter((router) => this.states.get(router) === ServerState.RUNNING);
  }

  private reject(request: Request, context: NodeContext): void {
    context.send(request.client, { $case: 'response', value: responseTo(request, Status.REJECTED, 'no-router-available', -1) });
  }
}
