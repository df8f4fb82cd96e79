import { formatDuration } from '../sim/scenario/units.js';
import { formatCount, formatSpan } from './charts/format.js';
import type { HtmlReportInput } from './html.js';

// A CI job summary is read at a glance: long lists are cut, the report has the rest.
const maxRows = 20;

/**
 * The run as GitHub-flavoured Markdown, for a CI job summary
 * (`cat out/<name>/summary.md >> "$GITHUB_STEP_SUMMARY"`).
 */
export function markdownSummary(input: Omit<HtmlReportInput, 'charts'>): string {
  const { summary, expectations, verdict, violations, drains } = input;
  const lines: string[] = [];
  lines.push(`## ${verdict === 'pass' ? '✅' : '❌'} ${cell(summary.scenario.name)}: ${verdict.toUpperCase()}`);
  lines.push('');
  lines.push(`Seed ${summary.seed}, ${summary.incomplete === true ? `${formatDuration(summary.stoppedAtUs ?? 0)} of the planned ${formatDuration(summary.durationUs)}` : formatDuration(summary.durationUs)} of virtual time, ${formatCount(summary.events.processed)} events. Reproduce: \`${summary.reproduce}\``);
  if (summary.incomplete === true) lines.push('', `**Incomplete:** stopped at ${formatDuration(summary.stoppedAtUs ?? 0)} of virtual time: ${summary.incompleteReason ?? ''}`);
  lines.push('');
  lines.push('| protocol | sessions started | completed | dropped | rejected | open at end | requests | p50 | p99 |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const [protocol, figures] of Object.entries(summary.protocols)) {
    const { sessions, requests, latency } = figures;
    lines.push(
      `| ${protocol.toUpperCase()} | ${formatCount(sessions.started)} | ${formatCount(sessions.completed)} | ${formatCount(sessions.dropped)} | ${formatCount(sessions.rejected)} | ${formatCount(sessions.open)} | ${formatCount(requests.total)} | ${formatDuration(latency.p50Us)} | ${formatDuration(latency.p99Us)} |`,
    );
  }
  const causes = Object.entries(summary.sessions.droppedByCause);
  if (causes.length > 0) {
    lines.push('');
    lines.push(`Dropped sessions by cause: ${causes.map(([cause, count]) => `\`${cause}\` ${formatCount(count)}`).join(', ')}`);
  }
  lines.push('');
  lines.push('### Expectations');
  lines.push('');
  if (expectations.length === 0) lines.push('No expectations in this scenario.');
  else {
    lines.push('| | expectation | detail |');
    lines.push('|---|---|---|');
    for (const result of expectations) lines.push(`| ${result.passed ? '✅' : '❌'} | \`${cell(result.expectation)}\` | ${cell(result.message)} |`);
  }
  lines.push('');
  lines.push(`### Invariant violations: ${violations.length}`);
  if (violations.length > 0) {
    lines.push('');
    lines.push('| virtual time | rule | actor | detail |');
    lines.push('|--:|---|---|---|');
    for (const violation of violations.slice(0, maxRows)) {
      lines.push(`| ${formatDuration(violation.timeUs)} | \`${cell(violation.rule)}\` | ${cell(violation.actor)} | ${cell(violation.detail)} |`);
    }
    if (violations.length > maxRows) lines.push(`\nand ${violations.length - maxRows} more in summary.json.`);
  }
  if (drains.length > 0) {
    lines.push('');
    lines.push('### Maintenance windows and drains');
    lines.push('');
    lines.push('| server or ODR | kind | from | dropped on entering | time to drain | outcome |');
    lines.push('|---|---|--:|--:|--:|---|');
    for (const drain of drains.slice(0, maxRows)) {
      lines.push(`| ${cell(drain.name)} | ${cell(drain.kind)} | ${formatSpan(drain.startUs)} | ${formatCount(drain.droppedAtEntry)} | ${drain.timeToDrainUs === undefined ? '—' : formatSpan(drain.timeToDrainUs)} | ${cell(drain.outcome)} |`);
    }
    if (drains.length > maxRows) lines.push(`\nand ${drains.length - maxRows} more in index.html.`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Text safe inside a table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
