import { describe, expect, it } from 'vitest';
import { resolveRollingUpdate } from '../../nodes/kubernetes/rolling-update.js';
import { CheckerSet } from '../../sim/checkers/checker-set.js';
import { ExitedEndpointChecker } from '../../sim/checkers/kubernetes-endpoints.js';
import type { KubernetesFacts } from '../../sim/checkers/kubernetes-facts.js';
import { KubernetesRolloutChecker } from '../../sim/checkers/kubernetes-rollout.js';
import type { PodPhase, SimRecord } from '../../sim/metrics/records.js';

const controlPlane = 1;
const consumer = 3;
const actorNames = ['timeline', 'control-plane', 'kubectl', 'ingress', ...Array.from({ length: 10 }, (_, index) => `pod-${index + 1}`)];
const pod = (n: number) => 3 + n;
const facts: KubernetesFacts = { bounds: resolveRollingUpdate(4, 1, 0), minReadyUs: 0, budget: { minAvailable: 3 }, consumers: [consumer] };

function check(records: [number, number, SimRecord][]) {
  const set = new CheckerSet({ actorNames, checkers: [new ExitedEndpointChecker(), new KubernetesRolloutChecker(facts)] });
  for (const [timeUs, actor, record] of records) set.record(timeUs, actor, record);
  return set.finish(100_000_000);
}

function phase(timeUs: number, n: number, phaseName: PodPhase, reason = ''): [number, number, SimRecord] {
  return [timeUs, controlPlane, { type: 'pod-phase', pod: pod(n), node: 'node1', revision: n <= 4 ? 1 : 2, phase: phaseName, reason }];
}

/** Four pods of revision 1, Ready. */
const steady = [1, 2, 3, 4].flatMap((n) => [phase(0, n, 'pending', 'replace'), phase(1, n, 'ready')]);

