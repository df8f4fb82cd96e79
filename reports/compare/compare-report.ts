import { escapeHtml } from '../html.js';
import { clustersimVersion } from '../summary.js';
import type { CompareResult } from '../../sim/experiments/compare.js';
import { figureValue, isDurationFigure } from '../../sim/experiments/figures.js';
import type { RunOutcome } from '../../sim/experiments/run-job.js';
import { allowedChange } from '../../sim/experiments/tolerance.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { formatFigure } from '../charts/format.js';
import { compareChart } from './compare-chart.js';

/**
 * Every output of a comparison: summary.json (per figure both means, the difference with its
 * interval and the verdict; every run's figures), runs.csv, comparison.svg, index.html, and
 * the two merged scenarios. Pure: same result, same bytes.
 */
export function renderCompareReport(result: CompareResult): Map<string, string> {
  const format = formatter(result);
  const files = new Map<string, string>();
  files.set('baseline.yaml', result.plan.baseline.variant.text);
  files.set('candidate.yaml', result.plan.candidate.variant.text);
  files.set('runs.csv', runsCsv(result));
  const svg = compareChart(result.figures, `${result.plan.base.scenario.name}: candidate against baseline`, subtitle(result), format);
  files.set('comparison.svg', svg);
  files.set('index.html', compareHtml(result, svg, format));
  files.set('summary.json', `${JSON.stringify(compareJson(result), null, 2)}\n`);
  return files;
}

function subtitle(result: CompareResult): string {
  const { plan } = result;
  const pairing = plan.independentSeeds ? 'independent seeds (Welch interval)' : 'common random numbers, paired by seed';
  return `${plan.baselineSeeds.length} seeds each, ${pairing}; bar: 95% interval; dashed: tolerance`;
}

function formatter(result: CompareResult): (figure: string, value: number) => string {
  const sample = result.baselineRuns[0]?.summary;
  return (figure, value) => {
    if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
    if (isDurationFigure(sample, figure)) return `${value < 0 ? '-' : ''}${formatDuration(Math.round(Math.abs(value)))}`;
    return formatFigure(value);
  };
}

function compareJson(result: CompareResult): unknown {
  const { plan } = result;
  return {
    clustersim: clustersimVersion,
    kind: 'compare',
    ...(result.incomplete === undefined ? {} : { incomplete: true, incompleteReason: result.incomplete }),
    scenario: { name: plan.base.scenario.name, file: plan.file, sha256: plan.base.hash },
    baseline: plan.baseline.file,
    candidate: plan.candidate.file,
    seeds: { baseline: plan.baselineSeeds, candidate: plan.candidateSeeds },
    pairing: plan.independentSeeds ? 'independent' : 'common-random-numbers',
    sameArrivalsInEveryPair: result.sameArrivalsInEveryPair,
    pairsWithOtherArrivals: pairsWithOtherArrivals(result),
    verdict: overallVerdict(result),
    overlayChanges: overlayChanges(result),
    figures: result.figures.map((figure) => ({
      figure: figure.figure,
      baselineMean: figure.baselineMean,
      candidateMean: figure.candidateMean,
      changePercent: nullIfInfinite(changePercent(figure.baselineMean, figure.candidateMean)),
      difference: { mean: figure.difference.mean, low95: nullIfInfinite(figure.difference.low), high95: nullIfInfinite(figure.difference.high), degreesOfFreedom: nullIfInfinite(figure.difference.degreesOfFreedom) },
      tolerance: figure.tolerance?.text ?? null,
      allowedChange: figure.tolerance === undefined ? null : allowedChange(figure.tolerance, figure.baselineMean) * figure.tolerance.worseDirection,
      verdict: figure.verdict ?? null,
      baseline: figure.baseline,
      candidate: figure.candidate,
    })),
  };
}

