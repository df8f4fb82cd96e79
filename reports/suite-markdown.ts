import { formatDuration } from '../sim/scenario/units.js';
import type { ScenarioCheck } from '../sim/run/check-scenario.js';

/** A Markdown summary of a suite run, for a CI job summary: one table row per scenario, then what failed. */
export function suiteMarkdown(checks: readonly ScenarioCheck[]): string {
  const passed = checks.filter((check) => check.verdict === 'pass').length;
  const verdict = passed === checks.length ? 'PASS' : 'FAIL';
  const lines = [
    `## clustersim check: ${verdict} (${passed} of ${checks.length} scenarios pass)`,
    '',
    '| | Scenario | Sessions | Dropped | Rejected | p99 | To maintenance | Violations | Wall |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const check of checks) {
    const mark = check.verdict === 'pass' ? '✅' : check.verdict === 'fail' ? '❌' : '⚠️';
    const figures = check.figures;
    const cells =
      figures === undefined
        ? ['', '', '', '', '', '']
        : [
            String(figures.sessionsStarted),
            String(figures.sessionsDropped),
            String(figures.sessionsRejected),
            formatDuration(figures.latencyP99Us),
            String(figures.requestsRoutedToMaintenance),
            String(check.violationCount),
          ];
    lines.push(`| ${mark} | \`${cell(check.file)}\` ${cell(check.name)} | ${cells.join(' | ')} | ${(check.wallMs / 1000).toFixed(1)} s |`);
  }
  const failing = checks.filter((check) => check.verdict !== 'pass');
  for (const check of failing) {
    lines.push('', `### ${check.verdict === 'error' ? '⚠️' : '❌'} ${cell(check.name)} (\`${cell(check.file)}\`)`, '');
    if (check.error !== undefined) lines.push('```', check.error, '```');
    for (const failed of check.failedExpectations) lines.push(`- expectation \`${cell(failed.expectation)}\`: ${cell(failed.message)}`);
    for (const violation of check.violations) lines.push(`- violation: ${cell(violation)}`);
    if (check.violationCount > check.violations.length) lines.push(`- ... ${check.violationCount - check.violations.length} more violations (see summary.json)`);
    if (check.reproduce !== undefined) lines.push('', 'Reproduce:', '', '```sh', check.reproduce, '```');
  }
  lines.push('');
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
