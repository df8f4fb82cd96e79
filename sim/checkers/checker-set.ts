import type { RecordSink } from '../kernel/actor.js';
import { handlersWithContext, RecordBus, type RecordConsumer } from '../metrics/record-bus.js';
import type { SimRecord } from '../metrics/records.js';
import type { Checker, CheckContext, Violation } from './checker.js';
import type { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { ClusterTruth } from './cluster-truth.js';

/** Violations kept in full; beyond that only counted, so a badly broken run stays small. */
export const keptViolationsDefault = 100;

export interface CheckResult {
  rules: string[];
  /** Every violation, counted; the first `kept` in full, in the order they happened. */
  violationCount: number;
  violationsByRule: Record<string, number>;
  violations: Violation[];
  notes: Record<string, number>;
}

export interface CheckerSetOptions {
  actorNames: readonly string[];
  checkers: readonly Checker[];
  keptViolations?: number;
  /** Each server's state before its first 'server-state' record (running when not given). */
  initialStates?: ReadonlyMap<number, ServerState>;
}

/** Feeds every record to every checker, keeps the truth up to date, and gathers the violations. */
export class CheckerSet implements RecordSink<SimRecord>, CheckContext {
  readonly truth: ClusterTruth;
  private readonly kept: Violation[] = [];
  private readonly byRule = new Map<string, number>();
  private readonly notes = new Map<string, number>();
  private count = 0;
  private readonly keptLimit: number;
  /**
   * The checkers' handlers with this set as their context, in the checkers' order, then the
   * truth's: every checker sees a record before the truth takes it in.
   */
  readonly handlerTables: readonly RecordConsumer[];
  private bus: RecordBus | undefined;

  constructor(private readonly options: CheckerSetOptions) {
    this.keptLimit = options.keptViolations ?? keptViolationsDefault;
    this.truth = new ClusterTruth(options.initialStates, options.actorNames.length);
    this.handlerTables = [...options.checkers.map((checker) => handlersWithContext<CheckContext>(checker.handlers, this)), this.truth.handlers];
  }

  /** Feeds one record (a run feeds `handlerTables` through its own bus). */
  record(timeUs: number, actor: number, record: SimRecord): void {
    (this.bus ??= new RecordBus(this.handlerTables)).record(timeUs, actor, record);
  }

  actorName(actor: number): string {
    return this.options.actorNames[actor] ?? `#${actor}`;
  }

  report(violation: Violation): void {
    this.count++;
    this.byRule.set(violation.rule, (this.byRule.get(violation.rule) ?? 0) + 1);
    if (this.kept.length >= this.keptLimit) return;
    const { timeUs, rule, actor, detail, session, request } = violation;
    this.kept.push({ timeUs, rule, actor, detail, ...(session === undefined ? {} : { session }), ...(request === undefined ? {} : { request }) });
  }

  note(key: string, count = 1): void {
    this.notes.set(key, (this.notes.get(key) ?? 0) + count);
  }

  finish(endUs: number): CheckResult {
    for (const checker of this.options.checkers) checker.finish?.(endUs, this);
    return {
      rules: this.options.checkers.flatMap((checker) => checker.rules),
      violationCount: this.count,
      violationsByRule: sortedRecord(this.byRule),
      violations: this.kept,
      notes: sortedRecord(this.notes),
    };
  }
}

/** Hands each record to several sinks, in order: the collector and the checkers see the same stream. */
function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) result[key] = counts.get(key)!;
  return result;
}
