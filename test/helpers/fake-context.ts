import type { Message, NodeContext } from '../../nodes/messages.js';
import { namedStream } from '../../sim/kernel/random.js';
import type { SimRecord } from '../../sim/metrics/records.js';

/** A context that keeps what an actor does, so a test can drive it message by message. */
export class FakeContext implements NodeContext {
  now = 0;
  readonly sent: { to: number; message: Message }[] = [];
  readonly timers: { atUs: number; message: Message }[] = [];
  readonly records: SimRecord[] = [];
  private readonly streams = new Map<string, () => number>();

  constructor(readonly self: number) {}

  rng(name: string): () => number {
    let stream = this.streams.get(name);
    if (stream === undefined) this.streams.set(name, (stream = namedStream(1, `test/${name}`)));
    return stream;
  }

  send(to: number, message: Message): void {
    this.sent.push({ to, message });
  }

  setTimer(atUs: number, message: Message): void {
    this.timers.push({ atUs, message });
  }

  record(record: SimRecord): void {
    this.records.push(record);
  }

  /** Messages sent so far, emptied. */
  take(): { to: number; message: Message }[] {
    return this.sent.splice(0, this.sent.length);
  }
}
