import { describe, expect, it } from 'vitest';
import { MaintenanceMode, ServerState } from '../../gen/clustersim/v1/cluster.js';
import { summarizeResilience } from '../../reports/resilience-summary.js';
import { ResilienceFigures } from '../../sim/metrics/resilience.js';
import type { SimRecord } from '../../sim/metrics/records.js';

const actorNames = ['timeline', 'node1/app-1', 'node2/app-1'];
const [member, peer] = [1, 2];

function fold(stream: [number, SimRecord][]): ReturnType<typeof summarizeResilience> {
  const figures = new ResilienceFigures(actorNames);
  const handlers = figures.handlers as Record<string, ((timeUs: number, actor: number, record: SimRecord) => void) | undefined>;
  for (const [timeUs, record] of stream) handlers[record.type]?.(timeUs, 'server' in record ? record.server : 0, record);
  figures.finish(600_000_000);
  return summarizeResilience(figures, actorNames);
}

describe('ResilienceFigures: drain-down periods', () => {
  it('a crash of the draining member ends its drain as failed, at the crash, with nothing cut at a deadline', () => {
    const summary = fold([
      [60_000_000, { type: 'drain-started', server: member, deadlineUs: 180_000_000 }],
      [70_000_000, { type: 'server-state', server: peer, state: ServerState.FAILED, mode: MaintenanceMode.UNSPECIFIED }],
      [80_000_000, { type: 'server-state', server: member, state: ServerState.FAILED, mode: MaintenanceMode.UNSPECIFIED }],
      [240_000_000, { type: 'server-state', server: member, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED }],
    ]);
    expect(summary.drain['node1/app-1']).toEqual({
      startedAtUs: 60_000_000,
      deadlineUs: 180_000_000,
      endedAtUs: 80_000_000,
      timeToDrainUs: 20_000_000,
      reason: 'failed',
      sessionsCutAtDeadline: 0,
    });
  });

  it('a drain still under way at the end of the run stays open; a crash after a drain ended changes nothing', () => {
    const summary = fold([
      [60_000_000, { type: 'drain-started', server: member, deadlineUs: 180_000_000 }],
      [90_000_000, { type: 'drain-ended', server: member, reason: 'expired', openSessions: 4 }],
      [100_000_000, { type: 'server-state', server: member, state: ServerState.FAILED, mode: MaintenanceMode.UNSPECIFIED }],
      [300_000_000, { type: 'drain-started', server: peer, deadlineUs: 900_000_000 }],
    ]);
    expect(summary.drain['node1/app-1']).toMatchObject({ endedAtUs: 90_000_000, reason: 'expired', sessionsCutAtDeadline: 4 });
    expect(summary.drain['node2/app-1']).toMatchObject({ endedAtUs: null, timeToDrainUs: null, reason: 'open' });
  });
});
