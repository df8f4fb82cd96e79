import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { summarize } from '../../reports/summary.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile, parseScenario } from '../../sim/scenario/load.js';

function run(file: string) {
  const result = runScenario(loadScenarioFile(file));
  return { result, summary: summarize(result) };
}

describe('rollout runs: the endpoint race and its fix', () => {
  it('without preStop, requests reach exited pods, every one through a consumer that still listed the pod', () => {
    const { result, summary } = run('scenarios/k8s-rollout-no-prestop.yaml');
    const kubernetes = summary.kubernetes!;
    expect(kubernetes.errorsByCause['pod-exited']).toBeGreaterThan(0);
    expect(result.checks.violationCount).toBe(0);
    const toExited = Object.values(kubernetes.consumers).map((consumer) => consumer.requestsToExitedPods);
    expect(toExited.every((count) => count > 0)).toBe(true);
    // Each is attributed to its consumer by the exited-endpoint rule, and the slower ingress takes more of them.
    expect(result.checks.notes['stale-consumer/kube-proxy']).toBe(kubernetes.consumers['kube-proxy']!.requestsToExitedPods);
    expect(result.checks.notes['stale-consumer/ingress']).toBe(kubernetes.consumers['ingress']!.requestsToExitedPods);
    expect(kubernetes.consumers['ingress']!.requestsToExitedPods).toBeGreaterThan(kubernetes.consumers['kube-proxy']!.requestsToExitedPods);
    expect(kubernetes.consumers['ingress']!.lagMaxUs).toBeLessThanOrEqual(3_000_000 + 1_000);
    // The report draws the rollout and the errors, and its page has the Kubernetes section.
    const files = renderReport(result, []).files;
    expect(files.get('kubernetes-pods.svg')).toContain('rollout 2 end');
    expect(files.get('kubernetes-errors.svg')).toContain('pod-exited');
    expect(files.get('kubernetes-propagation.svg')).toContain('ingress at');
    expect(files.get('index.html')).toContain(`${kubernetes.errors} failed requests`);
  });

  it('with a preStop sleep longer than the slowest propagation, no request fails', () => {
    const { result, summary } = run('scenarios/k8s-rollout-prestop.yaml');
    expect(summary.kubernetes!.errors).toBe(0);
    expect(summary.sessions.dropped + summary.sessions.rejected).toBe(0);
    expect(summary.kubernetes!.rolloutsCompleted).toBe(1);
    expect(result.checks.violationCount).toBe(0);
  });

  it('the same seed twice gives the same summary, byte for byte', () => {
    const first = JSON.stringify(run('scenarios/k8s-drain-pdb.yaml').summary);
    const second = JSON.stringify(run('scenarios/k8s-drain-pdb.yaml').summary);
    expect(second).toBe(first);
    expect(first).toContain('"refused":1');
  });
});

describe('independent reference: errors of a rollout whose pods exit at once', () => {
  // One consumer with a constant 2 s delay, 4 pods replaced at once (maxSurge 100%,
  // maxUnavailable 0) by pods Ready at the same instant, servers that exit on SIGTERM, no
  // preStop. The old pods are deleted together as the new ones become Ready, and exit at once;
  // the consumer routes only to them for its 2 s delay. Every request sent in that window fails
  // (pod-exited), so at λ requests/s about λ × 2 s of them, whatever the pods' other timings.
  const ratePerSecond = 100;
  const delaySeconds = 2;
  const text = `
name: reference-race
seed: 21
duration: 25s
cluster: { nodes: { count: 2, servers: 0 }, server: { threads: 20 } }
kubernetes:
  deployment:
    replicas: 4
    maxSurge: 100%
    maxUnavailable: 0
    startTime: { constant: 2s }
    onSigterm: exit
  consumers: [{ name: lb, kind: cloud-lb, delay: { constant: ${delaySeconds}s } }]
workload:
  http:
    rate: { steps: [{ at: 0s, rate: 0/s }, { at: 5s, rate: ${ratePerSecond}/s }] }
    requests: 1
    service: { constant: 1ms }
timeline:
  - { at: 10s, kubernetes: { rollout: {} } }
`;

  it('counts λ × delay errors within 20% (about 3 standard deviations of a Poisson count)', () => {
    const result = runScenario(parseScenario(text));
    const expected = ratePerSecond * delaySeconds;
    const errors = summarize(result).kubernetes!.errorsByCause['pod-exited'] ?? 0;
    expect(errors).toBeGreaterThan(expected * 0.8);
    expect(errors).toBeLessThan(expected * 1.2);
  });
});
