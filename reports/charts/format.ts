/** Durations as people read them on a chart: 850ms, 42s, 2m 14s, 1h 05m. */
export function formatSpan(us: number): string {
  if (us < 1_000) return `${us}µs`;
  if (us < 1_000_000) return `${Math.round(us / 1_000)}ms`;
  if (us < 60_000_000) return `${Math.round(us / 100_000) / 10}s`;
  const totalSeconds = Math.round(us / 1_000_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** Counts with thousands separators, as every report writes them: 1,448. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A figure with thousands separators and at most two decimals: 1,448.5. */
export function formatFigure(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
