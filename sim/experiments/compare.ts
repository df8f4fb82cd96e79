import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { readScenarioText, ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { figureValue, keyFigureNames, withFigures } from './figures.js';
import type { RunJob, RunOutcome } from './run-job.js';
import { runMany, type RunManyOptions } from './runner.js';
import { mean, pairedDifference, welchDifference, type Interval } from './statistics.js';
import { judge, parseTolerance, ToleranceError, type Tolerance, type Verdict } from './tolerance.js';
import { applyChanges, type Variant } from './variant.js';

export interface CompareRequest {
  file: string;
  baselineFile: string;
  candidateFile: string;
  seeds?: number;
  /** Tolerance texts from the command line; added to the scenario's `compare.tolerances`. */
  tolerances: readonly string[];
  /**
   * The control experiment: the candidate runs on other seeds than the baseline, and the
   * interval is Welch's for independent samples. Shows what common random numbers save.
   */
  independentSeeds?: boolean;
}

export interface ComparePlan {
  file: string;
  base: LoadedScenario;
  baseline: { file: string; variant: Variant };
  candidate: { file: string; variant: Variant };
  baselineSeeds: number[];
  candidateSeeds: number[];
  independentSeeds: boolean;
  tolerances: Tolerance[];
}

export interface FigureComparison {
  figure: string;
  baseline: number[];
  candidate: number[];
  baselineMean: number;
  candidateMean: number;
  /** Candidate − baseline, with its 95% confidence interval. */
  difference: Interval;
  tolerance: Tolerance | undefined;
  /** Undefined when no tolerance names the figure: it is reported, not judged. */
  verdict: Verdict | undefined;
}

export interface CompareResult {
  plan: ComparePlan;
  baselineRuns: RunOutcome[];
  candidateRuns: RunOutcome[];
  figures: FigureComparison[];
  /** With common random numbers, each pair must have started the same sessions at the same times. */
  sameArrivalsInEveryPair: boolean;
  worse: boolean;
  /** Why the comparison stopped before all its runs were done (Ctrl-C, SIGTERM); its figures are of the pairs done. */
  incomplete?: string;
}

export class CompareError extends Error {}

/** The texts of the two overlays, when they come from elsewhere than their files (a shard's partial result). */
export interface OverlayTexts {
  baseline: string;
  candidate: string;
}

export function planCompare(request: CompareRequest, text = readScenarioText(request.file), overlays?: OverlayTexts): ComparePlan {
  const side = (file: string, role: 'baseline' | 'candidate'): CompareSide => ({ label: file, document: parseOverlay(file, overlays?.[role] ?? readOverlay(file)) });
  return planCompareOverlays(request, side(request.baselineFile, 'baseline'), side(request.candidateFile, 'candidate'), text);
}

/** One side of a comparison: an overlay document, and what names it in messages and reports (its file). */
export interface CompareSide {
  label: string;
  document: unknown;
}

/** Plans a comparison of two overlays given as documents (the package API's way; the CLI's reads files). */
export function planCompareOverlays(
  request: Omit<CompareRequest, 'baselineFile' | 'candidateFile'>,
  baseline: CompareSide,
  candidate: CompareSide,
  text = readScenarioText(request.file),
): ComparePlan {
  const base = applyChanges(text, request.file, []).loaded;
  const side = (overlay: CompareSide, role: string) => ({
    file: overlay.label,
    variant: applyChanges(text, request.file, [{ kind: 'overlay', document: overlay.document, origin: `${role} ${overlay.label}` }]),
  });
  const seedCount = request.seeds ?? base.scenario.compare?.seeds ?? 20;
  if (seedCount < 2) throw new CompareError('a comparison needs at least 2 seeds for a confidence interval');
  let tolerances: Tolerance[];
  try {
    tolerances = [...(base.scenario.compare?.tolerances ?? []), ...request.tolerances].map(parseTolerance);
  } catch (error) {
    if (error instanceof ToleranceError) throw new CompareError(error.message);
    throw error;
  }
  const first = base.scenario.seed;
  const baselineSeeds = Array.from({ length: seedCount }, (_, index) => first + index);
  const independentSeeds = request.independentSeeds === true;
  return {
    file: request.file,
    base,
    baseline: side(baseline, 'baseline'),
    candidate: side(candidate, 'candidate'),
    baselineSeeds,
    candidateSeeds: independentSeeds ? baselineSeeds.map((seed) => seed + seedCount) : baselineSeeds,
    independentSeeds,
    tolerances,
  };
}

/** The text of an overlay file. */
export function readOverlay(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message: `cannot read the overlay: ${reason}` }]);
  }
}

