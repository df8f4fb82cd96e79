import { formatDuration } from '../scenario/units.js';
import type { Violation } from './checker.js';

/** Lines for a console: the first few violations, and how many more there are. */
export function violationLines(violations: { count: number; first: readonly Violation[] }, shown = 5): string[] {
  if (violations.count === 0) return [];
  const lines = violations.first.slice(0, shown).map((violation) => `violation at ${formatDuration(violation.timeUs)}: ${describeViolation(violation)}`);
  if (violations.count > shown) lines.push(`... ${violations.count - shown} more violation${violations.count - shown === 1 ? '' : 's'} (see summary.json)`);
  return lines;
}

export function describeViolation(violation: Violation): string {
  const about = [violation.session === undefined ? '' : ` session ${violation.session}`, violation.request === undefined ? '' : ` request ${violation.request}`].join('');
  return `[${violation.rule}] ${violation.actor}${about}: ${violation.detail}`;
}
