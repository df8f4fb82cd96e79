import { Protocol, RequestKind, Status, unexpected, type Message, type NodeActor, type NodeContext, type Request, type Response } from '../../nodes/messages.js';
import type { Distribution } from '../kernel/distributions.js';

export interface SessionClientsConfig {
  name: string;
  protocol: Protocol;
  /** New sessions per second (Poisson arrivals). */
  ratePerSecond: number;
  /** Requests per session, the opening and closing ones included. */
  requests: Distribution;
  thinkTime: Distribution;
  uri: string;
  /** Entry points the clients send to (routers or sprayers); one is drawn per session. */
  entryPoints: readonly number[];
  /** No new sessions start at or after this time. */
  stopArrivalsAtUs: number;
}

interface Session {
  id: number;
  remaining: number;
  server: number | undefined;
  requestId: number;
  sentAtUs: number;
  entryPoint: number;
}

const arrivalTag = 'arrival';
const thinkTag = 'think';
// Ids are unique per run: the client actor's index in the high bits, a counter below.
const idsPerActor = 2 ** 32;

/**
 * A population of users of one protocol: sessions arrive as a Poisson process, each sends its
 * requests one after another with think times between, and follows the affinity that the
 * server it landed on gives it (the session cookie's clone id).
 */
export class SessionClients implements NodeActor {
  readonly name: string;
  private readonly sessions = new Map<number, Session>();
  private readonly interArrivalMeanUs: number;
  private nextSessionNumber = 1;
  private nextRequestNumber = 1;

  constructor(private readonly config: SessionClientsConfig) {
    this.name = config.name;
    this.interArrivalMeanUs = 1_000_000 / config.ratePerSecond;
  }

  /** Sessions that have started and not ended. */
  get openSessions(): number {
    return this.sessions.size;
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'timer':
        if (message.value.tag === arrivalTag) return this.arrive(context);
        if (message.value.tag === thinkTag) return this.sendNext(message.value.ref, context);
        return unexpected(this.name, message);
      case 'response':
        return this.receive(message.value, context);
      default:
        return unexpected(this.name, message);
    }
  }

  /** The first arrival; the builder schedules it at time zero. */
  static start(): Message {
    return { $case: 'timer', value: { tag: arrivalTag, ref: 0 } };
  }

  private arrive(context: NodeContext): void {
    const arrivals = context.rng('arrivals');
    const gapUs = Math.max(1, Math.round(-this.interArrivalMeanUs * Math.log(1 - arrivals())));
    const nextAtUs = context.now + gapUs;
    if (nextAtUs < this.config.stopArrivalsAtUs) context.setTimer(nextAtUs, SessionClients.start());

    const id = context.self * idsPerActor + this.nextSessionNumber++;
    const entryPoints = this.config.entryPoints;
    const entryPoint = entryPoints[Math.floor(context.rng('entry')() * entryPoints.length)]!;
    const remaining = Math.max(1, this.config.requests.sample(context.rng('session')));
    const session: Session = { id, remaining, server: undefined, requestId: 0, sentAtUs: 0, entryPoint };
    this.sessions.set(id, session);
    context.record({ type: 'session-started', protocol: this.config.protocol, session: id });
    this.send(session, RequestKind.OPEN, context);
  }

  private sendNext(sessionId: number, context: NodeContext): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    this.send(session, session.remaining === 1 ? RequestKind.CLOSE : RequestKind.IN_SESSION, context);
  }

  private send(session: Session, kind: RequestKind, context: NodeContext): void {
    session.requestId = context.self * idsPerActor + this.nextRequestNumber++;
    session.sentAtUs = context.now;
    const request: Request = {
      id: session.requestId,
      protocol: this.config.protocol,
      kind,
      sessionId: session.id,
      uri: this.config.uri,
      method: 'GET',
      client: context.self,
      sentAtUs: context.now,
      affinityServer: session.server,
      attempts: 0,
      redirects: 0,
      router: -1,
      workClass: '',
      maintenanceOnly: false,
      destination: '',
      address: '',
      last: session.remaining === 1,
    };
    context.send(session.entryPoint, { $case: 'request', value: request });
  }

  private receive(response: Response, context: NodeContext): void {
    const session = this.sessions.get(response.sessionId);
    if (session === undefined || session.requestId !== response.requestId) return; // stale answer
    const protocol = this.config.protocol;
    context.record({
      type: 'request-ended',
      protocol,
      request: response.requestId,
      status: response.status,
      cause: response.cause,
      latencyUs: context.now - response.sentAtUs,
      attempts: response.attempts,
      redirects: response.redirects,
    });
    if (response.status !== Status.OK) {
      this.sessions.delete(session.id);
      const outcome = response.kind === RequestKind.OPEN ? 'rejected' : 'dropped';
      context.record({ type: 'session-ended', protocol, session: session.id, outcome, cause: response.cause });
      return;
    }
    session.server = response.server;
    session.remaining--;
    if (session.remaining === 0 || response.kind === RequestKind.CLOSE) {
      this.sessions.delete(session.id);
      context.record({ type: 'session-ended', protocol, session: session.id, outcome: 'completed', cause: '' });
      return;
    }
    const thinkUs = this.config.thinkTime.sample(context.rng('think'));
    context.setTimer(context.now + thinkUs, { $case: 'timer', value: { tag: thinkTag, ref: session.id } });
  }
}
