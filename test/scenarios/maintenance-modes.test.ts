import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import type { Summary } from '../../reports/summary.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** Two nodes of two servers under HTTP load; `timeline` puts some of them into maintenance from 20 s to 40 s. */
function run(timeline: string): { summary: Summary; violations: unknown[] } {
  const loaded = parseScenario(`
name: maintenance-modes
seed: 5
duration: 60s
cluster: { nodes: { count: 2, servers: 2 }, server: { threads: 8, queue: 50 } }
network: { latency: { lognormal: { median: 300us, p99: 2ms } } }
workload:
  http: { rate: 40/s, requests: { uniform: { min: 4, max: 10 } }, thinkTime: { exponential: 1s }, service: { lognormal: { median: 10ms, p99: 60ms } } }
timeline:
${timeline}
`);
  const result = runScenario(loaded);
  return { summary: renderReport(result, []).summary, violations: result.checks.violations };
}

const window = (target: string, mode: string) => `  - at: 20s
    maintenance: { ${target}, mode: ${mode} }
  - at: 40s
    maintenance: { ${target}, exit: true }`;

describe('maintenance modes under load', () => {
  it('keep affinity: the server finishes its sessions, takes no new ones, nothing is dropped', () => {
    const { summary, violations } = run(window('server: node1/app-1', 'affinity'));
    expect(violations).toEqual([]);
    expect(summary.sessions.dropped).toBe(0);
    expect(summary.sessions.rejected).toBe(0);
    expect(summary.protocols['http']!.requests.routedToMaintenance).toBeGreaterThan(0);
    const states = summary.servers['node1/app-1']!.states;
    expect(states.map((change) => [change.atUs, change.state, change.mode])).toEqual([
      [20_000_000, 'maintenance', 'affinity'],
      [40_000_000, 'running', ''],
    ]);
  });

  it('break affinity: the server takes nothing, and the sessions it held are lost', () => {
    const { summary, violations } = run(window('server: node1/app-1', 'break'));
    expect(violations).toEqual([]);
    expect(summary.protocols['http']!.requests.routedToMaintenance).toBe(0);
    expect(summary.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.sessions.rejected).toBe(0);
  });

  it('stop: work in flight and sessions are lost, the rest of the cluster carries on', () => {
    const { summary, violations } = run(window('server: node1/app-1', 'stop'));
    expect(violations).toEqual([]);
    expect(summary.servers['node1/app-1']!.states.map((change) => change.state)).toEqual(['stopped', 'running']);
    expect(summary.sessions.dropped).toBeGreaterThan(0);
    expect(summary.sessions.completed).toBeGreaterThan(summary.sessions.dropped * 10);
  });

  it('node maintenance puts all of its servers in maintenance: no new sessions land on the node', () => {
    const { summary, violations } = run(window('node: node1', 'affinity'));
    expect(violations).toEqual([]);
    expect(summary.sessions.dropped).toBe(0);
    for (const server of ['node1/app-1', 'node1/app-2']) expect(summary.servers[server]!.states.map((change) => change.state)).toEqual(['maintenance', 'running']);
    expect(summary.servers['node2/app-1']!.states).toEqual([]);
  });
});
