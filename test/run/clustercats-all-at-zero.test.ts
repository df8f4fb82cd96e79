import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** Every member's peak threshold at 0% from 1m; node2 restored at 2m, the others at 3m. */
const allAtZero = `
name: clustercats-all-at-zero
seed: 7
duration: 4m
cluster:
  nodes: { count: 3, servers: 1 }
  server: { threads: 20, queue: 100 }
workload:
  http: { rate: 20/s, requests: 4, thinkTime: { exponential: 2s }, service: { constant: 10ms }, timeout: 10s }
clustercats: { addressing: dynamic }
timeline:
  - { at: 1m, clustercats: { member: node1/app-1, peakThreshold: 0 } }
  - { at: 1m, clustercats: { member: node2/app-1, peakThreshold: 0 } }
  - { at: 1m, clustercats: { member: node3/app-1, peakThreshold: 0 } }
  - { at: 2m, clustercats: { member: node2/app-1, peakThreshold: 90 } }
  - { at: 3m, clustercats: { member: node1/app-1, peakThreshold: 90 } }
  - { at: 3m, clustercats: { member: node3/app-1, peakThreshold: 90 } }
`;

describe('ClusterCATS: every member at peak 0%', () => {
  it('members serve new users themselves while none is running, then redirect them all to the one restored; the checker agrees', () => {
    const summary = renderReport(runScenario(parseScenario(allAtZero)), []).summary;
    expect(summary.violations.count).toBe(0);
    const sessions = summary.protocols.http!.sessions;
    expect(sessions.dropped + sessions.rejected).toBe(0);
    // From 2m to 3m, node1 and node3 send their new users to node2: about two thirds of 20/s for 60 s.
    expect(summary.redirects.byReason['peak']).toBeGreaterThan(600);
    expect(summary.servers['node2/app-1']!.requests).toBeGreaterThan(1.3 * summary.servers['node1/app-1']!.requests);
  });
});
