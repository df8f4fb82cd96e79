import { droppedAtEntryByCause, type DrainEpisode } from '../sim/metrics/maintenance-windows.js';
import type { Annotation } from '../sim/metrics/series.js';
import type { ExpectationResult } from '../sim/run/expectations.js';
import { formatDuration } from '../sim/scenario/units.js';
import { outcomeText } from './charts/drain-chart.js';
import { formatCount, formatSpan } from './charts/format.js';
import { kubernetesSection } from './kubernetes-html.js';
import type { Summary } from './summary.js';

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

/** A broken invariant, as the checkers write it into summary.json. */
export interface Violation {
  timeUs: number;
  rule: string;
  actor: string;
  detail: string;
  session?: number;
  request?: number;
}

/** One maintenance window or drain, as the tables show it. */
export interface DrainRow {
  name: string;
  /** maintenance (with its mode), drain, or ODR maintenance. */
  kind: string;
  startUs: number;
  deadlineUs?: number;
  endUs: number;
  openAtStart: number;
  /** Sessions dropped on entering (break and stop modes), with their cause. */
  droppedAtEntry: number;
  droppedAtEntryCause: string;
  openAtEnd: number;
  /** From entering to the last session gone, when sessions were left to drain and they did. */
  timeToDrainUs?: number;
  sessionsCutAtDeadline: number;
  outcome: string;
}

export interface HtmlReportInput {
  summary: Summary;
  expectations: readonly ExpectationResult[];
  verdict: 'pass' | 'fail';
  violations: readonly Violation[];
  drains: readonly DrainRow[];
  /** The run's events (faults, maintenance steps, drains, address takeovers), as the timeline numbers them. */
  events?: { list: readonly Annotation[]; leftOut: number };
  /** Charts in display order: file name and SVG text (embedded, so the page opens from disk). */
  charts: readonly Chart[];
}

// Tables past this many rows are cut; summary.json has everything.
export const maxTableRows = 200;

export function drainRows(episodes: readonly DrainEpisode[]): DrainRow[] {
  return episodes.map((episode) => {
    const dropped = droppedAtEntryByCause(episode);
    const givenUp = episode.givenUpAtEntry.reduce((sum, count) => sum + count, 0);
    const row: DrainRow = {
      name: episode.name,
      kind: `${episode.target === 'router' ? 'ODR ' : ''}${episode.kind === 'draining' ? 'drain' : 'maintenance'}${episode.mode === '' ? '' : ` (${episode.mode})`}`,
      startUs: episode.startUs,
      endUs: episode.endUs,
      openAtStart: episode.openAtStart,
      droppedAtEntry: Object.values(dropped).reduce((sum, count) => sum + count, 0),
      droppedAtEntryCause: Object.keys(dropped).join(', '),
      openAtEnd: episode.openAtEnd,
      sessionsCutAtDeadline: episode.end === 'expired' ? episode.openAtEnd : 0,
      outcome: outcomeText(episode).text,
    };
    if (episode.deadlineUs !== undefined) row.deadlineUs = episode.deadlineUs;
    if (episode.drainedAtUs !== undefined && episode.openAtStart > givenUp) row.timeToDrainUs = episode.drainedAtUs - episode.startUs;
    return row;
  });
}

