import type { ExpectationResult } from '../sim/run/expectations.js';
import type { RunResult } from '../sim/run/run.js';
import { sessionsChart } from './charts/sessions-chart.js';
import { htmlReport } from './html.js';
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
  // A run that stopped early proves nothing about its expectations.
  const verdict = result.stopped === undefined && expectations.every((expectation) => expectation.passed) ? 'pass' : 'fail';
  const charts = [{ file: 'sessions.svg', title: 'Open sessions per server', svg: sessionsChart(result.figures.series, summary.durationUs) }];
  const files = new Map<string, string>();
  for (const chart of charts) files.set(chart.file, chart.svg);
  files.set('index.html', htmlReport({ summary, expectations, verdict, charts }));
  files.set('summary.json', `${JSON.stringify({ ...summary, verdict, expectations }, null, 2)}\n`);
  return { summary, expectations, verdict, files };
}
