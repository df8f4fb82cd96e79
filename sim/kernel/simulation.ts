import type { Actor, Context, RecordSink } from './actor.js';
import { EventQueue } from './event-queue.js';
import type { Network } from './network.js';
import { namedStream, StreamTable, type RandomStream } from './random.js';

/** Where messages to actors held elsewhere (another node host) are handed over. */
export interface RemoteOutbox<Message> {
  deliver(timeUs: number, origin: number, sequence: number, target: number, message: Message): void;
}

export interface SimulationOptions<Message, Record> {
  seed: number;
  /** Every actor of the run, by index; `undefined` for actors held by another host. */
  actors: readonly (Actor<Message, Record> | undefined)[];
  /** Names of all actors, by index (also of remote ones), for stream names. */
  actorNames: readonly string[];
  network: Network;
  sink: RecordSink<Record>;
  remote?: RemoteOutbox<Message>;
}

/** Events scheduled further ahead than this wait in the kernel's second queue. */
const laterUs = 1_000_000;

export class SimulationError extends Error {
  constructor(
    message: string,
    readonly timeUs: number,
    readonly actor: string,
  ) {
    super(message);
  }
}

/**
 * The discrete-event kernel: pending deliveries, handled one at a time in canonical
 * order. It implements the actors' Context itself, so that handling an event allocates nothing
 * beyond what the handler does.
 */
export class Simulation<Message, Record> implements Context<Message, Record> {
  now = 0;
  self = 0;
  /** Origin and sequence of the event being handled: with `now`, its place in the canonical order. */
  eventOrigin = 0;
  eventSequence = 0;
  eventsProcessed = 0;
  /**
   * Pending events in two queues: those due within `laterUs` of their scheduling (messages,
   * service completions), and those further ahead (periodic load reports, long timers). The
   * first, which nearly every event passes through, stays small enough to live in the nearest
   * cache; at 10,000 servers their report timers alone would make one queue ten times larger.
   * The earlier head of the two is handled next, so the order is the same as with one queue.
   */
  private readonly soon = new EventQueue<Message>(4096);
  private readonly later = new EventQueue<Message>(4096);
  /**
   * The next event, when it was scheduled to come before every queued one (most messages of a
   * zero-latency hop, and many of a short one): it is handled next without passing through a
   * heap. It always comes before both queues' heads, so the order is the same as without it.
   */
  private held = false;
  private heldTimeUs = 0;
  private heldOrigin = 0;
  private heldSequence = 0;
  private heldTarget = 0;
  private heldMessage: Message | undefined;
  private readonly actors: readonly (Actor<Message, Record> | undefined)[];
  /**
   * Each local actor's `onMessage`, bound to it. Actors come in a dozen classes, so looking the
   * method up on the actor at every event is a megamorphic property load; this array skips it.
   */
  private readonly receivers: readonly (((message: Message, context: Context<Message, Record>) => void) | undefined)[];
  private readonly actorNames: readonly string[];
  private readonly nextSequence: Float64Array;
  private readonly streams: Map<string, RandomStream>[];
  /** Each sender's network stream, by actor index. */
  private readonly networkStreams: StreamTable;
  private readonly seed: number;
  private readonly network: Network;
  private readonly sink: RecordSink<Record>;
  private readonly remote: RemoteOutbox<Message> | undefined;
  private stopRequested = false;

  constructor(options: SimulationOptions<Message, Record>) {
    this.seed = options.seed;
    this.actors = options.actors;
    this.receivers = options.actors.map((actor) => actor?.onMessage.bind(actor));
    this.actorNames = options.actorNames;
    this.network = options.network;
    this.sink = options.sink;
    this.remote = options.remote;
    const count = options.actorNames.length;
    this.nextSequence = new Float64Array(count);
    this.streams = Array.from({ length: count }, () => new Map<string, RandomStream>());
    this.networkStreams = new StreamTable(count, this.seed, (actor) => `net/${this.actorNames[actor]}`);
  }

  get pendingEvents(): number {
    return this.soon.size + this.later.size + (this.held ? 1 : 0);
  }

  /** Time of the next pending event, or Infinity. */
  nextEventTimeUs(): number {
    return this.held ? this.heldTimeUs : Math.min(this.soon.peekTimeUs(), this.later.peekTimeUs());
  }

  actorName(index: number): string {
    return this.actorNames[index] ?? `#${index}`;
  }

  // Context ------------------------------------------------------------------------------

  rng(name: string): RandomStream {
    const streams = this.streams[this.self]!;
    let stream = streams.get(name);
    if (stream === undefined) {
      stream = namedStream(this.seed, `${this.actorNames[this.self]}/${name}`);
      streams.set(name, stream);
    }
    return stream;
  }

