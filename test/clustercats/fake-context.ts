import type { Message, NodeContext } from '../../nodes/messages.js';
import type { SimRecord } from '../../sim/metrics/records.js';

/** A context that keeps what an actor did, for tests that drive it message by message. */
export class FakeContext implements NodeContext {
  now = 0;
  sent: { to: number; message: Message }[] = [];
  timers: { atUs: number; message: Message }[] = [];
  records: SimRecord[] = [];
  private draws: number[] = [];

  constructor(readonly self: number) {}

  /** Values the next draws of any stream return (0.5 once they run out). */
  willDraw(...values: number[]): void {
    this.draws.push(...values);
  }

  rng(): () => number {
    return () => this.draws.shift() ?? 0.5;
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

  /** Forgets what was sent and recorded (timers stay pending). */
  clear(): void {
    this.sent = [];
    this.records = [];
  }

  recordsOf<T extends SimRecord['type']>(type: T): Extract<SimRecord, { type: T }>[] {
    return this.records.filter((record): record is Extract<SimRecord, { type: T }> => record.type === type);
  }
}
