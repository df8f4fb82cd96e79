import type { ExpectationResult } from '../sim/run/expectations.js';
import type { RunResult } from '../sim/run/run.js';
import type { TimeSeries } from '../sim/metrics/series.js';
import { drainChart } from './charts/drain-chart.js';
import { droppedByCauseChart, droppedOverTimeChart } from './charts/drops-chart.js';
import { errorsOverTimeChart, propagationChart, rolloutChart } from './charts/kubernetes-charts.js';
import { latencyChart } from './charts/latency-chart.js';
import { placementChart } from './charts/placement-chart.js';
import { requestsChart } from './charts/requests-chart.js';
import { sessionsChart } from './charts/sessions-chart.js';
import { timelineChart } from './charts/timeline-chart.js';
import { drainRows, htmlReport, type Chart } from './html.js';
import { markdownSummary } from './markdown.js';
import { summarize, type Summary } from './summary.js';

export interface Report {
  summary: Summary;
  expectations: ExpectationResult[];
  verdict: 'pass' | 'fail';
  /** File name → content, everything deterministic. */
  files: Map<string, string>;
}

/** Renders every output of a run. Pure: same result, same bytes. */
export function renderReport(result: RunResult, expectations: ExpectationResult[]): Report {
  const summary = summarize(result);
  // Any invariant violation fails the run; the summary lists the first ones.
  const violations = summary.violations.first;
  const verdict = runVerdict(result, summary, expectations);
  const series = result.figures.timeSeries;
  const charts: Chart[] = [
    ...(series === undefined ? [] : seriesCharts(series)),
    { file: 'sessions.svg', title: 'Open sessions per server', svg: sessionsChart(result.figures.series, summary.durationUs) },
    ...kubernetesCharts(result, summary),
  ];
  const files = new Map<string, string>();
  for (const chart of charts) files.set(chart.file, chart.svg);
  const content = {
    summary,
    expectations,
    verdict,
    violations,
    drains: drainRows(result.figures.maintenanceWindows.episodes),
    ...(series === undefined ? {} : { events: { list: series.annotations, leftOut: series.annotationsLeftOut } }),
    charts,
  } as const;
  files.set('index.html', htmlReport(content));
  files.set('summary.md', markdownSummary(content));
  files.set('summary.json', `${JSON.stringify({ ...summary, verdict, expectations }, null, 2)}\n`);
  return { summary, expectations, verdict, files };
}

/** A run passes when it reached its end (a run stopped early proves nothing), met its expectations and broke no rule. */
export function runVerdict(result: RunResult, summary: Summary, expectations: readonly ExpectationResult[]): 'pass' | 'fail' {
  return result.stopped === undefined && expectations.every((expectation) => expectation.passed) && summary.violations.count === 0 ? 'pass' : 'fail';
}

/** A Kubernetes run's pods through its rollouts, its failed requests by cause, and each consumer's propagation lag. */
function kubernetesCharts(result: RunResult, summary: Summary): Chart[] {
  const series = result.figures.kubernetesSeries;
  if (series === undefined || summary.kubernetes === undefined) return [];
  const charts: Chart[] = [];
  const pods = rolloutChart(series, summary.kubernetes, summary.durationUs);
  if (pods !== undefined) charts.push({ file: 'kubernetes-pods.svg', title: 'Pods of the Deployment through its rollouts', svg: pods });
  const errors = errorsOverTimeChart(series, summary.durationUs);
  if (errors !== undefined) charts.push({ file: 'kubernetes-errors.svg', title: 'Failed requests over time, by cause', svg: errors });
  const propagation = propagationChart(series, summary.durationUs);
  if (propagation !== undefined) charts.push({ file: 'kubernetes-propagation.svg', title: 'Endpoint propagation per consumer', svg: propagation });
  return charts;
}

/** The charts drawn from the time series; a chart with nothing to show is left out. */
export function seriesCharts(series: TimeSeries): Chart[] {
  const candidates: { file: string; title: string; draw: (series: TimeSeries) => string | undefined }[] = [
    { file: 'timeline.svg', title: 'Cluster timeline', draw: timelineChart },
    { file: 'drain.svg', title: 'Drain of each server in maintenance', draw: drainChart },
    { file: 'dropped-by-cause.svg', title: 'Dropped sessions by protocol and cause', draw: droppedByCauseChart },
    { file: 'dropped-over-time.svg', title: 'Dropped sessions over time', draw: droppedOverTimeChart },
    { file: 'latency.svg', title: 'Latency percentiles over time', draw: latencyChart },
    { file: 'requests.svg', title: 'Requests per second per server', draw: requestsChart },
    { file: 'placement.svg', title: 'Placement of dynamic clusters', draw: placementChart },
  ];
  const charts: Chart[] = [];
  for (const candidate of candidates) {
    const svg = candidate.draw(series);
    if (svg !== undefined) charts.push({ file: candidate.file, title: candidate.title, svg });
  }
  return charts;
}