  send(to: number, message: Message): void {
    const from = this.self;
    const delayUs = this.network.delayUs(from, to, this.now, this.networkStreams.select(from));
    if (delayUs < 0) return; // lost on the way; the sender finds out by its own timeouts
    this.enqueue(this.now + delayUs, from, to, message);
  }

  setTimer(atUs: number, message: Message): void {
    if (!(atUs >= this.now)) {
      throw new SimulationError(`timer set in the past (${atUs} < ${this.now})`, this.now, this.actorName(this.self));
    }
    this.enqueue(atUs, this.self, this.self, message);
  }

  record(record: Record): void {
    this.sink.record(this.now, this.self, record);
  }

  // Driving the run ----------------------------------------------------------------------

  /** Schedules a delivery on behalf of `origin` (used for the scenario timeline). */
  schedule(atUs: number, origin: number, target: number, message: Message): void {
    this.enqueue(atUs, origin, target, message);
  }

  /** Accepts a delivery that another host computed, keeping its origin and sequence. */
  accept(timeUs: number, origin: number, sequence: number, target: number, message: Message): void {
    this.insert(timeUs, origin, sequence, target, message);
  }

  /**
   * Handles every event with time < endUs; returns false if it ended early: stopped by `stop()`,
   * or `eventsProcessed` reached `maxEventsProcessed` (which bounds a slice of a run even when
   * events keep coming at one instant).
   */
  runUntil(endUs: number, maxEventsProcessed = Infinity): boolean {
    const soon = this.soon;
    const later = this.later;
    const receivers = this.receivers;
    for (;;) {
      let target: number;
      let message: Message;
      if (this.held) {
        if (this.heldTimeUs >= endUs) break;
        if (this.eventsProcessed >= maxEventsProcessed) return false;
        this.held = false;
        target = this.heldTarget;
        this.now = this.heldTimeUs;
        this.eventOrigin = this.heldOrigin;
        this.eventSequence = this.heldSequence;
        message = this.heldMessage!;
        this.heldMessage = undefined;
      } else {
        const queue = later.size === 0 || (soon.size > 0 && soon.headsBefore(later)) ? soon : later;
        if (queue.size === 0 || queue.peekTimeUs() >= endUs) break;
        if (this.eventsProcessed >= maxEventsProcessed) return false;
        const slot = queue.pop();
        target = queue.slotTarget(slot);
        this.now = queue.slotTimeUs(slot);
        this.eventOrigin = queue.slotOrigin(slot);
        this.eventSequence = queue.slotSequence(slot);
        message = queue.takePayload(slot);
      }
      this.self = target;
      receivers[target]!(message, this);
      this.eventsProcessed++;
      if (this.stopRequested) return false;
    }
    if (endUs !== Infinity && endUs > this.now) this.now = endUs;
    return true;
  }

  /** Asks the loop to stop after the current event (runaway limits, interruption). */
  stop(): void {
    this.stopRequested = true;
  }

  private queueFor(atUs: number): EventQueue<Message> {
    return atUs - this.now < laterUs ? this.soon : this.later;
  }

  private enqueue(atUs: number, origin: number, target: number, message: Message): void {
    const sequence = this.nextSequence[origin]!;
    this.nextSequence[origin] = sequence + 1;
    if (this.remote !== undefined && this.actors[target] === undefined) {
      this.remote.deliver(atUs, origin, sequence, target, message);
    } else {
      this.insert(atUs, origin, sequence, target, message);
    }
  }

  /** Holds the event as the next one when it comes before every pending event, else queues it. */
  private insert(atUs: number, origin: number, sequence: number, target: number, message: Message): void {
    if (this.held) {
      const afterHeld = atUs !== this.heldTimeUs ? atUs > this.heldTimeUs : origin !== this.heldOrigin ? origin > this.heldOrigin : sequence > this.heldSequence;
      if (afterHeld) return this.queueFor(atUs).push(atUs, origin, sequence, target, message);
      // The new event comes first: the one held goes to its queue.
      this.queueFor(this.heldTimeUs).push(this.heldTimeUs, this.heldOrigin, this.heldSequence, this.heldTarget, this.heldMessage!);
    } else if (!this.soon.precedes(atUs, origin, sequence) || !this.later.precedes(atUs, origin, sequence)) {
      return this.queueFor(atUs).push(atUs, origin, sequence, target, message);
    }
    this.held = true;
    this.heldTimeUs = atUs;
    this.heldOrigin = origin;
    this.heldSequence = sequence;
    this.heldTarget = target;
    this.heldMessage = message;
  }
}
