import type { RecordSink } from '../kernel/actor.js';
import type { SimRecord } from './records.js';

export type RecordType = SimRecord['type'];
export type RecordOf<T extends RecordType> = Extract<SimRecord, { type: T }>;

/** What one consumer does with each record type it looks at; the types it leaves out never reach it. */
export type RecordHandlers = { readonly [T in RecordType]?: (timeUs: number, actor: number, record: RecordOf<T>) => void };

type Handler = (timeUs: number, actor: number, record: SimRecord) => void;

/**
 * Hands each record to the handlers of its type, in the order their consumers were given, and
 * every record to the tap. A record's type is read here once: records come in twenty-odd
 * shapes, so each consumer reading `type` itself pays a megamorphic property load (about 20 ns
 * here), and a record passes some ten such reads on its way through the collector and checkers.
 */
export class RecordBus implements RecordSink<SimRecord> {
  private readonly byType = new Map<RecordType, Handler[]>();

  constructor(
    consumers: readonly RecordHandlers[],
    private readonly tap?: RecordSink<SimRecord>,
  ) {
    for (const handlers of consumers) {
      for (const type of Object.keys(handlers) as RecordType[]) {
        const handler = handlers[type] as Handler | undefined;
        if (handler === undefined) continue;
        const list = this.byType.get(type);
        if (list === undefined) this.byType.set(type, [handler]);
        else list.push(handler);
      }
    }
  }

  record(timeUs: number, actor: number, record: SimRecord): void {
    this.tap?.record(timeUs, actor, record);
    const handlers = this.byType.get(record.type);
    if (handlers === undefined) return;
    for (let index = 0; index < handlers.length; index++) handlers[index]!(timeUs, actor, record);
  }
}