describe('Kubernetes rules', () => {
  it('exited-endpoint: a request to an exited pod is fine from a consumer that still lists it, a violation from one that does not', () => {
    const applied = (routable: number[]): [number, number, SimRecord] => [10, consumer, { type: 'endpoints-applied', consumer, version: 1, publishedAtUs: 5, routable }];
    const toExited: [number, number, SimRecord] = [20, pod(1), { type: 'request-to-exited-pod', pod: pod(1), consumer, request: 16, connection: 'new' }];
    const stale = check([applied([pod(1), pod(2)]), toExited]);
    expect(stale.violationCount).toBe(0);
    expect(stale.notes['stale-consumer/ingress']).toBe(1);
    const outside = check([applied([pod(2)]), toExited]);
    expect(outside.violationsByRule).toEqual({ 'exited-endpoint': 1 });
  });

  it('exited-endpoint: a request on a keep-alive connection established before the exit is noted, not a violation; a newly routed one still is', () => {
    const applied: [number, number, SimRecord] = [
      10,
      consumer,
      { type: 'endpoints-applied', consumer, version: 2, publishedAtUs: 5, routable: [pod(2)] },
    ];
    const toExited = (request: number, connection: 'new' | 'established'): [number, number, SimRecord] => [
      20,
      pod(1),
      { type: 'request-to-exited-pod', pod: pod(1), consumer, request, connection },
    ];
    const stale = check([applied, toExited(16, 'established'), toExited(17, 'established')]);
    expect(stale.violationCount).toBe(0);
    expect(stale.notes['stale-connection/ingress']).toBe(2);
    const routed = check([applied, toExited(16, 'established'), toExited(18, 'new')]);
    expect(routed.violations).toMatchObject([{ rule: 'exited-endpoint', request: 18 }]);
  });

  it('rollout-bounds: creating a pod beyond replicas + maxSurge is a violation', () => {
    expect(check([...steady, phase(5, 5, 'pending', 'rollout')]).violationCount).toBe(0);
    const result = check([...steady, phase(5, 5, 'pending', 'rollout'), phase(5, 6, 'pending', 'rollout')]);
    expect(result.violationsByRule).toEqual({ 'rollout-bounds': 1 });
  });

  it('rollout-bounds: deleting an available pod below replicas - maxUnavailable is a violation; a pod lost with its node counts until the node is NotReady', () => {
    expect(check([...steady, phase(5, 1, 'terminating', 'rollout')]).violationsByRule).toEqual({ 'rollout-bounds': 1 });
    const withNew = [...steady, phase(5, 5, 'pending', 'rollout'), phase(6, 5, 'ready')];
    expect(check([...withNew, phase(7, 1, 'terminating', 'rollout')]).violationCount).toBe(0);
    expect(check([...withNew, phase(6, 2, 'lost', 'node-crash'), phase(7, 1, 'terminating', 'rollout')]).violationCount).toBe(0);
    const known: [number, number, SimRecord] = [7, controlPlane, { type: 'node-condition', node: 'node1', condition: 'not-ready' }];
    expect(check([...withNew, phase(6, 2, 'lost', 'node-crash'), known, phase(8, 1, 'terminating', 'rollout')]).violationsByRule).toEqual({ 'rollout-bounds': 1 });
  });

  it('disruption-budget: an eviction granted with too few healthy pods left is a violation', () => {
    const evict = (timeUs: number, n: number): [number, number, SimRecord] => [timeUs, controlPlane, { type: 'eviction', pod: pod(n), granted: true, healthy: 0, desiredHealthy: 3 }];
    expect(check([...steady, evict(5, 1), phase(5, 1, 'terminating', 'eviction')]).violationCount).toBe(0);
    const twice = check([...steady, evict(5, 1), phase(5, 1, 'terminating', 'eviction'), evict(6, 2)]);
    expect(twice.violationsByRule).toEqual({ 'disruption-budget': 1 });
  });

  it('names its rules, and says in each violation what was created or deleted against which bound', () => {
    expect(check([]).rules).toEqual(['exited-endpoint', 'rollout-bounds', 'disruption-budget']);
    const surge = check([...steady, phase(5, 5, 'pending', 'rollout'), phase(5, 6, 'pending', 'rollout')]);
    expect(surge.violations).toEqual([{ timeUs: 5, rule: 'rollout-bounds', actor: 'control-plane', detail: 'created pod-6: 6 pods, above replicas 4 + maxSurge 1' }]);
    const unavailable = check([...steady, phase(5, 1, 'terminating', 'rollout')]);
    expect(unavailable.violations).toEqual([{ timeUs: 5, rule: 'rollout-bounds', actor: 'control-plane', detail: 'deleted pod-1: 3 pods available, below replicas 4 - maxUnavailable 0' }]);
    const exited = check([[20, pod(1), { type: 'request-to-exited-pod', pod: pod(1), consumer, request: 16, connection: 'new' }]]);
    expect(exited.violations).toEqual([
      { timeUs: 20, rule: 'exited-endpoint', actor: 'ingress', detail: 'request sent to pod-1 after it exited, though the endpoints ingress applied no longer list it', request: 16 },
    ]);
  });

  it('rollout-bounds judges only the rollout: replacing a lost pod or evicting one is bounded by other rules', () => {
    expect(check([...steady, phase(5, 5, 'pending', 'replace'), phase(5, 6, 'pending', 'replace')]).violationCount).toBe(0);
    expect(check([...steady, phase(5, 1, 'terminating', 'eviction')]).violationCount).toBe(0);
    // A rollout's pod that turns Ready or gets deleted is no creation; a pod not yet available is no loss.
    expect(check([...steady, phase(5, 5, 'pending', 'rollout'), phase(6, 5, 'ready', 'rollout'), phase(7, 5, 'terminating', 'rollout')]).violationCount).toBe(0);
  });

  it('rollout-bounds counts a pod available only after minReadySeconds', () => {
    const slow: KubernetesFacts = { ...facts, minReadyUs: 10 };
    const run = (records: [number, number, SimRecord][]) => {
      const set = new CheckerSet({ actorNames, checkers: [new KubernetesRolloutChecker(slow)] });
      for (const [timeUs, actor, record] of records) set.record(timeUs, actor, record);
      return set.finish(100_000_000).violationCount;
    };
    const withNew = [...steady, phase(20, 5, 'pending', 'rollout'), phase(21, 5, 'ready')];
    expect(run([...withNew, phase(30, 1, 'terminating', 'rollout')])).toBe(1); // the new pod Ready 9 µs: not available yet
    expect(run([...withNew, phase(31, 1, 'terminating', 'rollout')])).toBe(0);
  });
});
