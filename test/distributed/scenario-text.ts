import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseDuration } from '../../sim/scenario/units.js';

/** The shipped mixed scenario once it exists, else the quickstart. */
export function shippedScenarioFile(): string {
  return existsSync('scenarios/showcase.yaml') ? 'scenarios/showcase.yaml' : 'scenarios/quickstart.yaml';
}

/**
 * A shipped scenario made quick enough for a test over node hosts: its duration and timeline
 * scaled down to `durationUs`, and a latency floor added when its network allows zero latency.
 * The same text runs in-process and on hosts, so the comparison stays exact.
 */
export function shortenedScenario(file: string, duration: string, minLatency = '100us'): string {
  const document = parseDocument(readFileSync(file, 'utf8'));
  const original = parseDuration(String(document.get('duration')));
  const target = parseDuration(duration);
  if (typeof original !== 'number' || typeof target !== 'number') throw new Error('durations expected');
  const factor = Math.min(1, target / original);
  document.set('duration', duration);
  const timeline = document.get('timeline', true) as
    { items?: { get(key: string): unknown; set(key: string, value: unknown): void }[] } | undefined;
  for (const step of timeline?.items ?? []) {
    const at = parseDuration(String(step.get('at')));
    if (typeof at === 'number') step.set('at', `${Math.round(at * factor)}us`);
  }
  if (!document.hasIn(['network', 'minLatency'])) document.setIn(['network', 'minLatency'], minLatency);
  return document.toString();
}
