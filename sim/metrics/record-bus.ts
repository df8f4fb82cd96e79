import type { RecordSink } from '../kernel/actor.js';
import type { SimRecord } from './records.js';

export type RecordType = SimRecord['type'];
export type RecordOf<T extends RecordType> = Extract<SimRecord, { type: T }>;

/** What one consumer does with each record type it looks at; the types it leaves out never reach it. */
export type RecordHandlers = { readonly [T in RecordType]?: (timeUs: number, actor: number, record: RecordOf<T>) => void };

/** Handlers that take a fourth argument, a context given once with them (a checker's CheckContext). */
export interface HandlersWithContext {
  readonly handlers: { readonly [type: string]: ((timeUs: number, actor: number, record: SimRecord, context: unknown) => void) | undefined };
  readonly context: unknown;
}

/** A consumer of the records: handlers by type, alone or with their context. */
export type RecordConsumer = RecordHandlers | HandlersWithContext;

/** Handlers with the context they are to be called with. */
export function handlersWithContext<Context>(
  handlers: { readonly [T in RecordType]?: (timeUs: number, actor: number, record: RecordOf<T>, context: Context) => void },
  context: Context,
): HandlersWithContext {
  return { handlers: handlers as HandlersWithContext['handlers'], context };
}

type Handler = (timeUs: number, actor: number, record: SimRecord, context: unknown) => void;

/** The handlers of one record type, each beside the context it takes (undefined for most). */
interface Route {
  readonly handlers: Handler[];
  readonly contexts: unknown[];
}

/**
 * Hands each record to the handlers of its type, in the order their consumers were given, and
 * every record to the tap. A record's type is read here once: records come in twenty-odd
 * shapes, so each consumer reading `type` itself pays a megamorphic property load (about 20 ns
 * here), and a record passes some ten such reads on its way through the collector and checkers.
 * A checker's handlers get their context from here too, rather than through a closure per
 * handler that adds it: one call fewer for each of the eight checker calls of a one-request HTTP session.
 */
export class RecordBus implements RecordSink<SimRecord> {
  private readonly byType = new Map<RecordType, Route>();

  constructor(
    consumers: readonly RecordConsumer[],
    private readonly tap?: RecordSink<SimRecord>,
  ) {
    for (const consumer of consumers) {
      const [handlers, context] = 'context' in consumer ? [consumer.handlers, consumer.context] : [consumer as HandlersWithContext['handlers'], undefined];
      for (const type of Object.keys(handlers) as RecordType[]) {
        const handler = handlers[type];
        if (handler === undefined) continue;
        const route = this.byType.get(type);
        if (route === undefined) this.byType.set(type, { handlers: [handler], contexts: [context] });
        else {
          route.handlers.push(handler);
          route.contexts.push(context);
        }
      }
    }
  }

  record(timeUs: number, actor: number, record: SimRecord): void {
    this.tap?.record(timeUs, actor, record);
    const route = this.byType.get(record.type);
    if (route === undefined) return;
    const handlers = route.handlers;
    const contexts = route.contexts;
    for (let index = 0; index < handlers.length; index++) handlers[index]!(timeUs, actor, record, contexts[index]);
  }
}
