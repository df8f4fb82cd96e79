import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** node1 is taken out of service at time zero: peak 0%, then the service stopped with a drain-down period. */
const stoppedAtZero = `
name: clustercats-stopped-at-zero
seed: 1
duration: 2m
cluster:
  nodes: { count: 3, servers: 1 }
  server: { threads: 20, queue: 100 }
workload:
  http: { rate: 20/s, requests: 4, thinkTime: { exponential: 2s }, service: { constant: 10ms }, timeout: 10s }
clustercats: {}
timeline:
  - { at: 0s, clustercats: { member: node1/app-1, peakThreshold: 0 } }
  - { at: 0s, clustercats: { member: node1/app-1, service: stopped, drainDownPeriod: 1m } }
`;

describe('ClusterCATS: steps at time zero', () => {
  it('a member stopped at time zero stays stopped, and its address goes to a peer once one is known: no user finds it unreachable for long', () => {
    const summary = renderReport(runScenario(parseScenario(stoppedAtZero)), []).summary;
    const states = summary.servers['node1/app-1']!.states;
    expect(states.at(-1)).toMatchObject({ state: 'stopped', mode: 'stop' });
    expect(summary.addresses.ownersAtEnd['10.0.0.1']).toHaveLength(1);
    expect(summary.addresses.ownersAtEnd['10.0.0.1']![0]).not.toBe('node1/app-1');
    expect(summary.addresses.takeovers).toBe(1);
    // Only the users who came in the first report interval, before any peer was known, find the address free.
    expect(summary.protocols.http!.sessions.rejectedByCause['address-unreachable'] ?? 0).toBeLessThan(20);
    expect(summary.violations.count).toBe(0);
  });
});
