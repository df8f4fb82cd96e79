import { lookUp } from '../run/expectations.js';

/**
 * A figure of a run's summary, named as in an expectation (`sessions.dropped`,
 * `latency.http.p99`): the same lookup, so names mean the same in `expect:`, `--find` and
 * `--tolerance`. Durations are in microseconds.
 */
export function figureValue(summary: unknown, name: string): number | undefined {
  return lookUp(summary, { path: name.split('.'), operator: '==', limit: 0, isDuration: true });
}

/** True when the figure is a duration (found as `<name>Us`), for labels in milliseconds. */
export function isDurationFigure(summary: unknown, name: string): boolean {
  return figureValue(summary, name) !== undefined && lookUp(summary, { path: name.split('.'), operator: '==', limit: 0, isDuration: false }) === undefined;
}

/** The figures every sweep and comparison reports, for each protocol the runs saw, and the drains when there are maintenance windows. */
export function keyFigureNames(summaries: readonly Record<string, unknown>[]): string[] {
  const protocols = new Set<string>();
  for (const summary of summaries) for (const protocol of Object.keys((summary.protocols ?? {}) as object)) protocols.add(protocol);
  const names = ['sessions.started', 'sessions.completed', 'sessions.dropped', 'sessions.rejected'];
  for (const protocol of [...protocols].sort()) names.push(`sessions.${protocol}.completed`, `sessions.${protocol}.dropped`, `latency.${protocol}.p50`, `latency.${protocol}.p99`);
  // Runs with maintenance windows: how long the longest drain took, and what entering dropped.
  if (summaries.some((summary) => ((summary.maintenance as { count?: number } | undefined)?.count ?? 0) > 0)) names.push('maintenance.maxTimeToDrain', 'maintenance.droppedAtEntry');
  // Kubernetes runs: the errors of a rollout and how long it took.
  if (summaries.some((summary) => summary.kubernetes !== undefined)) names.push('kubernetes.errors', 'kubernetes.rolloutDuration');
  return names;
}

/** Names with the figures that a condition or tolerance refers to appended, without repeats. */
export function withFigures(names: readonly string[], extra: readonly string[]): string[] {
  return [...new Set([...names, ...extra])];
}
