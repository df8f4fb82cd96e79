import type { FindAnswer, FindQuery } from '../../sim/experiments/find.js';
import { formatValue } from '../../sim/experiments/parameters.js';

/** A failure-rate bound as people read it: "< 14%", "< 0.5%". */
export function formatRateBound(bound: number): string {
  const percent = bound * 100;
  return `< ${percent >= 10 ? Math.ceil(percent) : Math.ceil(percent * 10) / 10}%`;
}

/** How sure the answer is: "holds in 20 of 20 seeds: failure rate < 14% at 95%". */
export function confidenceText(entry: FindAnswer['tried'][number]): string {
  return `holds in ${entry.seedsPassing} of ${entry.seeds} seeds: failure rate ${formatRateBound(entry.failureRateBound)} at 95%`;
}

/**
 * The answer to a sweep's question as the console prints it (and the README quotes it): per
 * combination of the other parameters, the value, the seeds passing at each value tried, and
 * the confidence the seeds give.
 */
export function findAnswerLines(query: FindQuery, answers: readonly FindAnswer[]): string[] {
  const lines = [`  ${query.text}:`];
  for (const answer of answers) {
    const others = Object.entries(answer.others).map(([name, value]) => `${name}=${formatValue(value)}`).join(', ');
    const value = answer.value === undefined ? 'none of the values swept' : formatValue(answer.value);
    const tried = answer.tried.map((entry) => `${formatValue(entry.value)}: ${entry.seedsPassing}/${entry.seeds}`).join(', ');
    lines.push(`    ${others === '' ? '' : `${others}: `}${value}${answer.notMonotone ? ' (but a value beyond it fails again)' : ''}   [seeds passing: ${tried}]`);
    const chosen = answer.tried.find((entry) => entry.value === answer.value);
    if (chosen !== undefined) lines.push(`      ${confidenceText(chosen)}`);
  }
  return lines;
}
