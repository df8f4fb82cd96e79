import { describe, expect, it } from 'vitest';
import { drawRun } from '../../sim/explore/draw.js';
import { explore, planExploration } from '../../sim/explore/explore.js';
import { findingsJson } from '../../sim/explore/report.js';
import { scheduleScenarioText } from '../../sim/explore/schedule.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { actionsByProfile, loadBalancerProfiles } from '../../sim/scenario/schema-load-balancer.js';
import { buildTopology } from '../../sim/topologies/index.js';

const kubernetesCell = `name: k8s-cell
duration: 30s
cluster: { nodes: { count: 3, servers: 0 }, server: { threads: 10 } }
kubernetes:
  deployment: { replicas: 3, startTime: { constant: 1s }, readinessProbe: { period: 1s } }
  consumers:
    - { name: ingress, kind: ingress, delay: { uniform: { min: 500ms, max: 2s } } }
  unreachableTolerationSeconds: 10s
workload:
  http: { rate: 5/s, requests: 2, thinkTime: { constant: 500ms }, service: { constant: 10ms }, timeout: 2s }
explore:
  steps: { min: 1, max: 3 }
  expect: [kubernetes.errorsByCause.pod-exited == 0]
`;

function loadBalancerCell(profile: string): string {
  const checks = profile === 'envoy' ? '{ interval: 1s, timeout: 1s, unhealthyThreshold: 2, healthyThreshold: 2 }' : '{ interval: 1s, timeout: 1s }';
  return `name: lb-cell
duration: 20s
cluster: { nodes: { count: 2, servers: 2 } }
workload:
  http: { rate: 5/s, requests: 2, thinkTime: { constant: 500ms }, service: { constant: 10ms }, timeout: 2s }
loadBalancer: { profile: ${profile}, healthCheck: ${checks} }
`;
}

/** Every drawn schedule of a cell, over a few explorer seeds, must be a scenario the checks and the topology accept. */
function drawnSchedules(file: string, text: string) {
  const plan = planExploration(file, text);
  const runs = [1, 2, 3].flatMap((seed) => Array.from({ length: 20 }, (_, index) => drawRun(plan.base.space, seed, index)));
  for (const run of runs) {
    const scenario = scheduleScenarioText(text, run.steps, { seed: run.seed, extraExpect: plan.base.space.expect });
    const loaded = parseScenario(scenario, `${file} run ${run.index}`);
    expect(() => buildTopology(loaded, run.seed)).not.toThrow();
  }
  return { space: plan.base.space, steps: runs.flatMap((run) => run.steps) };
}

describe('explore on the Kubernetes and load balancer topologies', () => {
  it('draws valid Kubernetes schedules: rollouts, drains and crashes of its nodes, nothing else', () => {
    const { space, steps } = drawnSchedules('k8s-cell.yaml', kubernetesCell);
    expect(space.kinds).toEqual(['kubernetes-rollout', 'kubernetes-drain', 'kubernetes-crash-node']);
    expect(new Set(steps.map((step) => step.kind))).toEqual(new Set(space.kinds));
    for (const step of steps.filter((candidate) => candidate.kind !== 'kubernetes-rollout')) expect(['node1', 'node2', 'node3']).toContain(step.target);
  });

  it.each(loadBalancerProfiles)('draws valid schedules behind %s: its own backend actions, faults of its servers, no maintenance', (profile) => {
    const { space, steps } = drawnSchedules(`lb-${profile}.yaml`, loadBalancerCell(profile));
    expect(space.kinds).toContain('lb-action');
    expect(space.kinds.filter((kind) => kind.startsWith('maintenance-') || kind === 'crash-odr' || kind === 'crash-controller')).toEqual([]);
    const actions = steps.filter((step) => step.kind === 'lb-action');
    expect(actions.length).toBeGreaterThan(0);
    for (const step of actions) {
      expect(actionsByProfile[profile]).toContain(step.action);
      expect(space.servers).toContain(step.target);
    }
    // The generic faults reach the backends.
    expect(steps.some((step) => step.kind === 'crash-server' && space.servers.includes(step.target))).toBe(true);
  });

  it('explores a Kubernetes scenario: same seed, same findings bytes; a missing preStop is found', async () => {
    const plan = planExploration('k8s-cell.yaml', kubernetesCell);
    const first = await explore(plan, { seed: 3, runs: 4, jobs: 1, maxShrinkTries: 4 });
    const again = await explore(plan, { seed: 3, runs: 4, jobs: 1, maxShrinkTries: 4 });
    const bytes = (exploration: typeof first) => findingsJson({ ...exploration, runs: exploration.runs.map((run) => ({ ...run, wallMs: 0 })), groups: exploration.groups.map((group) => ({ ...group, shrunk: group.shrunk && { ...group.shrunk, wallMs: 0 } })) });
    expect(bytes(again)).toBe(bytes(first));
    expect(first.runs.some((run) => run.steps > 0)).toBe(true);
    // Without a preStop sleep, a rollout or a drain sends requests to exited pods through the stale ingress.
    expect(first.groups.map((group) => group.key)).toContain('expect: kubernetes.errorsByCause.pod-exited == 0');
  });
});
