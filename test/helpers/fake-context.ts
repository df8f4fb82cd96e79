import type { Message, NodeContext } from '../../nodes/messages.js';
import { namedStream } from '../../sim/kernel/random.js';
import type { SimRecord } from '../../sim/metrics/records.js';

/**
 * A context that keeps what an actor does, so a test can drive it message by message. Random
 * draws come from named streams, or, with `draws: 'scripted'`, from the values given to
 * `willDraw` (0.5 once they run out), for tests that steer a choice.
 */
export class FakeContext implements NodeContext {
  now = 0;
  sent: { to: number; message: Message }[] = [];
  timers: { atUs: number; message: Message }[] = [];
  records: SimRecord[] = [];
  private readonly streams = new Map<string, () => number>();
  private readonly scripted: number[] = [];

  constructor(
    readonly self: number,
    private readonly draws: 'streams' | 'scripted' = 'streams',
  ) {}

  /** Values the next draws of any stream return (scripted draws only). */
  willDraw(...values: number[]): void {
    this.scripted.push(...values);
  }

  rng(name: string): () => number {
    if (this.draws === 'scripted') return () => this.scripted.shift() ?? 0.5;
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

  /** Forgets what was sent and recorded; the pending timers too when asked. */
  clear(options: { timers?: boolean } = {}): void {
    this.sent = [];
    this.records = [];
    if (options.timers === true) this.timers = [];
  }

  recordsOf<T extends SimRecord['type']>(type: T): Extract<SimRecord, { type: T }>[] {
    return this.records.filter((record): record is Extract<SimRecord, { type: T }> => record.type === type);
  }
}
