import { Protocol, RequestKind, Status, unexpected, type Message, type NodeActor, type NodeContext, type Request, type Response } from '../../nodes/messages.js';
import type { Distribution } from '../kernel/distributions.js';
import { IntMap } from '../kernel/int-map.js';
import { TimingWheel } from '../kernel/timing-wheel.js';
import type { ArrivalProcess } from './arrivals.js';

export interface SessionClientsConfig {
  name: string;
  protocol: Protocol;
  /** When new sessions arrive. */
  arrivals: ArrivalProcess;
  /** Requests per session, the opening and closing ones included. */
  requests: Distribution;
  thinkTime: Distribution;
  /** The service demand each request brings (drawn here, so routing cannot change it). */
  service?: Distribution | undefined;
  /** SIP: how long a dialog is held; its requests are spread evenly over it (instead of think times). */
  holdTime?: Distribution | undefined;
  uri: string;
  /** URIs drawn per session by weight (e.g. a small share of /admin/ sessions); `uri` when absent. A `method` is that of every request of the session. */
  uris?: readonly { uri: string; weight: number; method?: string | undefined }[] | undefined;
  /** The session's state is replicated, so it can fail over to another server. */
  replicated?: boolean | undefined;
  /** JMS: the destination messages are sent to (each message is a one-request session). */
  destination?: string | undefined;
  /** This population's place among the run's client populations (0 to idSlots - 1): part of every id it makes. */
  idSlot: number;
  /** Entry points the clients send to (routers or sprayers); one is drawn per session. */
  entryPoints: readonly number[];
  /** No new sessions start at or after this time. */
  stopArrivalsAtUs: number;
  /**
   * ClusterCATS: the members' IP addresses, handed to new sessions in turn (DNS round robin);
   * requests then go through the first entry point (the LAN) to whoever holds the address.
   */
  addresses?: readonly string[];
  /** A request unanswered this long is retried once, then its session ends dropped (cause timeout). */
  requestTimeoutUs?: number;
}

interface Session {
  id: number;
  remaining: number;
  server: number | undefined;
  requestId: number;
  sentAtUs: number;
  entryPoint: number;
  uri: string;
  /** The method of every request of the session, when its URI gives one (HTTP POST...); else the protocol's by request kind. */
  method: string | undefined;
  /** Gap between the requests of a SIP dialog, or -1 for think times. */
  gapUs: number;
  /** IP address the session talks to (ClusterCATS), '' when it goes through a router. */
  address: string;
  kind: RequestKind;
  /** Redirects the current request has followed. */
  redirects: number;
  timeouts: number;
  /** Ended (and out of the table); a think time still queued for it is then skipped. */
  ended: boolean;
}

const arrivalTag = 'arrival';
const thinkTag = 'think';
// Timers that carry nothing of their own are one message each, set again and again: no allocation per arrival or wake-up.
const arrivalWake: Message = { $case: 'timer', value: { tag: arrivalTag, ref: 0 } };
const thinkWake: Message = { $case: 'timer', value: { tag: thinkTag, ref: 0 } };
const timeoutSweepTag = 'timeout-sweep';
/** Redirects one request may follow before the client gives up on it. */
const maxRedirects = 5;
const timeoutRetries = 1;
/**
 * Ids are unique per run: a counter times the number of id slots, plus the client population's
 * slot. Kept small on purpose: ids below 2^30 are small integers to the JavaScript engine, which
 * keeps the session tables of a million users compact.
 */
export const idSlots = 16;

// Method names per protocol and request kind (open, in session, close), as the work classes see them.
const methods: Readonly<Record<number, readonly [string, string, string]>> = {
  [Protocol.HTTP]: ['GET', 'GET', 'GET'],
  [Protocol.SIP]: ['INVITE', 'INFO', 'BYE'],
  [Protocol.EJB]: ['CREATE', 'INVOKE', 'REMOVE'],
  [Protocol.JMS]: ['SEND', 'SEND', 'SEND'],
};