/** An overlay: a YAML mapping laid over the scenario (see applyChanges). */
function parseOverlay(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const first = document.errors[0];
  if (first !== undefined) {
    const position = lineCounter.linePos(first.pos[0]);
    throw new ScenarioError([{ file, line: position.line, column: position.col, path: '', message: `YAML: ${first.message.split('\n')[0]}` }]);
  }
  const overlay: unknown = document.toJS();
  if (overlay === null || typeof overlay !== 'object' || Array.isArray(overlay)) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: 'an overlay is a mapping of the scenario keys it changes, e.g. "cluster: { routers: 2 }"' }]);
  }
  return overlay;
}

/**
 * The runs of a comparison in its order, each baseline run followed by the candidate run of its
 * pair: the items a shard takes its share of, and an order in which an interrupted comparison
 * has whole pairs to compare.
 */
export function compareJobs(plan: ComparePlan): RunJob[] {
  return plan.baselineSeeds.flatMap((seed, index) => [
    { text: plan.baseline.variant.text, file: plan.file, seed },
    { text: plan.candidate.variant.text, file: plan.file, seed: plan.candidateSeeds[index]! },
  ]);
}

export async function runCompare(plan: ComparePlan, options: RunManyOptions): Promise<CompareResult> {
  const outcomes = await runMany(compareJobs(plan), options);
  return compareResult(plan, outcomes, options.signal?.aborted === true ? String(options.signal.reason) : undefined);
}

/**
 * The result of a comparison from the outcomes of its runs, in the order of compareJobs: the
 * same whether the runs were done here or in shards. Interrupted, it compares the pairs whose
 * two runs were both done.
 */
export function compareResult(plan: ComparePlan, outcomes: readonly (RunOutcome | undefined)[], incomplete?: string): CompareResult {
  const done = plan.baselineSeeds.map((_, index) => index).filter((index) => outcomes[2 * index] !== undefined && outcomes[2 * index + 1] !== undefined);
  const kept = done.length === plan.baselineSeeds.length ? plan : { ...plan, baselineSeeds: done.map((index) => plan.baselineSeeds[index]!), candidateSeeds: done.map((index) => plan.candidateSeeds[index]!) };
  const result = summarizeCompare(
    kept,
    done.map((index) => outcomes[2 * index]!),
    done.map((index) => outcomes[2 * index + 1]!),
  );
  return incomplete === undefined ? result : { ...result, incomplete };
}

export function summarizeCompare(plan: ComparePlan, baselineRuns: RunOutcome[], candidateRuns: RunOutcome[]): CompareResult {
  const names = withFigures(
    keyFigureNames([...baselineRuns, ...candidateRuns].map((run) => run.summary)),
    plan.tolerances.map((tolerance) => tolerance.figure),
  );
  const figures: FigureComparison[] = [];
  for (const figure of names) {
    const baseline = baselineRuns.map((run) => figureValue(run.summary, figure));
    const candidate = candidateRuns.map((run) => figureValue(run.summary, figure));
    const tolerance = plan.tolerances.find((entry) => entry.figure === figure);
    if (baseline.some((value) => value === undefined) || candidate.some((value) => value === undefined)) {
      if (tolerance !== undefined) throw new CompareError(`tolerance "${tolerance.text}": no figure "${figure}" in the summaries of both sides`);
      continue;
    }
    const baselineValues = baseline as number[];
    const candidateValues = candidate as number[];
    const difference = plan.independentSeeds ? welchDifference(baselineValues, candidateValues) : pairedDifference(baselineValues, candidateValues);
    const baselineMean = mean(baselineValues);
    figures.push({
      figure,
      baseline: baselineValues,
      candidate: candidateValues,
      baselineMean,
      candidateMean: mean(candidateValues),
      difference,
      tolerance,
      verdict: tolerance === undefined ? undefined : judge(tolerance, difference, baselineMean),
    });
  }
  const started = (run: RunOutcome) => figureValue(run.summary, 'sessions.started');
  return {
    plan,
    baselineRuns,
    candidateRuns,
    figures,
    sameArrivalsInEveryPair: !plan.independentSeeds && baselineRuns.every((run, index) => started(run) === started(candidateRuns[index]!)),
    worse: figures.some((figure) => figure.verdict === 'worse'),
  };
}
