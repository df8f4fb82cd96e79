import { describe, expect, it } from 'vitest';
import type { SimRecord } from '../../sim/metrics/records.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

describe('a crash of the controllers', () => {
  it('placement stops acting while they are down and restores the minimum once they restart', () => {
    const loaded = loadScenarioFile('scenarios/controller-crash.yaml');
    const actions: { atUs: number; record: Extract<SimRecord, { type: 'placement-action' }> }[] = [];
    const result = runScenario(loaded, {
      recordTap: {
        record: (timeUs, _actor, record) => {
          if (record.type === 'placement-action') actions.push({ atUs: timeUs, record });
        },
      },
    });
    const crashUs = 20_000_000;
    const restartUs = 90_000_000;
    expect(actions.filter((action) => action.atUs > crashUs && action.atUs < restartUs)).toEqual([]);
    const after = actions.filter((action) => action.atUs >= restartUs);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.record.action).toBe('start');
    expect(after[0]!.atUs - restartUs).toBeLessThanOrEqual(loaded.scenario.placement.interval);
    const http = result.figures.protocols.get(1)!;
    expect(http.sessionsDropped.size + http.sessionsRejected.size).toBe(0);
  });
});