/**
 * A population of users of one protocol: sessions arrive by an arrival process, each sends its
 * requests one after another with think times between (SIP: spread over the dialog's holding
 * time), and follows the affinity that the server it landed on gives it (the session cookie's
 * clone id, the dialog's route, the EJB client's server). JMS producers send one message per
 * arrival, each counted as a one-request session.
 */
export class SessionClients implements NodeActor {
  readonly name: string;
  private readonly sessions = new IntMap<Session>();
  /**
   * The sessions with a request out, by the request's id. A response is matched here, in a
   * table of the few thousand requests in flight, rather than in the table of every open session.
   */
  private readonly awaiting = new IntMap<Session>();
  private readonly totalUriWeight: number;
  private nextSessionNumber = 1;
  private nextRequestNumber = 1;
  private nextAddress = 0;
  private sweeping = false;
  /**
   * Sessions between two requests, by the time each sends its next one. The kernel holds one
   * timer for the earliest instead of one per session: an open session then costs a slot of
   * typed arrays here rather than a pending event and its message. The queue holds the sessions
   * themselves, which spares a lookup in a table of a million at each wake-up.
   */
  private readonly thinking = new TimingWheel<Session>();
  private thinkOrder = 0;
  /** Times of the wake-up timers set and not yet fired, latest first (each one set earlier than all before). */
  private readonly wakeTimersUs: number[] = [];

  private readonly config: SessionClientsConfig;

  constructor(config: SessionClientsConfig) {
    this.name = config.name;
    // Every field set, in one order: the populations' configurations then share one shape, and
    // reading them on every request stays a monomorphic load.
    this.config = {
      name: config.name,
      protocol: config.protocol,
      arrivals: config.arrivals,
      requests: config.requests,
      thinkTime: config.thinkTime,
      service: config.service,
      holdTime: config.holdTime,
      uri: config.uri,
      uris: config.uris,
      replicated: config.replicated,
      destination: config.destination,
      idSlot: config.idSlot,
      entryPoints: config.entryPoints,
      stopArrivalsAtUs: config.stopArrivalsAtUs,
      addresses: config.addresses,
      requestTimeoutUs: config.requestTimeoutUs,
    };
    this.totalUriWeight = (config.uris ?? []).reduce((total, entry) => total + entry.weight, 0);
  }

  /** Sessions that have started and not ended. */
  get openSessions(): number {
    return this.sessions.size;
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'timer':
        if (message.value.tag === arrivalTag) return this.arrive(context);
        if (message.value.tag === thinkTag) return this.wake(context);
        if (message.value.tag === timeoutSweepTag) return this.sweepTimeouts(context);
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
    const nextAtUs = this.config.arrivals.nextAfter(context.now, context.rng('arrivals'));
    if (nextAtUs < this.config.stopArrivalsAtUs) context.setTimer(nextAtUs, arrivalWake);
    // The first call comes at time zero: no session arrives while the rate is zero (`rate: 0/s`,
    // or a profile starting at zero).
    if (context.now === 0 && this.config.arrivals.rateAt(0) <= 0) return;

    const id = this.nextSessionNumber++ * idSlots + this.config.idSlot;
    const entryPoints = this.config.entryPoints;
    const entryPoint = entryPoints[Math.floor(context.rng('entry')() * entryPoints.length)]!;
    const messages = this.config.destination !== undefined;
    const remaining = messages ? 1 : Math.max(1, this.config.requests.sample(context.rng('session')));
    const hold = this.config.holdTime;
    const gapUs = hold === undefined || remaining < 2 ? -1 : Math.round(hold.sample(context.rng('hold')) / (remaining - 1));
    const drawn = this.totalUriWeight > 0 ? this.drawUri(context.rng('uri')()) : { uri: this.config.uri, method: undefined };
    const { uri, method } = drawn;
    const addresses = this.config.addresses;
    const address = addresses === undefined ? '' : addresses[this.nextAddress++ % addresses.length]!;
    const kind = messages ? RequestKind.MESSAGE : RequestKind.OPEN;
    const session: Session = { id, remaining, server: undefined, requestId: 0, sentAtUs: 0, entryPoint, uri, method, gapUs, address, kind, redirects: 0, timeouts: 0, ended: false };
    if (this.config.requestTimeoutUs !== undefined && !this.sweeping) {
      this.sweeping = true;
      context.setTimer(context.now + this.sweepPeriodUs(), { $case: 'timer', value: { tag: timeoutSweepTag, ref: 0 } });
    }
    this.sessions.set(id, session);
    context.record({ type: 'session-started', protocol: this.config.protocol, session: id });
    this.send(session, kind, context);
  }

