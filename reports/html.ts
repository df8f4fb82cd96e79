import type { ExpectationResult } from '../sim/run/expectations.js';
import { formatDuration } from '../sim/scenario/units.js';
import type { Summary } from './summary.js';

export interface HtmlReportInput {
  summary: Summary;
  expectations: readonly ExpectationResult[];
  verdict: 'pass' | 'fail';
  /** Charts in display order: file name and SVG text (embedded, so the page opens from disk). */
  charts: readonly { file: string; title: string; svg: string }[];
}

/** The self-contained index.html of a run: verdict, key figures, expectations, charts. */
export function htmlReport(input: HtmlReportInput): string {
  const { summary, expectations, verdict, charts } = input;
  const protocolRows = Object.entries(summary.protocols)
    .map(
      ([protocol, figures]) => `<tr><th>${protocol.toUpperCase()}</th><td>${figures.sessions.started}</td><td>${figures.sessions.completed}</td><td>${figures.sessions.dropped}</td><td>${figures.sessions.rejected}</td><td>${figures.sessions.open}</td><td>${figures.requests.total}</td><td>${figures.requests.routedToMaintenance}</td><td>${formatDuration(figures.latency.p50Us)}</td><td>${formatDuration(figures.latency.p99Us)}</td></tr>`,
    )
    .join('\n');
  const causes = Object.entries(summary.sessions.droppedByCause)
    .map(([cause, count]) => `<li><code>${escapeHtml(cause)}</code>: ${count}</li>`)
    .join('');
  const expectationRows =
    expectations.length === 0
      ? '<tr><td colspan="3">No expectations in this scenario.</td></tr>'
      : expectations
          .map((result) => `<tr class="${result.passed ? 'pass' : 'fail'}"><td><code>${escapeHtml(result.expectation)}</code></td><td>${result.passed ? 'holds' : 'FAILS'}</td><td>${escapeHtml(result.message)}</td></tr>`)
          .join('\n');
  const chartBlocks = charts.map((chart) => `<figure id="${escapeHtml(chart.file)}"><figcaption>${escapeHtml(chart.title)}</figcaption>${chart.svg}</figure>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clustersim: ${escapeHtml(summary.scenario.name)}</title>
<style>
  body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
  table { border-collapse: collapse; margin: 8px 0 20px; }
  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
  td:first-child, th:first-child { text-align: left; }
  .verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; color: #fff; font-weight: bold; }
  .verdict.pass, tr.pass td:nth-child(2) { background: #2e7d32; color: #fff; }
  .verdict.fail, tr.fail td:nth-child(2) { background: #c62828; color: #fff; }
  figure { margin: 16px 0; }
  figcaption { font-weight: bold; margin-bottom: 4px; }
  svg { max-width: 100%; height: auto; }
  code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>${escapeHtml(summary.scenario.name)} <span class="verdict ${verdict}">${verdict.toUpperCase()}</span></h1>
<p>Seed ${summary.seed}, ${formatDuration(summary.durationUs)} of virtual time, ${summary.events.processed} events. clustersim ${summary.clustersim}.
Reproduce with <code>${escapeHtml(summary.reproduce)}</code>.</p>
${summary.incomplete === true ? `<p class="verdict fail">INCOMPLETE: stopped at ${formatDuration(summary.stoppedAtUs ?? 0)} of virtual time: ${escapeHtml(summary.incompleteReason ?? '')}</p>` : ''}
<h2>Sessions and requests</h2>
<table>
<tr><th>protocol</th><th>sessions started</th><th>completed</th><th>dropped</th><th>rejected</th><th>open at end</th><th>requests</th><th>to maintenance</th><th>p50</th><th>p99</th></tr>
${protocolRows}
</table>
${causes === '' ? '<p>No session was dropped.</p>' : `<p>Dropped sessions by cause:</p><ul>${causes}</ul>`}
<h2>Expectations</h2>
<table>
<tr><th>expectation</th><th>result</th><th>detail</th></tr>
${expectationRows}
</table>
<h2>Charts</h2>
${chartBlocks}
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
