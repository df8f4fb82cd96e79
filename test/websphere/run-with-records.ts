import { summarize, type Summary } from '../../reports/summary.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { runScenario, type RunResult } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

export interface TimedRecord {
  atUs: number;
  actor: number;
  record: SimRecord;
}

const kept = new Set(['accepted', 'refused', 'server-state', 'placement-action', 'health-action', 'router-state', 'session-failover']);

/** Runs a shipped scenario and keeps the records that the maintenance rules are checked against. */
export function runWithRecords(file: string): { summary: Summary; records: TimedRecord[]; result: RunResult; server: (name: string) => number } {
  const records: TimedRecord[] = [];
  const result = runScenario(loadScenarioFile(file), {
    recordTap: { record: (atUs, actor, record) => (kept.has(record.type) ? records.push({ atUs, actor, record }) : 0) },
  });
  const server = (name: string) => result.topology.serverByName.get(name)!;
  return { summary: summarize(result), records, result, server };
}

export function accepted(records: readonly TimedRecord[]) {
  return records.flatMap((entry) => (entry.record.type === 'accepted' ? [{ atUs: entry.atUs, ...entry.record }] : []));
}
