import { parseExpectation, type ParsedExpectation } from '../run/expectations.js';
import { readScenarioText, ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { figureValue, keyFigureNames, withFigures } from './figures.js';
import { answerFind, FindError, parseFind, type FindAnswer, type FindQuery } from './find.js';
import { expandGrid, formatValue, ParameterError, parameterOf, parseParameter, type Parameter } from './parameters.js';
import type { RunJob, RunOutcome } from './run-job.js';
import { runMany, type RunManyOptions } from './runner.js';
import { applyChanges, type Change, type Variant } from './variant.js';

export interface SweepRequest {
  file: string;
  /** `PATH=SPEC` texts, added to the scenario's `sweep.params` (replacing one of the same path). */
  params: readonly string[];
  seeds?: number;
  find?: string;
}

/** A grid point: one value per parameter, and the scenario with them applied. */
export interface SweepPoint {
  index: number;
  values: unknown[];
  variant: Variant;
}

export interface SweepPlan {
  file: string;
  base: LoadedScenario;
  parameters: Parameter[];
  seedsPerPoint: number;
  points: SweepPoint[];
  find: FindQuery | undefined;
}

export interface SweepRun {
  point: number;
  values: unknown[];
  seed: number;
  outcome: RunOutcome;
}

/** The mean and the spread over seeds of one figure at one grid point. */
export interface FigureSpread {
  mean: number;
  min: number;
  max: number;
}

export interface SweepResult {
  plan: SweepPlan;
  runs: SweepRun[];
  figureNames: string[];
  /** Per point, per figure name. */
  spreads: Record<string, FigureSpread | null>[];
  answers: FindAnswer[] | undefined;
  /** Why the sweep stopped before all its runs were done (Ctrl-C, SIGTERM); its figures are of the runs done. */
  incomplete?: string;
}

// A sweep is many runs; a bound keeps a typo from planning days of them.
export const maxRunsPerSweep = 100_000;

/**
 * Plans a sweep: every grid point's scenario is built and validated before anything runs,
 * so a bad value stops the sweep with the schema's message and nothing is written.
 */
export function planSweep(request: SweepRequest, text = readScenarioText(request.file)): SweepPlan {
  const base = applyChanges(text, request.file, []).loaded;
  const section = base.scenario.sweep;
  let parameters: Parameter[];
  try {
    const given = request.params.map(parseParameter);
    // The command line adds to the file's sweep and overrides a parameter of the same path.
    parameters = [...fileParameters(base).filter((parameter) => !given.some((other) => other.name === parameter.name)), ...given];
  } catch (error) {
    if (error instanceof ParameterError) throw new SweepError(error.message);
    throw error;
  }
  if (parameters.length === 0) throw new SweepError('nothing to sweep: give --param PATH=VALUES or a sweep: section with params');
  const duplicate = parameters.find((parameter, index) => parameters.findIndex((other) => other.name === parameter.name) !== index);
  if (duplicate !== undefined) throw new SweepError(`parameter ${duplicate.name} is given twice`);
  const seedsPerPoint = request.seeds ?? section?.seeds ?? 3;
  const grid = expandGrid(parameters);
  if (grid.length * seedsPerPoint > maxRunsPerSweep) throw new SweepError(`${grid.length} grid points × ${seedsPerPoint} seeds is more than ${maxRunsPerSweep} runs`);
  const points = grid.map((point) => {
    const changes: Change[] = parameters.map((parameter, index) => ({
      kind: 'set',
      path: parameter.path,
      value: point.values[index],
      origin: `${parameter.name}=${formatValue(point.values[index])}`,
    }));
    return { index: point.index, values: point.values, variant: applyChanges(text, request.file, changes) };
  });
  const findText = request.find ?? section?.find;
  let find: FindQuery | undefined;
  try {
    find = findText === undefined ? undefined : parseFind(findText, parameters);
  } catch (error) {
    if (error instanceof FindError) throw new SweepError(`--find: ${error.message}`);
    throw error;
  }
  return { file: request.file, base, parameters, seedsPerPoint, points, find };
}

function fileParameters(base: LoadedScenario): Parameter[] {
  const params = base.scenario.sweep?.params ?? {};
  return Object.entries(params).map(([name, spec]) => {
    try {
      return parameterOf(name, spec);
    } catch (error) {
      if (error instanceof ParameterError) throw new ScenarioError([base.problemAt(['sweep', 'params', name], error.message)]);
      throw error;
    }
  });
}

/** A sweep that cannot start: bad parameters or question. The CLI exits with code 2. */
export class SweepError extends Error {}

/** Seeds of a point: counted up from its scenario's seed, so `seed` itself can be swept too. */
export function seedsOf(point: SweepPoint, seedsPerPoint: number): number[] {
  return Array.from({ length: seedsPerPoint }, (_, index) => point.variant.loaded.scenario.seed + index);
}

/** A run of a sweep: a grid point and a seed. */
export interface SweepJob {
  point: SweepPoint;
  seed: number;
}

/** The sweep's runs in its order, every seed of one grid point after the other: the items a shard takes its share of. */
export function sweepJobs(plan: SweepPlan): SweepJob[] {
  return plan.points.flatMap((point) => seedsOf(point, plan.seedsPerPoint).map((seed) => ({ point, seed })));
}

export function sweepRunJob(plan: SweepPlan, job: SweepJob): RunJob {
  return { text: job.point.variant.text, file: plan.file, seed: job.seed };
}

export async function runSweep(plan: SweepPlan, options: RunManyOptions): Promise<SweepResult> {
  const jobs = sweepJobs(plan);
  const outcomes = await runMany(
    jobs.map((job) => sweepRunJob(plan, job)),
    options,
  );
  return sweepResult(plan, outcomes, options.signal?.aborted === true ? String(options.signal.reason) : undefined);
}

/**
 * The result of a sweep from the outcomes of its runs, in the order of sweepJobs: the same
 * whether the runs were done here or in shards. Runs left undone by an interruption are absent.
 */
export function sweepResult(plan: SweepPlan, outcomes: readonly (RunOutcome | undefined)[], incomplete?: string): SweepResult {
  const runs = sweepJobs(plan).flatMap(({ point, seed }, index) => {
    const outcome = outcomes[index];
    return outcome === undefined ? [] : [{ point: point.index, values: point.values, seed, outcome }];
  });
  const result = summarizeSweep(plan, runs);
  return incomplete === undefined ? result : { ...result, incomplete };
}

export function summarizeSweep(plan: SweepPlan, runs: SweepRun[]): SweepResult {
  const figureNames = withFigures(
    keyFigureNames(runs.map((run) => run.outcome.summary)),
    (plan.find?.conditions ?? []).map((condition) => (parseExpectation(condition) as ParsedExpectation).path.join('.')),
  );
  const runsByPoint = plan.points.map((point) => runs.filter((run) => run.point === point.index));
  const spreads = runsByPoint.map((pointRuns) =>
    Object.fromEntries(
      figureNames.map((name) => {
        const values = pointRuns.map((run) => figureValue(run.outcome.summary, name)).filter((value): value is number => value !== undefined);
        if (values.length === 0) return [name, null];
        return [name, { mean: values.reduce((total, value) => total + value, 0) / values.length, min: Math.min(...values), max: Math.max(...values) }];
      }),
    ),
  );
  const answers =
    plan.find === undefined
      ? undefined
      : answerFind(
          plan.find,
          plan.parameters,
          plan.points.map((point, index) => ({ values: point.values, summaries: runsByPoint[index]!.map((run) => run.outcome.summary) })),
        );
  return { plan, runs, figureNames, spreads, answers };
}
