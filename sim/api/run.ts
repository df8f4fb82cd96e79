// The package API's runs: thin functions over what `clustersim run` and `clustersim check` do,
// for a test runner. Nothing is written unless an output directory is given.
import { readFileSync } from 'node:fs';
import { renderReport, runVerdict } from '../../reports/report.js';
import { summarize, type Summary } from '../../reports/summary.js';
import { checkOutputDirectory, writeReportFiles } from '../../reports/write.js';
import { reportDirectories, scenarioFiles } from '../cli/commands/check.js';
import { applyChanges } from '../experiments/variant.js';
import { checkScenarioWithPolicy, type ScenarioCheck } from '../run/check-scenario.js';
import { evaluateExpectations, type ExpectationResult } from '../run/expectations.js';
import { runScenarioInterruptibly, type RunResult } from '../run/run.js';
import { loadScenarioFile, ScenarioError, type LoadedScenario } from '../scenario/load.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { LimitError, RunStoppedError } from './errors.js';

/** Part of a scenario, laid over it: mappings merge key by key, a list or a value replaces, null deletes. */
export type ScenarioOverlay = OverlayOf<ScenarioInput>;
type OverlayOf<T> = T extends readonly unknown[] ? T : T extends object ? { [Key in keyof T]?: OverlayOf<T[Key]> | null } : T;

export interface LoadOptions {
  /** Laid over the file in order, as `clustersim compare` lays its overlay files. */
  overlays?: readonly ScenarioOverlay[];
}

/**
 * A scenario file, validated as `clustersim run` validates it, then with the overlays laid over
 * it. Bad input is a ScenarioError with each problem's file, line, column and path.
 */
export function loadScenario(file: string, options: LoadOptions = {}): LoadedScenario {
  const loaded = loadScenarioFile(file);
  const overlays = options.overlays ?? [];
  if (overlays.length === 0) return loaded;
  const changes = overlays.map((document, index) => ({ kind: 'overlay' as const, document, origin: `overlay ${index + 1}` }));
  return applyChanges(readFileSync(file, 'utf8'), file, changes).loaded;
}

export interface RunOptions extends LoadOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Writes the report (summary.json, index.html, the charts) there; none: nothing is written. */
  out?: string;
  /** Stops the run; the RunStoppedError it throws carries the summary so far. */
  signal?: AbortSignal;
}

/** What `summary.json` holds (contract): the summary, the verdict and each expectation's result. */
export interface RunSummary extends Summary {
  verdict: 'pass' | 'fail';
  expectations: ExpectationResult[];
}

/**
 * Runs a scenario in this thread, like `clustersim run`. Resolves with its summary (a failed
 * expectation or broken rule is a `verdict: 'fail'`, not a throw); throws a ScenarioError for bad
 * input, a LimitError when a bound of `limits:` is exceeded, a RunStoppedError when the routing
 * policy fails or `signal` aborts.
 */
export async function run(scenario: string | LoadedScenario, options: RunOptions = {}): Promise<RunSummary> {
  if (typeof scenario !== 'string' && options.overlays !== undefined)
    throw new TypeError('overlays apply to a scenario file: give them to loadScenario, or give run() the file');
  const loaded = typeof scenario === 'string' ? loadScenario(scenario, options) : scenario;
  if (options.out !== undefined) checkOutputDirectory(options.out);
  const result = await runScenarioInterruptibly(
    loaded,
    options.signal ?? new AbortController().signal,
    options.seed === undefined ? {} : { seed: options.seed },
  );
  const summary = summarize(result);
  const expectations = evaluateExpectations(loaded.scenario.expect, summary);
  if (options.out !== undefined) writeReportFiles(options.out, renderReport(result, expectations).files);
  throwIfStopped(result, summary);
  return { ...summary, verdict: runVerdict(result, summary, expectations), expectations };
}

function throwIfStopped(result: RunResult, summary: Summary): void {
  const stop = result.stopped;
  if (stop === undefined) return;
  throw stop.cause === 'limit' && stop.limit !== undefined ? new LimitError(stop, summary, stop.limit) : new RunStoppedError(stop, summary);
}

export interface CheckOptions {
  /** One report directory per scenario under it, as `clustersim check --out`; none: nothing is written. */
  out?: string;
}

/**
 * Runs a suite like `clustersim check`, one scenario after another in this thread: files, or
 * directories of *.yaml. A scenario that is bad input is an `error` verdict, not a throw.
 */
export async function check(paths: string | readonly string[], options: CheckOptions = {}): Promise<ScenarioCheck[]> {
  const files = scenarioFiles(typeof paths === 'string' ? [paths] : paths);
  if (typeof files === 'string') throw new ScenarioError([{ file: String(paths), line: 0, column: 0, path: '', message: files }]);
  const reports = options.out === undefined ? undefined : reportDirectories(files, options.out);
  const checks: ScenarioCheck[] = [];
  for (const [index, file] of files.entries()) {
    const reportDirectory = reports?.[index];
    checks.push(await checkScenarioWithPolicy(reportDirectory === undefined ? { file } : { file, reportDirectory }));
  }
  return checks;
}