/** The self-contained index.html of a run: verdict, key figures, expectations, violations, drains, charts. */
export function htmlReport(input: HtmlReportInput): string {
  const { summary, expectations, verdict, violations, drains, charts } = input;
  const protocolRows = Object.entries(summary.protocols)
    .map(
      ([protocol, figures]) =>
        `<tr><th>${protocol.toUpperCase()}</th><td>${formatCount(figures.sessions.started)}</td><td>${formatCount(figures.sessions.completed)}</td><td>${formatCount(figures.sessions.dropped)}</td><td>${formatCount(figures.sessions.rejected)}</td><td>${formatCount(figures.sessions.open)}</td><td>${formatCount(figures.requests.total)}</td><td>${formatCount(figures.requests.routedToMaintenance)}</td><td>${formatDuration(figures.latency.p50Us)}</td><td>${formatDuration(figures.latency.p99Us)}</td></tr>`,
    )
    .join('\n');
  const causes = Object.entries(summary.sessions.droppedByCause)
    .map(([cause, count]) => `<li><code>${escapeHtml(cause)}</code>: ${formatCount(count)}</li>`)
    .join('');
  const expectationRows =
    expectations.length === 0
      ? '<tr><td colspan="3">No expectations in this scenario.</td></tr>'
      : expectations
          .map(
            (result) =>
              `<tr class="${result.passed ? 'pass' : 'fail'}"><td><code>${escapeHtml(result.expectation)}</code></td><td>${result.passed ? 'holds' : 'FAILS'}</td><td class="text detail">${escapeHtml(result.message)}</td></tr>`,
          )
          .join('\n');
  const chartBlocks = charts.map((chart) => `<figure id="${escapeHtml(chart.file)}"><figcaption>${escapeHtml(chart.title)} <a href="${escapeHtml(chart.file)}">${escapeHtml(chart.file)}</a></figcaption>${chart.svg}</figure>`).join('\n');
  const chartLinks = charts.map((chart) => `<a href="#${escapeHtml(chart.file)}">${escapeHtml(chart.title)}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clustersim: ${escapeHtml(summary.scenario.name)}</title>
<style>
  body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
  table { border-collapse: collapse; margin: 8px 0 20px; }
  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; white-space: nowrap; }
  th { text-align: left; white-space: normal; vertical-align: bottom; }
  td:first-child { text-align: left; }
  td.text { text-align: left; white-space: normal; overflow-wrap: break-word; min-width: 10em; }
  td.detail { overflow-wrap: anywhere; }
  .verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; color: #fff; font-weight: bold; }
  .verdict.pass, tr.pass td:nth-child(2) { background: #2e7d32; color: #fff; }
  .verdict.fail, tr.fail td:nth-child(2) { background: #c62828; color: #fff; }
  .figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 20px; }
  .figure { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
  .figure b { display: block; font-size: 22px; }
  .figure.bad b { color: #c62828; }
  figure { margin: 16px 0; }
  figcaption { font-weight: bold; margin-bottom: 4px; }
  figcaption a { font-weight: normal; font-size: 12px; margin-left: 8px; }
  figure svg { max-width: 100%; height: auto; display: block; }
  code { background: #f4f4f4; padding: 0 3px; }
  nav { margin-bottom: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(summary.scenario.name)} <span class="verdict ${verdict}">${verdict.toUpperCase()}</span></h1>
<p>Scenario <code>${escapeHtml(summary.scenario.file)}</code>, seed ${summary.seed}, ${summary.incomplete === true ? `${formatDuration(summary.stoppedAtUs ?? 0)} of the planned ${formatDuration(summary.durationUs)}` : formatDuration(summary.durationUs)} of virtual time, ${formatCount(summary.events.processed)} events. clustersim ${escapeHtml(summary.clustersim)}.
Reproduce with <code>${escapeHtml(summary.reproduce)}</code>.</p>${summary.incomplete === true ? `\n<p class="verdict fail">INCOMPLETE: stopped at ${formatDuration(summary.stoppedAtUs ?? 0)} of virtual time: ${escapeHtml(summary.incompleteReason ?? '')}</p>` : ''}
${keyFigures(summary, violations, drains)}
<h2>Sessions and requests</h2>
<table>
<tr><th>protocol</th><th>sessions started</th><th>completed</th><th>dropped</th><th>rejected</th><th>open at end</th><th>requests</th><th>to maintenance</th><th>p50</th><th>p99</th></tr>
${protocolRows}
</table>
${causes === '' ? '<p>No session was dropped.</p>' : `<p>Dropped sessions by cause:</p><ul>${causes}</ul>`}${kubernetesSection(summary.kubernetes, escapeHtml)}
<h2>Expectations</h2>
<table>
<tr><th>expectation</th><th>result</th><th>detail</th></tr>
${expectationRows}
</table>
<h2 id="violations">Invariant violations</h2>
${violationsTable(violations)}
<h2 id="drains">Maintenance windows and drains</h2>
${drainsTable(drains)}
<h2 id="events">Events</h2>
${eventsTable(input.events)}
<h2>Charts</h2>
<nav>${chartLinks}</nav>
${chartBlocks}
</body>
</html>
`;
}

function keyFigures(summary: Summary, violations: readonly Violation[], drains: readonly DrainRow[]): string {
  const tiles: { label: string; value: string; bad?: boolean }[] = [
    { label: 'sessions started', value: formatCount(summary.sessions.started) },
    { label: 'sessions dropped', value: formatCount(summary.sessions.dropped), bad: summary.sessions.dropped > 0 },
    { label: 'sessions rejected', value: formatCount(summary.sessions.rejected), bad: summary.sessions.rejected > 0 },
    { label: 'violations', value: formatCount(summary.violations.count), bad: summary.violations.count > 0 },
  ];
  for (const [protocol, figures] of Object.entries(summary.protocols)) tiles.push({ label: `${protocol.toUpperCase()} p99 latency`, value: formatDuration(figures.latency.p99Us) });
  const drained = drains.filter((drain) => drain.timeToDrainUs !== undefined);
  if (drains.length > 0) {
    tiles.push({ label: 'maintenance windows and drains', value: String(drains.length) });
    if (drained.length > 0) tiles.push({ label: 'longest time to drain', value: formatSpan(Math.max(...drained.map((drain) => drain.timeToDrainUs!))) });
    const droppedAtEntry = drains.reduce((sum, drain) => sum + drain.droppedAtEntry, 0);
    if (droppedAtEntry > 0) tiles.push({ label: 'sessions dropped on entering maintenance', value: formatCount(droppedAtEntry), bad: true });
    const cut = drains.filter((drain) => drain.timeToDrainUs === undefined && drain.openAtEnd > 0).length;
    if (cut > 0) tiles.push({ label: 'not drained', value: formatCount(cut), bad: true });
  }
  return `<div class="figures">${tiles.map((tile) => `<div class="figure${tile.bad === true ? ' bad' : ''}"><b>${escapeHtml(tile.value)}</b>${escapeHtml(tile.label)}</div>`).join('')}</div>`;
}

function violationsTable(violations: readonly Violation[]): string {
  if (violations.length === 0) return '<p>No invariant was violated.</p>';
  const rows = violations
    .slice(0, maxTableRows)
    .map(
      (violation) =>
        `<tr><td title="${violation.timeUs} µs">${formatSpan(violation.timeUs)}</td><td class="text"><code>${escapeHtml(violation.rule)}</code></td><td>${escapeHtml(violation.actor)}</td><td class="text detail">${escapeHtml(violation.detail)}</td><td>${violation.session ?? ''}</td><td>${violation.request ?? ''}</td></tr>`,
    )
    .join('\n');
  const more = violations.length > maxTableRows ? `<p>and ${violations.length - maxTableRows} more in summary.json.</p>` : '';
  return `<table>
<tr><th>virtual time</th><th>rule</th><th>actor</th><th>detail</th><th>session</th><th>request</th></tr>
${rows}
</table>${more}`;
}

function drainsTable(drains: readonly DrainRow[]): string {
  if (drains.length === 0) return '<p>No server or ODR entered maintenance or a drain.</p>';
  const rows = drains
    .slice(0, maxTableRows)
    .map((drain) => {
      const dropped = drain.droppedAtEntry === 0 ? '0' : `${formatCount(drain.droppedAtEntry)} (${escapeHtml(drain.droppedAtEntryCause)})`;
      const cells = [
        escapeHtml(drain.name),
        escapeHtml(drain.kind),
        formatSpan(drain.startUs),
        formatSpan(drain.endUs),
        drain.deadlineUs === undefined ? '' : formatSpan(drain.deadlineUs),
        formatCount(drain.openAtStart),
        dropped,
        drain.timeToDrainUs === undefined ? '—' : formatSpan(drain.timeToDrainUs),
        formatCount(drain.sessionsCutAtDeadline),
        formatCount(drain.openAtEnd),
        `<td class="text">${escapeHtml(drain.outcome)}</td>`,
      ];
      return `<tr>${cells.map((cell) => (cell.startsWith('<td') ? cell : `<td>${cell}</td>`)).join('')}</tr>`;
    })
    .join('\n');
  const more = drains.length > maxTableRows ? `<p>and ${formatCount(drains.length - maxTableRows)} more in summary.json (<code>maintenance.windows</code>).</p>` : '';
  return `<table>
<tr><th>server or ODR</th><th>kind</th><th>from</th><th>to</th><th>deadline</th><th>sessions at start</th><th>dropped on entering</th><th>time to drain</th><th>cut at deadline</th><th>open at end</th><th>outcome</th></tr>
${rows}
</table>${more}`;
}

function eventsTable(events: HtmlReportInput['events']): string {
  if (events === undefined || events.list.length === 0) return '<p>No fault, maintenance step or drain in this run.</p>';
  const rows = events.list.map((event, index) => `<tr class="${event.kind}"><td>${index + 1}</td><td>${formatSpan(event.timeUs)}</td><td class="text">${event.kind}</td><td class="text">${escapeHtml(event.label)}</td></tr>`).join('\n');
  const more = events.leftOut > 0 ? `<p>and ${formatCount(events.leftOut)} more events, not kept.</p>` : '';
  return `<p>Numbered as on the cluster timeline.</p>
<table>
<tr><th>#</th><th>virtual time</th><th>kind</th><th>event</th></tr>
${rows}
</table>${more}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
