import type { RandomStream } from './random.js';

/**
 * What an actor may do while it handles a message. Nothing else: no wall clock, no
 * Math.random, no I/O. The same handler therefore runs in-process, on a node host, or under
 * a unit test's fake context, and gives the same result.
 */
export interface Context<Message, Record> {
  /** Virtual time in integer microseconds. */
  readonly now: number;
  /** Index of the actor handling the message. */
  readonly self: number;
  /** A named stream of this actor, seeded from the scenario seed and `<actor>/<name>`. */
  rng(name: string): RandomStream;
  /** Sends through the simulated network: delivered after a link latency, or lost. */
  send(to: number, message: Message): void;
  /** Delivers `message` to this actor itself at virtual time `atUs` (not before now). */
  setTimer(atUs: number, message: Message): void;
  /** Hands a metric or checker record to the run's recorder. */
  record(record: Record): void;
}

export interface Actor<Message, Record> {
  /** Stable name, e.g. `node2/shop-1`; random streams and reports are keyed by it. */
  readonly name: string;
  onMessage(message: Message, context: Context<Message, Record>): void;
}

/** Receives every record in canonical event order, with the time and actor that made it. */
export interface RecordSink<Record> {
  record(timeUs: number, actor: number, record: Record): void;
}
