import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import { figureValue, keyFigureNames, withFigures } from './figures.js';
import type { RunOutcome } from './run-job.js';
import { runMany } from './runner.js';
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
}

export class CompareError extends Error {}

export function planCompare(request: CompareRequest, text = readFileSync(request.file, 'utf8')): ComparePlan {
  return planCompareOverlays(request, { label: request.baselineFile, document: readOverlay(request.baselineFile) }, { label: request.candidateFile, document: readOverlay(request.candidateFile) }, text);
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
  text = readFileSync(request.file, 'utf8'),
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

/** An overlay file: a YAML mapping laid over the scenario (see applyChanges). */
function readOverlay(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    throw new ScenarioError([{ file, line: 0, column: 0, path: '', message: `cannot read the overlay: ${reason}` }]);
  }
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

export async function runCompare(plan: ComparePlan, options: { jobs: number; onDone?: (done: number, total: number) => void }): Promise<CompareResult> {
  const jobs = [
    ...plan.baselineSeeds.map((seed) => ({ text: plan.baseline.variant.text, file: plan.file, seed })),
    ...plan.candidateSeeds.map((seed) => ({ text: plan.candidate.variant.text, file: plan.file, seed })),
  ];
  const outcomes = await runMany(jobs, options);
  return summarizeCompare(plan, outcomes.slice(0, plan.baselineSeeds.length), outcomes.slice(plan.baselineSeeds.length));
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
