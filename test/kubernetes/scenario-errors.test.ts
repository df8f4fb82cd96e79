import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, type ScenarioProblem } from '../../sim/scenario/load.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { ExploreError, scheduleSpace } from '../../sim/explore/space.js';

const valid = `name: k8s
duration: 1m
cluster: { nodes: { count: 3, servers: 0 } }
kubernetes:
  deployment: { replicas: 3 }
  consumers:
    - { name: ingress, kind: ingress, delay: { constant: 1s } }
workload:
  http: { rate: 10/s, service: { constant: 5ms } }
timeline:
  - at: 10s
    kubernetes: { drain: node2 }
`;

function problemsOf(text: string): ScenarioProblem[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return [...error.problems];
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('Kubernetes scenario errors, located', () => {
  it('the valid base file is accepted, with the Kubernetes defaults', () => {
    const spec = parseScenario(valid).scenario.kubernetes!;
    expect(spec.deployment).toMatchObject({ maxSurge: '25%', maxUnavailable: '25%', terminationGracePeriod: 30_000_000, onSigterm: 'graceful' });
    expect(spec.deployment.readinessProbe).toEqual({ initialDelay: 0, period: 10_000_000, timeout: 1_000_000, successThreshold: 1, failureThreshold: 3 });
    expect(spec.nodeMonitorGracePeriod).toBe(50_000_000);
    expect(spec.consumers[0]!.connections).toBe('per-request');
  });

  it("a consumer's connections are per-request or keep-alive, the error at the consumer's line", () => {
    const [problem] = problemsOf(valid.replace('kind: ingress,', 'kind: ingress, connections: keepalive,'));
    expect(problem).toMatchObject({ path: 'kubernetes.consumers.0.connections', line: 7 });
    expect(problem!.message).toContain('keep-alive');
  });

  it('a drain of an unknown node names the nodes there are and the nearest', () => {
    const [problem] = problemsOf(valid.replace('drain: node2', 'drain: nod2'));
    expect(problem).toMatchObject({ path: 'timeline.0.kubernetes.drain', line: 12 });
    expect(problem!.message).toBe('unknown node "nod2" (nodes are node1..node3; did you mean node2?)');
  });

  it('an ingress without a delay is refused: it has no documented default', () => {
    const [problem] = problemsOf(valid.replace(', delay: { constant: 1s }', ''));
    expect(problem).toMatchObject({ path: 'kubernetes.consumers.0' });
    expect(problem!.message).toContain('give the delay of this ingress');
  });

  it('steps of the other topologies are refused in a Kubernetes scenario, and a kubernetes step needs the section', () => {
    expect(problemsOf(valid.replace('kubernetes: { drain: node2 }', 'crash: node2'))[0]).toMatchObject({ path: 'timeline.0.crash' });
    const withoutSection = valid.replace(/kubernetes:\n {2}deployment[\s\S]*?workload:/, 'workload:');
    expect(problemsOf(withoutSection)[0]).toMatchObject({ path: 'timeline.0.kubernetes' });
  });

  it('a surge written without its unit, a zero probe period and two step actions are schema errors', () => {
    expect(problemsOf(valid.replace('replicas: 3 }', 'replicas: 3, maxSurge: "25" }'))[0]!.path).toBe('kubernetes.deployment.maxSurge');
    expect(problemsOf(valid.replace('replicas: 3 }', 'replicas: 3, readinessProbe: { period: 0s } }'))[0]!.message).toContain('more than 0');
    expect(problemsOf(valid.replace('{ drain: node2 }', '{ drain: node2, rollout: {} }'))[0]!.message).toContain('exactly one of rollout, drain, crashNode');
  });

  it('a consumer with replicas is that many instances, named after it; a name used twice is refused', () => {
    const replicated = valid.replace('kind: ingress,', 'kind: ingress, replicas: 3,');
    const names = buildTopology(parseScenario(replicated)).actorNames;
    expect(names.filter((name) => name.startsWith('ingress'))).toEqual(['ingress-1', 'ingress-2', 'ingress-3']);
    const clash = replicated.replace("    - { name: ingress,", "    - { name: ingress-2, kind: cloud-lb, delay: { constant: 1s } }\n    - { name: ingress,");
    expect(problemsOf(clash)[0]!.message).toBe('consumer name "ingress-2" is used twice');
  });

  it('explore draws only Kubernetes steps on a Kubernetes scenario, and refuses kinds it has no target for', () => {
    expect(scheduleSpace(parseScenario(valid, 'k8s.yaml')).kinds).toEqual(['kubernetes-rollout', 'kubernetes-drain', 'kubernetes-crash-node']);
    const crashServer = `${valid}explore: { kinds: [crash-server] }\n`;
    expect(() => scheduleSpace(parseScenario(crashServer, 'k8s.yaml'))).toThrow(ExploreError);
  });
});
