import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadScenarioFile, parseScenario } from '../scenario/load.js';
import type { ExploreStepKind } from '../scenario/schema.js';
import { drawRun, type DrawnRun } from './draw.js';
import type { ExploreBase, RunDone, ShrinkDone, ShrinkTask } from './jobs.js';
import { failureKey, type Failure } from './oracle.js';
import { ExplorePool } from './pool.js';
import { scheduleScenarioText, type ScheduleStep } from './schedule.js';
import { scheduleSpace } from './space.js';

/** A scenario ready to explore: its text, its schedule space, and the runs its section asks for. */
export interface ExplorePlan {
  name: string;
  /** The scenario's seed: the explorer's seed when none is given. */
  seed: number;
  base: ExploreBase;
  defaultRuns: number;
}

/** `text`: the file's, when it comes from elsewhere (a shard's partial result). */
export function planExploration(file: string, text?: string): ExplorePlan {
  const loaded = text === undefined ? loadScenarioFile(file) : parseScenario(text, file);
  text ??= readFileSync(file, 'utf8');
  const space = scheduleSpace(loaded);
  // The scenario as every run will have it, with no steps: what its checks refuse (an explore.expect
  // line naming a protocol without a workload) is refused now, not once per run.
  parseScenario(scheduleScenarioText(text, [], { seed: loaded.scenario.seed, extraExpect: space.expect }), `${file} (with explore.expect)`);
  return { name: loaded.scenario.name, seed: loaded.scenario.seed, base: { text, file, space }, defaultRuns: loaded.scenario.explore?.runs ?? 100 };
}

export interface ExploreOptions {
  /** The explorer's seed: same seed, same runs and findings. */
  seed: number;
  /** Runs to draw; with `budgetMs`, at most this many. */
  runs: number;
  /** The indices of the runs to do, when a shard does a share of them (default: all, in order). */
  share?: readonly number[];
  /** Wall time for the runs (shrinking comes after): the runs done are a prefix of the same seed's. */
  budgetMs?: number;
  jobs: number;
  signal?: AbortSignal;
  /** Most runs to spend shrinking one group. */
  maxShrinkTries?: number;
  onProgress?: (progress: ExploreProgress) => void;
}

export interface ExploreProgress {
  phase: 'runs' | 'shrinking';
  done: number;
  total: number;
  failing: number;
  groups: number;
}

/** A run as the findings keep it. */
export interface RunRecord {
  index: number;
  seed: number;
  kinds: ExploreStepKind[];
  steps: number;
  /** The kinds its schedule has. */
  stepKinds: ExploreStepKind[];
  /** The groups of its failures. */
  failures: string[];
  protocols: string[];
  wallMs: number;
}

/** Failures of one rule (on one kind of actor), with the smallest reproducer found. */
export interface FailureGroup {
  key: string;
  rule: string;
  actor: string;
  /** Runs that failed this way. */
  count: number;
  /** The run whose schedule was shrunk: the one with fewest steps, the first of those. */
  run: { index: number; seed: number; steps: ScheduleStep[]; failure: Failure };
  /** The shrunk schedule; absent when the exploration was stopped before it was shrunk. */
  shrunk?: Omit<ShrinkDone, 'kind'>;
}

export interface Exploration {
  name: string;
  file: string;
  seed: number;
  runsPlanned: number;
  runs: RunRecord[];
  groups: FailureGroup[];
  /** Set when Ctrl-C or SIGTERM stopped it: what was found so far is kept. */
  interrupted: boolean;
  kinds: ExploreStepKind[];
  runsWallMs: number;
  shrinkWallMs: number;
}

export async function explore(plan: ExplorePlan, options: ExploreOptions): Promise<Exploration> {
  const pool = new ExplorePool(options.jobs);
  const runs: RunRecord[] = [];
  const drawn: DrawnRun[] = [];
  const groups = new Map<string, FailureGroup>();
  const startedAt = performance.now();
  const aborted = () => options.signal?.aborted === true;
  const outOfTime = () => options.budgetMs !== undefined && performance.now() - startedAt >= options.budgetMs;
  const progress = (phase: ExploreProgress['phase'], done: number, total: number) =>
    options.onProgress?.({ phase, done, total, failing: runs.filter((run) => run.failures.length > 0).length, groups: groups.size });
  try {
    // Runs go in batches of a few per thread: between two batches the budget and a signal are looked at.
    const batchSize = Math.max(4, options.jobs * 4);
    const share = options.share ?? Array.from({ length: options.runs }, (_, index) => index);
    while (runs.length < share.length && !aborted() && !outOfTime()) {
      const batch = share.slice(runs.length, runs.length + batchSize).map((index) => drawRun(plan.base.space, options.seed, index));
      const tasks = batch.map((run) => ({ kind: 'run' as const, base: plan.base, index: run.index, seed: run.seed, steps: run.steps }));
      let finished = runs.length;
      const results = await pool.run<RunDone>(tasks, options.signal, () => progress('runs', ++finished, share.length));
      // Only a whole prefix of runs counts, so that an interrupted exploration is a prefix of the full one.
      for (const [offset, result] of results.entries()) {
        if (result === undefined) break;
        const run = batch[offset]!;
        drawn.push(run);
        runs.push({ index: run.index, seed: run.seed, kinds: run.kinds, steps: run.steps.length, stepKinds: [...new Set(run.steps.map((step) => step.kind))], failures: result.failures.map(failureKey), protocols: result.protocols, wallMs: result.wallMs });
        addFailures(groups, run, result.failures);
      }
    }
    const runsWallMs = performance.now() - startedAt;

    const shrinkStartedAt = performance.now();
    const toShrink = [...groups.values()];
    if (!aborted() && toShrink.length > 0) {
      progress('shrinking', 0, toShrink.length);
      let shrunkCount = 0;
      const tasks: ShrinkTask[] = toShrink.map((group) => ({ kind: 'shrink', base: plan.base, seed: group.run.seed, steps: group.run.steps, key: group.key, maxTries: options.maxShrinkTries ?? 300 }));
      const results = await pool.run<ShrinkDone>(tasks, options.signal, () => progress('shrinking', ++shrunkCount, toShrink.length));
      results.forEach((result, index) => {
        if (result === undefined) return;
        const { kind: _kind, ...shrunk } = result;
        toShrink[index]!.shrunk = shrunk;
      });
    }
    return {
      name: plan.name,
      file: plan.base.file,
      seed: options.seed,
      runsPlanned: options.runs,
      runs,
      groups: toShrink,
      interrupted: aborted(),
      kinds: plan.base.space.kinds,
      runsWallMs,
      shrinkWallMs: performance.now() - shrinkStartedAt,
    };
  } finally {
    await pool.close();
  }
}

/** Files a run's failures under their groups; a group keeps the failing run with the fewest steps. */
function addFailures(groups: Map<string, FailureGroup>, run: DrawnRun, failures: readonly Failure[]): void {
  for (const failure of failures) {
    const key = failureKey(failure);
    const group = groups.get(key);
    const candidate = { index: run.index, seed: run.seed, steps: run.steps, failure };
    if (group === undefined) {
      groups.set(key, { key, rule: failure.rule, actor: failure.actor, count: 1, run: candidate });
      continue;
    }
    group.count++;
    if (run.steps.length < group.run.steps.length) group.run = candidate;
  }
}
