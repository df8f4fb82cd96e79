import {
  ServerState,
  Status,
  responseTo,
  unexpected,
  type Heartbeat,
  type LoadReport,
  type Message,
  type NodeActor,
  type NodeContext,
  type Request,
} from '../messages.js';

/** How the sprayer's advisor health-checks its ODRs. */
export interface AdvisorConfig {
  /** A probe goes to every ODR this often. */
  intervalUs: number;
  /** A probe unanswered this long is a failure. */
  timeoutUs: number;
  /** Consecutive failures that mark an ODR down; one answer marks it up again. */
  failuresToMarkDown: number;
}

export const defaultAdvisor: AdvisorConfig = { intervalUs: 2_000_000, timeoutUs: 1_000_000, failuresToMarkDown: 2 };

export interface SprayerConfig {
  name: string;
  /** On Demand Routers behind the sprayer, by actor index. */
  routers: readonly number[];
  advisor?: AdvisorConfig;
  /**
   * Whether an ODR is really down at a time: the run's fault schedule, known up front. Used only
   * to label the advisor's verdicts for the reports (correct or false), never to decide anything.
   */
  isDown?: (router: number, atUs: number) => boolean;
}

const probeTag = 'advisor-probe';
const timeoutTag = 'advisor-timeout';

/**
 * The front-end IP sprayer in front of several ODRs. It spreads requests by session, each
 * session to its own ODR so that the ODR's affinity tables stay useful, and stops sending to an
 * ODR once it hears that the ODR is in maintenance, or once its advisor finds the ODR does not
 * answer probes (a crashed ODR says nothing). Only the sessions of an ODR out of service move,
 * spread over the ODRs in service; they go back once it is in service again.
 */
export class Sprayer implements NodeActor {
  readonly name: string;
  private readonly advisor: AdvisorConfig;
  /** Per ODR (by its place in `routers`): the state it last reported. */
  private readonly reported: ServerState[];
  /** Per ODR: the advisor's verdict, probes failed in a row, and the last probe round it answered. */
  private readonly markedDown: boolean[];
  private readonly failures: number[];
  private readonly answeredRound: number[];
  private readonly slotOf = new Map<number, number>();
  private available: number[];
  private round = 0;

  constructor(private readonly config: SprayerConfig) {
    this.name = config.name;
    this.advisor = config.advisor ?? defaultAdvisor;
    const count = config.routers.length;
    this.reported = new Array<ServerState>(count).fill(ServerState.RUNNING);
    this.markedDown = new Array<boolean>(count).fill(false);
    this.failures = new Array<number>(count).fill(0);
    this.answeredRound = new Array<number>(count).fill(0);
    config.routers.forEach((router, slot) => this.slotOf.set(router, slot));
    this.available = [...config.routers];
  }

  /** The message that starts the advisor's probes. */
  static start(): Message {
    return { $case: 'timer', value: { tag: probeTag, ref: 0 } };
  }

  onMessage(message: Message, context: NodeContext): void {
    switch (message.$case) {
      case 'request':
        return this.spray(message.value, context);
      case 'loadReport':
        return this.updateRouter(message.value);
      case 'heartbeat':
        return this.probeAnswered(message.value, context);
      case 'timer':
        if (message.value.tag === probeTag) return this.probe(context);
        if (message.value.tag === timeoutTag) return this.probesTimedOut(Number(message.value.ref), context);
        return unexpected(this.name, message);
      default:
        return unexpected(this.name, message);
    }
  }

  private spray(request: Request, context: NodeContext): void {
    const routers = this.config.routers;
    // Session ids carry their client population in the low bits: mixed, every population spreads.
    const mixed = mixSessionId(request.sessionId);
    const homeSlot = mixed % routers.length;
    if (this.inService(homeSlot)) return context.send(routers[homeSlot]!, { $case: 'request', value: request });
    const available = this.available;
    if (available.length === 0) return this.reject(request, context);
    // Another mix for the fallback: the home's bits must not decide it too, or the moved sessions would crowd a few ODRs.
    context.send(available[mixSessionId(mixed) % available.length]!, { $case: 'request', value: request });
  }

  private inService(slot: number): boolean {
    return this.reported[slot] === ServerState.RUNNING && !this.markedDown[slot];
  }

  private updateRouter(report: LoadReport): void {
    const slot = this.slotOf.get(report.server);
    if (slot === undefined || this.reported[slot] === report.state) return;
    this.reported[slot] = report.state;
    this.refreshAvailable();
  }

  private refreshAvailable(): void {
    this.available = this.config.routers.filter((_, slot) => this.inService(slot));
  }

  // The advisor ---------------------------------------------------------------------------------

  private probe(context: NodeContext): void {
    const round = ++this.round;
    const heartbeat: Heartbeat = { from: context.self, sequence: round, sentAtUs: context.now };
    for (const router of this.config.routers) context.send(router, { $case: 'heartbeat', value: heartbeat });
    context.setTimer(context.now + this.advisor.timeoutUs, { $case: 'timer', value: { tag: timeoutTag, ref: round } });
    context.setTimer(context.now + this.advisor.intervalUs, { $case: 'timer', value: { tag: probeTag, ref: 0 } });
  }

  private probeAnswered(answer: Heartbeat, context: NodeContext): void {
    const slot = this.slotOf.get(answer.from);
    if (slot === undefined) return;
    const round = Number(answer.sequence);
    if (round > this.answeredRound[slot]!) this.answeredRound[slot] = round;
    this.failures[slot] = 0;
    if (this.markedDown[slot]) this.mark(slot, false, context);
  }

  private probesTimedOut(round: number, context: NodeContext): void {
    for (let slot = 0; slot < this.config.routers.length; slot++) {
      if (this.answeredRound[slot]! >= round) continue;
      this.failures[slot]!++;
      if (!this.markedDown[slot] && this.failures[slot]! >= this.advisor.failuresToMarkDown) this.mark(slot, true, context);
    }
  }

  private mark(slot: number, down: boolean, context: NodeContext): void {
    this.markedDown[slot] = down;
    this.refreshAvailable();
    const router = this.config.routers[slot]!;
    const reallyDown = this.config.isDown?.(router, context.now) ?? down;
    context.record({ type: 'suspicion', detector: context.self, member: router, suspected: down, correct: down === reallyDown });
  }

  private reject(request: Request, context: NodeContext): void {
    context.send(request.client, { $case: 'response', value: responseTo(request, Status.REJECTED, 'no-router-available', -1) });
  }
}

/** A deterministic 32-bit mix of a session id (murmur3's finalizer over both halves). */
export function mixSessionId(sessionId: number): number {
  let hash = (sessionId >>> 0) ^ Math.imul(Math.floor(sessionId / 0x1_0000_0000), 0x9e3779b1);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
