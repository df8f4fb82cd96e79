import { clustersimVersion } from '../summary.js';
import { escapeHtml } from '../html.js';
import { figureValue, isDurationFigure } from '../../sim/experiments/figures.js';
import { compareValues, quantity } from '../../sim/experiments/find.js';
import { formatValue, type Parameter } from '../../sim/experiments/parameters.js';
import type { SweepResult } from '../../sim/experiments/sweep.js';
import { parseExpectation } from '../../sim/run/expectations.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { formatFigure } from '../charts/format.js';
import { confidenceText } from './find-text.js';
import { sweepChart, type SweepLine } from './sweep-chart.js';

/** The file of a grid point's scenario, written next to the results so any run can be reproduced. */
export function variantFile(point: number): string {
  return `variant-${point}.yaml`;
}

/**
 * Every output of a sweep, by file name: runs.csv (one row per run), summary.json (the grid,
 * spreads per point, every run's key figures, the answer to the question), one SVG per figure
 * and parameter, index.html, and each grid point's scenario. Pure: same result, same bytes.
 */
export function renderSweepReport(result: SweepResult, directory: string): Map<string, string> {
  const { plan } = result;
  const files = new Map<string, string>();
  for (const point of plan.points) files.set(variantFile(point.index), point.variant.text);
  files.set('runs.csv', runsCsv(result, directory));
  const charts = sweepCharts(result);
  for (const chart of charts) files.set(chart.file, chart.svg);
  files.set('index.html', sweepHtml(result, charts));
  files.set('summary.json', `${JSON.stringify(sweepJson(result, directory), null, 2)}\n`);
  return files;
}

function figureColumn(result: SweepResult, name: string): string {
  const sample = result.runs[0]?.outcome.summary;
  return sample !== undefined && isDurationFigure(sample, name) ? `${name}Us` : name;
}