  private drawUri(draw: number): { uri: string; method?: string | undefined } {
    const uris = this.config.uris!;
    let left = draw * this.totalUriWeight;
    for (const entry of uris) {
      left -= entry.weight;
      if (left < 0) return entry;
    }
    return uris[uris.length - 1]!;
  }

  private think(session: Session, untilUs: number, context: NodeContext): void {
    this.thinking.push(untilUs, this.thinkOrder++, session);
    this.armWake(context);
  }

  /** Sends the next request of every session whose think time is over, in the order they began thinking. */
  private wake(context: NodeContext): void {
    if (this.earliestWakeTimerUs() === context.now) this.wakeTimersUs.pop();
    const thinking = this.thinking;
    while (thinking.peekTimeUs() <= context.now) this.sendNext(thinking.pop(), context);
    this.armWake(context);
  }

  private armWake(context: NodeContext): void {
    const nextUs = this.thinking.peekTimeUs();
    const armedUs = this.earliestWakeTimerUs();
    if (nextUs >= armedUs) return;
    this.wakeTimersUs.push(nextUs);
    context.setTimer(nextUs, thinkWake);
  }

  // Reading index -1 of an empty array would be a slow, generic property load: the length is checked first.
  private earliestWakeTimerUs(): number {
    const timers = this.wakeTimersUs;
    return timers.length === 0 ? Infinity : timers[timers.length - 1]!;
  }

  private sendNext(session: Session, context: NodeContext): void {
    if (session.ended) return;
    this.send(session, session.remaining === 1 ? RequestKind.CLOSE : RequestKind.IN_SESSION, context);
  }

  private send(session: Session, kind: RequestKind, context: NodeContext, redirects = 0, sentAtUs = context.now): void {
    this.awaiting.delete(session.requestId); // a request sent again replaces the one unanswered
    session.requestId = this.nextRequestNumber++ * idSlots + this.config.idSlot;
    this.awaiting.set(session.requestId, session);
    session.sentAtUs = context.now;
    session.kind = kind;
    session.redirects = redirects;
    const protocol = this.config.protocol;
    const request: Request = {
      id: session.requestId,
      protocol,
      kind,
      sessionId: session.id,
      uri: session.uri,
      method: session.method ?? methods[protocol]![kind === RequestKind.OPEN || kind === RequestKind.MESSAGE ? 0 : kind === RequestKind.CLOSE ? 2 : 1]!,
      client: context.self,
      sentAtUs,
      affinityServer: session.server,
      attempts: 0,
      redirects,
      router: -1,
      workClass: '',
      maintenanceOnly: false,
      destination: this.config.destination ?? '',
      address: session.address,
      last: session.remaining === 1,
      serviceUs: this.config.service?.sample(context.rng('service')),
      replicated: this.config.replicated === true,
      triedServers: [],
    };
    context.send(session.entryPoint, { $case: 'request', value: request });
  }

