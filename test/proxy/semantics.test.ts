import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, type ScenarioProblem } from '../../sim/scenario/load.js';

const base = (loadBalancer: string, step = '') => `name: lb
duration: 1m
cluster: { nodes: { count: 2, servers: 1 } }
workload: { http: { rate: 1/s, service: { constant: 1ms } } }
${loadBalancer}
timeline:
${step === '' ? '  []' : `  - ${step}`}
`;

function problemsOf(text: string): ScenarioProblem[] {
  try {
    parseScenario(text, 'lb.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('load balancer scenario checks, located', () => {
  it('a valid HAProxy scenario with a drain step passes', () => {
    expect(problemsOf(base('loadBalancer: { profile: haproxy }', '{ at: 10s, loadBalancer: { backend: node1/app-1, action: drain } }'))).toEqual([]);
  });

  it("an action of another product's is refused where it is written", () => {
    const [problem] = problemsOf(base('loadBalancer: { profile: envoy }', '{ at: 10s, loadBalancer: { backend: node1/app-1, action: maint } }'));
    expect(problem).toMatchObject({ line: 7, path: 'timeline.0.loadBalancer.action' });
    expect(problem!.message).toBe('envoy has no action "maint" (its actions: remove, add, eds-draining, drain-listeners, stop)');
  });

  it('drain-listeners and stop act on the balancer: a backend given is refused, as is a backend action without one, or on another product', () => {
    expect(problemsOf(base('loadBalancer: { profile: envoy }', '{ at: 10s, loadBalancer: { action: drain-listeners } }'))).toEqual([]);
    expect(problemsOf(base('loadBalancer: { profile: envoy }', '{ at: 10s, loadBalancer: { backend: node1/app-1, action: stop } }'))[0]).toMatchObject({ path: 'timeline.0.loadBalancer.backend', message: 'stop acts on the balancer itself: remove backend' });
    expect(problemsOf(base('loadBalancer: { profile: envoy }', '{ at: 10s, loadBalancer: { action: remove } }'))[0]).toMatchObject({ path: 'timeline.0.loadBalancer', message: 'remove acts on one backend: give backend' });
    expect(problemsOf(base('loadBalancer: { profile: haproxy }', '{ at: 10s, loadBalancer: { action: drain-listeners } }'))[0]).toMatchObject({ path: 'timeline.0.loadBalancer.action' });
  });

  it('Envoy health checks need every field; a timeout longer than the interval is refused', () => {
    const envoy = problemsOf(base('loadBalancer: { profile: envoy, healthCheck: { interval: 5s } }'));
    expect(envoy.map((problem) => problem.message)).toEqual(['timeout', 'unhealthyThreshold', 'healthyThreshold'].map((field) => `Envoy health checks have no defaults: give ${field}`));
    const [slow] = problemsOf(base('loadBalancer: { profile: haproxy, healthCheck: { interval: 2s, timeout: 3s } }'));
    expect(slow).toMatchObject({ path: 'loadBalancer.healthCheck.timeout' });
    expect(problemsOf(base('loadBalancer: { profile: haproxy, healthCheck: { interval: 0s } }'))[0]).toMatchObject({ path: 'loadBalancer.healthCheck.interval', message: 'interval must be more than 0' });
  });

  it('a loadBalancer step without a load balancer, and NLB settings on an ALB, are refused', () => {
    expect(problemsOf(base('', '{ at: 10s, loadBalancer: { backend: node1/app-1, action: drain } }'))[0]).toMatchObject({ path: 'timeline.0.loadBalancer' });
    expect(problemsOf(base('loadBalancer: { profile: aws-alb, aws: { connectionTermination: true } }'))[0]).toMatchObject({ path: 'loadBalancer.aws.connectionTermination' });
  });
});
