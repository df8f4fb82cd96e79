// The package API's experiments: thin functions over what `clustersim compare`, `sweep` and
// `explore` do. Runs go on worker threads when `jobs` is above 1; nothing is written unless an
// output directory is given.
import { renderCompareReport } from '../../reports/compare/compare-report.js';
import { renderSweepReport } from '../../reports/sweep/sweep-report.js';
import { checkOutputDirectory, writeReportFiles } from '../../reports/write.js';
import { planCompareOverlays, runCompare, type CompareResult } from '../experiments/compare.js';
import { planSweep, runSweep, type SweepResult } from '../experiments/sweep.js';
import { explore as exploreSchedules, planExploration, type Exploration } from '../explore/explore.js';
import { explorationFiles } from '../explore/report.js';
import type { ScenarioOverlay } from './run.js';

export interface CompareOptions {
  /** Laid over the scenario for the baseline; `{}` runs it as it is. */
  baseline: ScenarioOverlay;
  candidate: ScenarioOverlay;
  /** Seeds per side (default: the scenario's compare.seeds, else 20). */
  seeds?: number;
  /** How much worse the candidate may be, e.g. `latency.http.p99<=+5%`; added to the scenario's compare.tolerances. */
  tolerances?: readonly string[];
  /** Runs at once (default 1: in this thread). */
  jobs?: number;
  out?: string;
}

/**
 * Runs a baseline and a candidate of a scenario on the same seeds, like `clustersim compare`.
 * `worse` is true when a figure is worse beyond its tolerance. Throws a CompareError for
 * fewer than 2 seeds or a bad tolerance, a ScenarioError for a bad overlay.
 */
export async function compare(file: string, options: CompareOptions): Promise<CompareResult> {
  const plan = planCompareOverlays(
    { file, tolerances: options.tolerances ?? [], ...(options.seeds === undefined ? {} : { seeds: options.seeds }) },
    { label: 'baseline', document: options.baseline },
    { label: 'candidate', document: options.candidate },
  );
  if (options.out !== undefined) checkOutputDirectory(options.out);
  const result = await runCompare(plan, { jobs: options.jobs ?? 1 });
  if (options.out !== undefined) writeReportFiles(options.out, renderCompareReport(result));
  return result;
}

export interface SweepOptions {
  /** `PATH=VALUES` texts, e.g. `cluster.nodes.count=2..6`; added to the scenario's sweep.params. */
  params?: readonly string[];
  seeds?: number;
  /** A question about the grid, e.g. `min cluster.nodes.count where sessions.dropped == 0`. */
  find?: string;
  jobs?: number;
  out?: string;
}

/** Runs a scenario over a grid of parameters, like `clustersim sweep`. Throws a SweepError for bad parameters. */
export async function sweep(file: string, options: SweepOptions = {}): Promise<SweepResult> {
  const plan = planSweep({
    file,
    params: options.params ?? [],
    ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
    ...(options.find === undefined ? {} : { find: options.find }),
  });
  if (options.out !== undefined) checkOutputDirectory(options.out);
  const result = await runSweep(plan, { jobs: options.jobs ?? 1 });
  if (options.out !== undefined) writeReportFiles(options.out, renderSweepReport(result, options.out));
  return result;
}

export interface ExploreOptions {
  /** The explorer's seed (default: the scenario's): same seed, same runs and findings. */
  seed?: number;
  /** Schedules to draw (default: the scenario's explore.runs, else 100). */
  runs?: number;
  jobs?: number;
  signal?: AbortSignal;
  out?: string;
}

/** Runs seeded fault schedules against a scenario, like `clustersim explore`; `groups` holds the distinct failures, shrunk. */
export async function explore(file: string, options: ExploreOptions = {}): Promise<Exploration> {
  const plan = planExploration(file);
  if (options.out !== undefined) checkOutputDirectory(options.out);
  const exploration = await exploreSchedules(plan, {
    seed: options.seed ?? plan.seed,
    runs: options.runs ?? plan.defaultRuns,
    jobs: options.jobs ?? 1,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.out !== undefined) writeReportFiles(options.out, explorationFiles(plan.base, exploration));
  return exploration;
}