function runsCsv(result: SweepResult, directory: string): string {
  const { plan } = result;
  const header = ['point', ...plan.parameters.map((parameter) => parameter.name), 'seed', 'expectations', ...result.figureNames.map((name) => figureColumn(result, name)), 'reproduce'];
  const rows = result.runs.map((run) => [
    String(run.point),
    ...run.values.map(formatValue),
    String(run.seed),
    run.outcome.passed ? 'pass' : 'fail',
    ...result.figureNames.map((name) => String(figureValue(run.outcome.summary, name) ?? '')),
    reproduce(directory, run.point, run.seed),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

function reproduce(directory: string, point: number, seed: number): string {
  return `npx clustersim run ${directory}/${variantFile(point)} --seed ${seed}`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function sweepJson(result: SweepResult, directory: string): unknown {
  const { plan } = result;
  const named = (values: readonly unknown[]) => Object.fromEntries(plan.parameters.map((parameter, index) => [parameter.name, values[index]]));
  return {
    clustersim: clustersimVersion,
    kind: 'sweep',
    ...(result.incomplete === undefined ? {} : { incomplete: true, incompleteReason: result.incomplete, runsPlanned: plan.points.length * plan.seedsPerPoint }),
    scenario: { name: plan.base.scenario.name, file: plan.file, sha256: plan.base.hash },
    parameters: plan.parameters.map((parameter) => ({ name: parameter.name, values: parameter.values })),
    seedsPerPoint: plan.seedsPerPoint,
    figures: result.figureNames,
    find: plan.find === undefined ? null : { question: plan.find.text, answers: result.answers?.map((answer) => ({ ...answer, value: answer.value ?? null })) },
    points: plan.points.map((point, index) => ({ point: point.index, values: named(point.values), scenario: variantFile(point.index), figures: result.spreads[index] })),
    runs: result.runs.map((run) => ({
      point: run.point,
      values: named(run.values),
      seed: run.seed,
      expectations: run.outcome.passed ? 'pass' : 'fail',
      figures: Object.fromEntries(result.figureNames.map((name) => [name, figureValue(run.outcome.summary, name) ?? null])),
      reproduce: reproduce(directory, run.point, run.seed),
    })),
  };
}

interface Chart {
  file: string;
  title: string;
  svg: string;
}

/** The figures plotted: dropped sessions and each protocol's p99 latency. */
function plottedFigures(result: SweepResult): { name: string; title: string; yLabel: string; scale: number }[] {
  return result.figureNames
    .filter((name) => name === 'sessions.dropped' || /^latency\.[a-z]+\.p99$/.test(name))
    .map((name) =>
      name === 'sessions.dropped'
        ? { name, title: 'Dropped sessions', yLabel: 'dropped sessions', scale: 1 }
        : { name, title: `${name.split('.')[1]!.toUpperCase()} p99 latency`, yLabel: 'p99 latency (ms)', scale: 1 / 1000 },
    );
}

function sweepCharts(result: SweepResult): Chart[] {
  const { plan } = result;
  const charts: Chart[] = [];
  for (const figure of plottedFigures(result)) {
    plan.parameters.forEach((parameter, target) => {
      if (parameter.values.length < 2) return;
      const axis = xAxis(parameter);
      const groups = new Map<string, { label: string; points: SweepLine['points'] }>();
      plan.points.forEach((point) => {
        // Parameters held at one value are the same on every line: they go unnamed.
        const others = plan.parameters.map((other, index) => (index === target || other.values.length < 2 ? '' : `${other.name}=${formatValue(point.values[index])}`)).filter((text) => text !== '');
        const key = others.join(', ');
        const seeds = result.runs
          .filter((run) => run.point === point.index)
          .map((run) => figureValue(run.outcome.summary, figure.name))
          .filter((value): value is number => value !== undefined)
          .map((value) => value * figure.scale);
        if (seeds.length === 0) return;
        const group = groups.get(key) ?? { label: key === '' ? 'mean over seeds' : key, points: [] };
        group.points.push({ x: axis.x(point.values[target]), mean: seeds.reduce((total, value) => total + value, 0) / seeds.length, seeds });
        groups.set(key, group);
      });
      const lines = [...groups.values()].map((group) => ({ label: group.label, points: group.points.sort((a, b) => a.x - b.x) }));
      if (lines.length === 0) return;
      const file = `${slug(figure.name)}-vs-${slug(parameter.name)}.svg`;
      const integerX = parameter.values.every((value) => Number.isInteger(typeof value === 'number' ? value : Number(value)));
      const threshold = thresholdOf(plan.find?.conditions ?? [], figure.name, figure.scale);
      const title = `${figure.title} against ${parameter.name}`;
      charts.push({
        file,
        title,
        svg: sweepChart({
          title,
          subtitle: `${plan.base.scenario.name}: ${integerX ? 'square' : 'line'} = mean of ${plan.seedsPerPoint} seeds, ${integerX ? 'bar' : 'band'} = lowest to highest seed`,
          xLabel: axis.label,
          yLabel: figure.yLabel,
          ...(axis.ticks === undefined ? {} : { xTicks: axis.ticks }),
          lines,
          yScale: figure.name === 'sessions.dropped' ? 'symlog' : 'linear',
          ...(threshold === undefined ? {} : { threshold }),
          integerX,
        }),
      });
    });
  }
  return charts;
}

/** The limit a question's condition puts on a plotted figure, in the chart's unit. */
function thresholdOf(conditions: readonly string[], figure: string, scale: number): { value: number; label: string } | undefined {
  for (const condition of conditions) {
    const parsed = parseExpectation(condition);
    if (typeof parsed === 'string' || parsed.path.join('.') !== figure) continue;
    return { value: parsed.limit * scale, label: `limit: ${condition.trim()}` };
  }
  return undefined;
}

const maxLabelledValues = 12;

/** Numbers with one shared unit are plotted as numbers; anything else by position, labelled. */
function xAxis(parameter: Parameter): { x: (value: unknown) => number; label: string; ticks?: { x: number; label: string }[] } {
  const units = new Set(parameter.values.map((value) => (typeof value === 'number' ? '' : /^-?\d+(?:\.\d+)?(\S*)$/.exec(String(value))?.[1])));
  const unit = [...units][0];
  if (units.size === 1 && unit !== undefined) {
    const x = (value: unknown) => Number.parseFloat(String(value));
    const label = unit === '' ? parameter.name : `${parameter.name} (${unit})`;
    // A few swept values are labelled where they are, rather than at round numbers between them.
    if (parameter.values.length > maxLabelledValues) return { x, label };
    return { x, label, ticks: parameter.values.map((value) => ({ x: x(value), label: String(x(value)) })) };
  }
  if (parameter.values.every((value) => !Number.isNaN(quantity(value)))) {
    const ordered = [...parameter.values].sort(compareValues);
    const position = (value: unknown) => ordered.findIndex((candidate) => candidate === value);
    return { x: position, label: parameter.name, ticks: ordered.map((value, index) => ({ x: index, label: formatValue(value) })) };
  }
  const position = (value: unknown) => parameter.values.findIndex((candidate) => candidate === value);
  return { x: position, label: parameter.name, ticks: parameter.values.map((value, index) => ({ x: index, label: formatValue(value) })) };
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function sweepHtml(result: SweepResult, charts: readonly Chart[]): string {
  const { plan } = result;
  const shown = result.figureNames.filter((name) => name === 'sessions.dropped' || name.startsWith('latency.'));
  const format = (name: string, value: number) => (isDurationFigure(result.runs[0]?.outcome.summary, name) ? formatDuration(Math.round(value)) : formatFigure(value));
  const pointRows = plan.points
    .map((point, index) => {
      const spreads = result.spreads[index]!;
      const cells = shown.map((name) => {
        const spread = spreads[name];
        return spread === null || spread === undefined ? '<td></td>' : `<td>${format(name, spread.mean)} <small>(${format(name, spread.min)}–${format(name, spread.max)})</small></td>`;
      });
      const runs = result.runs.filter((run) => run.point === point.index);
      const passing = `<td>${runs.filter((run) => run.outcome.passed).length}/${runs.length}</td>`;
      return `<tr><td>${point.index}</td>${point.values.map((value) => `<td>${escapeHtml(formatValue(value))}</td>`).join('')}${passing}${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clustersim sweep: ${escapeHtml(plan.base.scenario.name)}</title>
<style>
  body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
  table { border-collapse: collapse; margin: 8px 0 20px; }
  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
  small { color: #666; }
  svg { max-width: 100%; height: auto; }
  code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>Sweep of ${escapeHtml(plan.base.scenario.name)}</h1>
${result.incomplete === undefined ? '' : `<p><strong>INCOMPLETE</strong>: ${escapeHtml(result.incomplete)} after ${result.runs.length} of ${plan.points.length * plan.seedsPerPoint} runs; the figures and the answer are of the runs done.</p>\n`}<p>${plan.points.length} grid points × ${plan.seedsPerPoint} seeds = ${result.runs.length} runs. Every run's figures are in <code>runs.csv</code> and <code>summary.json</code>.</p>
${plan.find === undefined ? '' : findHtml(result)}
<h2>Grid points (mean over seeds, lowest–highest)</h2>
<table>
<tr><th>point</th>${plan.parameters.map((parameter) => `<th>${escapeHtml(parameter.name)}</th>`).join('')}<th>seeds where <code>expect:</code> held</th>${shown.map((name) => `<th>${escapeHtml(name)}</th>`).join('')}</tr>
${pointRows}
</table>
${charts.map((chart) => `<figure id="${escapeHtml(chart.file)}">${chart.svg}</figure>`).join('\n')}
</body>
</html>
`;
}

function findHtml(result: SweepResult): string {
  const rows = (result.answers ?? [])
    .map((answer) => {
      const others = Object.entries(answer.others).map(([name, value]) => `${name}=${formatValue(value)}`).join(', ') || '—';
      const value = answer.value === undefined ? 'none in the sweep' : formatValue(answer.value);
      const chosen = answer.tried.find((entry) => entry.value === answer.value);
      const tried = answer.tried.map((entry) => `${escapeHtml(formatValue(entry.value))}: ${entry.seedsPassing}/${entry.seeds}`).join(', ');
      return `<tr><td>${escapeHtml(others)}</td><td><b>${escapeHtml(value)}</b>${answer.notMonotone ? ' (a value beyond it fails again)' : ''}</td><td>${chosen === undefined ? '' : escapeHtml(confidenceText(chosen))}</td><td>${tried}</td></tr>`;
    })
    .join('\n');
  return `<h2>${escapeHtml(result.plan.find!.text)}</h2>
<table>
<tr><th>other parameters</th><th>answer (holds in every seed)</th><th>confidence (exact binomial bound)</th><th>seeds passing at each value</th></tr>
${rows}
</table>`;
}