  private receive(response: Response, context: NodeContext): void {
    const protocol = this.config.protocol;
    if (response.requestId === 0) {
      // The server ended the session between requests (a drain-down period expired).
      const session = this.sessions.get(response.sessionId);
      if (session === undefined || response.status !== Status.DROPPED) return;
      if (this.awaiting.get(session.requestId) === session) {
        // The notice overtook the answer to the session's last request (another path through the
        // network): that answer is lost with the session, and counted so.
        context.record({
          type: 'request-ended',
          protocol,
          request: session.requestId,
          status: Status.DROPPED,
          cause: response.cause,
          latencyUs: context.now - session.sentAtUs,
          attempts: 0,
          redirects: session.redirects,
        });
      }
      this.forget(session);
      context.record({ type: 'session-ended', protocol, session: session.id, outcome: 'dropped', cause: response.cause });
      return;
    }
    const session = this.awaiting.get(response.requestId);
    if (session === undefined) return; // stale answer: the request was retried, or its session ended
    this.awaiting.delete(response.requestId);
    if (response.status === Status.REDIRECT && session.redirects < maxRedirects) {
      // HTTP redirect: one more round trip, to the address a ClusterCATS member named or the
      // URI a work class redirects to.
      if (this.config.addresses === undefined) session.uri = response.redirectAddress;
      else session.address = response.redirectAddress;
      return this.send(session, session.kind, context, session.redirects + 1, response.sentAtUs);
    }
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
      this.forget(session);
      const refusedAtOpen = response.kind === RequestKind.OPEN || (response.kind === RequestKind.MESSAGE && response.status === Status.REJECTED);
      const outcome = refusedAtOpen ? 'rejected' : 'dropped';
      context.record({ type: 'session-ended', protocol, session: session.id, outcome, cause: response.cause });
      return;
    }
    session.server = response.server;
    if (response.redirectAddress !== '') session.address = response.redirectAddress;
    session.remaining--;
    if (session.remaining === 0 || response.kind === RequestKind.CLOSE) {
      this.forget(session);
      context.record({ type: 'session-ended', protocol, session: session.id, outcome: 'completed', cause: '' });
      return;
    }
    const thinkUs = session.gapUs >= 0 ? session.gapUs : this.config.thinkTime.sample(context.rng('think'));
    this.think(session, context.now + thinkUs, context);
  }

  private forget(session: Session): void {
    this.awaiting.delete(session.requestId);
    this.sessions.delete(session.id);
    session.ended = true;
  }

  private sweepPeriodUs(): number {
    return Math.max(1_000, Math.floor(this.config.requestTimeoutUs! / 10));
  }

  /** Ends or retries the requests unanswered for longer than the timeout (lost to a crash or a partition). */
  private sweepTimeouts(context: NodeContext): void {
    const timeoutUs = this.config.requestTimeoutUs!;
    const protocol = this.config.protocol;
    // Only sessions with a request out can be overdue; in the order the sessions started (their ids), whatever the table's order.
    const overdue = this.awaiting.valuesWhere((session) => context.now - session.sentAtUs >= timeoutUs).sort((a, b) => a.id - b.id);
    for (const session of overdue) {
      context.record({
        type: 'request-ended',
        protocol,
        request: session.requestId,
        status: Status.DROPPED,
        cause: 'timeout',
        latencyUs: context.now - session.sentAtUs,
        attempts: 0,
        redirects: session.redirects,
      });
      if (session.timeouts < timeoutRetries) {
        session.timeouts++;
        this.send(session, session.kind, context);
        continue;
      }
      this.forget(session);
      const outcome = session.kind === RequestKind.OPEN ? 'rejected' : 'dropped';
      context.record({ type: 'session-ended', protocol, session: session.id, outcome, cause: 'timeout' });
    }
    if (this.sessions.size > 0 || context.now < this.config.stopArrivalsAtUs) {
      context.setTimer(context.now + this.sweepPeriodUs(), { $case: 'timer', value: { tag: timeoutSweepTag, ref: 0 } });
    }
  }
}
