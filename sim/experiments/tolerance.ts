import { parseDuration } from '../scenario/units.js';
import type { Interval } from './statistics.js';

/**
 * How much worse a candidate may be than its baseline on one figure:
 * `latency.http.p99 <= +5%` (may rise by 5% of the baseline mean), `latency.http.p99 <= +10ms`,
 * `sessions.dropped <= 0` (may not rise at all), `sessions.completed >= -1%` (may fall by 1%).
 * `<=` means higher is worse, `>=` means lower is worse.
 */
export interface Tolerance {
  text: string;
  figure: string;
  /** +1: higher is worse; −1: lower is worse. */
  worseDirection: 1 | -1;
  amount: number;
  relative: boolean;
}

export class ToleranceError extends Error {}

const tolerancePattern = /^\s*([A-Za-z0-9_.\-/]+)\s*(<=|>=)\s*([+-]?\d+(?:\.\d+)?)\s*(%|[a-z]*)\s*$/;

export function parseTolerance(text: string): Tolerance {
  const match = tolerancePattern.exec(text);
  if (match === null) throw new ToleranceError(`"${text}" is not a tolerance: write e.g. "latency.http.p99 <= +5%", "latency.http.p99 <= +10ms" or "sessions.dropped <= 0"`);
  const [, figure, operator, number, unit] = match as unknown as [string, string, '<=' | '>=', string, string];
  const worseDirection = operator === '<=' ? 1 : -1;
  const value = Number(number);
  if (value * worseDirection < 0) throw new ToleranceError(`"${text}": a tolerance allows the figure to get worse by some amount, so ${operator} takes a ${operator === '<=' ? 'positive' : 'negative'} number or 0`);
  if (unit === '%') return { text: text.trim(), figure, worseDirection, amount: Math.abs(value) / 100, relative: true };
  if (unit === '') return { text: text.trim(), figure, worseDirection, amount: Math.abs(value), relative: false };
  const duration = parseDuration(`${Math.abs(value)}${unit}`);
  if (typeof duration === 'string') throw new ToleranceError(`"${text}": ${duration}`);
  return { text: text.trim(), figure, worseDirection, amount: duration, relative: false };
}

/**
 * - worse: the whole 95% interval of the difference lies beyond the tolerance;
 * - inconclusive: the mean difference is beyond it, but the interval reaches back within;
 * - ok: the mean difference is within the tolerance.
 */
export type Verdict = 'ok' | 'inconclusive' | 'worse';

/** The largest change in the worse direction that the tolerance allows, in the figure's unit. */
export function allowedChange(tolerance: Tolerance, baselineMean: number): number {
  return tolerance.relative ? tolerance.amount * Math.abs(baselineMean) : tolerance.amount;
}

export function judge(tolerance: Tolerance, difference: Interval, baselineMean: number): Verdict {
  const allowed = allowedChange(tolerance, baselineMean);
  // Measure everything in the worse direction: positive is worse.
  const worseMean = difference.mean * tolerance.worseDirection;
  const worseNearEdge = tolerance.worseDirection === 1 ? difference.low : -difference.high;
  if (!(worseMean > allowed)) return 'ok';
  return worseNearEdge > allowed ? 'worse' : 'inconclusive';
}
