import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** node1/app-1 turns five times slower at 1m and stays so; only HTTP, so in maintenance it soon serves nothing. */
const stillSlow = `
name: health-still-slow
seed: 7
duration: 5m
cluster:
  nodes: { count: 2, servers: 2 }
workload:
  http: { rate: 40/s, requests: 5, thinkTime: { exponential: 1s }, service: { lognormal: { median: 15ms, p99: 60ms } } }
healthPolicies:
  - { name: slow-response, responseTime: { above: 60ms }, for: 20s, mode: affinity }
timeline:
  - { at: 1m, slow: { target: node1/app-1, factor: 5 } }
`;

describe('health policy hysteresis', () => {
  it('a slow server put into maintenance is not taken out by the idle reports that follow: it stays while slow', () => {
    const summary = renderReport(runScenario(parseScenario(stillSlow)), []).summary;
    expect(summary.health.map((action) => [action.server, action.action])).toEqual([['node1/app-1', 'enter']]);
    expect(summary.health[0]!.meanResponseUs).toBeGreaterThan(60_000);
  });
});
