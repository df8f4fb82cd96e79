/** Durations and rates as scenario files write them: `300us`, `20ms`, `5s`, `2m`, `1h`, `400/s`. */

const microsecondsPerUnit: Readonly<Record<string, number>> = {
  us: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const durationPattern = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/;
const ratePattern = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)\s*$/;

/** Parses a duration to integer microseconds; returns an error text when it is not one. */
export function parseDuration(text: string): number | string {
  const match = durationPattern.exec(text);
  if (match === null) return `"${text}" is not a duration: write a number and a unit, e.g. 250ms or 5m`;
  const unit = match[2]!;
  const scale = microsecondsPerUnit[unit];
  if (scale === undefined) return `unknown duration unit "${unit}" in "${text}": use us, ms, s, m or h`;
  const us = Math.round(Number(match[1]) * scale);
  // Time is an integer count of microseconds: past 2^53 it could not be counted exactly.
  if (!Number.isSafeInteger(us)) return `"${text}" is too long: durations are at most ${formatDuration(Number.MAX_SAFE_INTEGER - (Number.MAX_SAFE_INTEGER % 3_600_000_000))}`;
  return us;
}

/** Parses a rate to events per second; returns an error text when it is not one. */
export function parseRate(text: string): number | string {
  const match = ratePattern.exec(text);
  if (match === null) return `"${text}" is not a rate: write a number, a slash and a unit, e.g. 400/s or 30/m`;
  const unit = match[2]!;
  const scale = microsecondsPerUnit[unit];
  if (scale === undefined || unit === 'us' || unit === 'ms') return `unknown rate unit "${unit}" in "${text}": use /s, /m or /h`;
  const perSecond = (Number(match[1]) * 1_000_000) / scale;
  if (!Number.isFinite(perSecond)) return `"${text}" is too large a rate`;
  return perSecond;
}

/** Formats microseconds for people: 1.5s, 250ms, 12us. */
export function formatDuration(us: number): string {
  if (us >= 3_600_000_000 && us % 3_600_000_000 === 0) return `${us / 3_600_000_000}h`;
  if (us >= 60_000_000 && us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us >= 1_000_000) return `${round3(us / 1_000_000)}s`;
  if (us >= 1_000) return `${round3(us / 1_000)}ms`;
  return `${us}us`;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