function nullIfInfinite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function runsCsv(result: CompareResult): string {
  const names = result.figures.map((figure) => figure.figure);
  const sample = result.baselineRuns[0]?.summary;
  const header = ['side', 'seed', 'expectations', ...names.map((name) => (isDurationFigure(sample, name) ? `${name}Us` : name))];
  const row = (side: string, run: RunOutcome) => [side, String(run.seed), run.passed ? 'pass' : 'fail', ...names.map((name) => String(figureValue(run.summary, name) ?? ''))];
  const rows = [...result.baselineRuns.map((run) => row('baseline', run)), ...result.candidateRuns.map((run) => row('candidate', run))];
  return `${[header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
}

/** The pairs (by seed) whose runs did not start the same sessions: their differences are not the change's alone. */
function pairsWithOtherArrivals(result: CompareResult): number {
  if (result.plan.independentSeeds) return 0;
  const started = (run: RunOutcome) => figureValue(run.summary, 'sessions.started');
  return result.baselineRuns.filter((run, index) => started(run) !== started(result.candidateRuns[index]!)).length;
}

/**
 * ok, worse, or no verdict at all when the pairs did not share their arrivals, or when the
 * comparison was stopped before its seeds were done (the figures are then of the pairs done).
 */
function overallVerdict(result: CompareResult): 'ok' | 'worse' | 'arrivals-differ' | 'incomplete' {
  if (result.incomplete !== undefined) return 'incomplete';
  if (!result.plan.independentSeeds && !result.sameArrivalsInEveryPair) return 'arrivals-differ';
  return result.worse ? 'worse' : 'ok';
}

function changePercent(baseline: number, candidate: number): number {
  if (baseline === 0) return candidate === 0 ? 0 : candidate > 0 ? Infinity : -Infinity;
  return ((candidate - baseline) / Math.abs(baseline)) * 100;
}

function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return percent > 0 ? '+∞' : '−∞';
  const rounded = Math.abs(percent) >= 10 ? Math.round(percent) : Math.round(percent * 10) / 10;
  return `${rounded > 0 ? '+' : ''}${rounded}%`;
}

/** What the candidate's overlay changed against the baseline's, as lines of the merged scenarios. */
function overlayChanges(result: CompareResult): { removed: string[]; added: string[] } {
  const baseline = result.plan.baseline.variant.text.split('\n');
  const candidate = result.plan.candidate.variant.text.split('\n');
  const common = longestCommonLines(baseline, candidate);
  return { removed: baseline.filter((_, index) => !common.baseline.has(index)), added: candidate.filter((_, index) => !common.candidate.has(index)) };
}

/** Indexes of the lines both texts share in order (longest common subsequence; scenarios are short). */
function longestCommonLines(a: readonly string[], b: readonly string[]): { baseline: Set<number>; candidate: Set<number> } {
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const baseline = new Set<number>();
  const candidate = new Set<number>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      baseline.add(i++);
      candidate.add(j++);
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) i++;
    else j++;
  }
  return { baseline, candidate };
}

function compareHtml(result: CompareResult, svg: string, format: (figure: string, value: number) => string): string {
  const { plan } = result;
  const verdict = overallVerdict(result);
  const rows = result.figures
    .map(
      (figure) =>
        `<tr class="${figure.verdict ?? ''}"><td><code>${escapeHtml(figure.figure)}</code></td><td>${format(figure.figure, figure.baselineMean)}</td><td>${format(figure.figure, figure.candidateMean)}</td><td>${format(figure.figure, figure.difference.mean)}</td><td>${formatPercent(changePercent(figure.baselineMean, figure.candidateMean))}</td><td>[${format(figure.figure, figure.difference.low)}, ${format(figure.figure, figure.difference.high)}]</td><td>${escapeHtml(figure.tolerance?.text ?? '')}</td><td>${figure.verdict ?? ''}</td></tr>`,
    )
    .join('\n');
  const changes = overlayChanges(result);
  const changeLines = [...changes.removed.map((line) => `- ${line}`), ...changes.added.map((line) => `+ ${line}`)];
  const differing = pairsWithOtherArrivals(result);
  const warning =
    verdict === 'arrivals-differ'
      ? `<p class="warning">NO VERDICT: the arrivals differ in ${differing} of ${plan.baselineSeeds.length} pairs (the candidate's runs did not start the same sessions as the baseline's). The differences below mix the change with a different load, and their intervals assume pairs that share their arrivals: they are not a comparison of the change. Keep the workload the same in both overlays, or run with <code>--independent-seeds</code>.</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clustersim compare: ${escapeHtml(plan.base.scenario.name)}</title>
<style>
  body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
  table { border-collapse: collapse; margin: 8px 0 20px; }
  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
  td:first-child, th:first-child { text-align: left; }
  .verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; color: #fff; font-weight: bold; }
  .verdict.ok, tr.ok td:last-child { background: #2e7d32; color: #fff; }
  .verdict.worse, tr.worse td:last-child { background: #c62828; color: #fff; }
  .verdict.arrivals-differ { background: #6a1b9a; }
  .verdict.incomplete { background: #757575; }
  .warning { border: 3px solid #6a1b9a; padding: 8px 12px; font-weight: bold; }
  tr.inconclusive td:last-child { background: #ef6c00; color: #fff; }
  pre { background: #f4f4f4; padding: 8px; }
  svg { max-width: 100%; height: auto; }
  code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>${escapeHtml(plan.base.scenario.name)}: candidate <span class="verdict ${verdict}">${verdict === 'arrivals-differ' ? 'NO VERDICT: ARRIVALS DIFFER' : verdict === 'incomplete' ? 'NO VERDICT: INCOMPLETE' : verdict.toUpperCase()}</span></h1>
${result.incomplete === undefined ? '' : `<p class="warning"><strong>INCOMPLETE</strong>: ${escapeHtml(result.incomplete)} after ${plan.baselineSeeds.length} pairs of runs; the figures are of those pairs.</p>\n`}${warning}
<p>Baseline <code>${escapeHtml(plan.baseline.file)}</code>, candidate <code>${escapeHtml(plan.candidate.file)}</code>, laid over <code>${escapeHtml(plan.file)}</code>
(the merged scenarios are <code>baseline.yaml</code> and <code>candidate.yaml</code>). ${escapeHtml(subtitle(result))}.
${plan.independentSeeds ? '' : `Arrivals identical in every pair: ${result.sameArrivalsInEveryPair ? 'yes' : `NO (${differing} of ${plan.baselineSeeds.length} pairs differ)`}.`}</p>
<h2>What the candidate changes</h2>
${changeLines.length === 0 ? '<p>Nothing: the two merged scenarios are the same.</p>' : `<pre>${escapeHtml(changeLines.join('\n'))}</pre>`}
<p>Verdicts: <b>worse</b> when the whole 95% interval of the difference lies beyond the tolerance (exit code 1);
<b>inconclusive</b> when the mean difference is beyond it but the interval reaches back within (more seeds would tell);
<b>ok</b> when the mean difference is within it.</p>
<table>
<tr><th>figure</th><th>baseline mean</th><th>candidate mean</th><th>difference</th><th>change</th><th>95% interval of the difference</th><th>tolerance</th><th>verdict</th></tr>
${rows}
</table>
<figure id="comparison.svg">${svg}</figure>
</body>
</html>
`;
}
