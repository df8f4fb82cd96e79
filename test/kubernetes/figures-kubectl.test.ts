import { describe, expect, it } from 'vitest';
import { KubeAction } from '../../gen/clustersim/v1/kubernetes.js';
import { Kubectl } from '../../nodes/kubernetes/kubectl.js';
import { KubernetesFigures } from '../../sim/metrics/kubernetes-figures.js';
import { RecordBus } from '../../sim/metrics/record-bus.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { FakeContext } from '../helpers/fake-context.js';

describe('Kubernetes figures', () => {
  it('measure how long each consumer kept routing to a pod that had stopped listening, and its lag', () => {
    const consumer = 3;
    const figures = new KubernetesFigures({ actorNames: ['timeline', 'control-plane', 'kubectl', 'ingress', 'pod-1', 'pod-2'], consumers: [consumer], replicas: 2, windows: 10, windowUs: 1_000_000 });
    const bus = new RecordBus([figures.handlers]);
    const feed = (timeUs: number, record: SimRecord) => bus.record(timeUs, 0, record);
    for (const pod of [4, 5]) {
      feed(0, { type: 'pod-phase', pod, node: 'node1', revision: 1, phase: 'pending', reason: 'replace' });
      feed(100, { type: 'pod-phase', pod, node: 'node1', revision: 1, phase: 'ready', reason: 'probe' });
    }
    feed(200, { type: 'endpoints-applied', consumer, version: 1, publishedAtUs: 150, routable: [4, 5] });
    feed(1_000, { type: 'pod-phase', pod: 4, node: 'node1', revision: 1, phase: 'terminating', reason: 'rollout' });
    feed(1_000, { type: 'pod-phase', pod: 4, node: 'node1', revision: 1, phase: 'stopping', reason: 'sigterm' });
    feed(1_500, { type: 'pod-phase', pod: 4, node: 'node1', revision: 1, phase: 'exited', reason: 'completed' });
    feed(3_000, { type: 'endpoints-applied', consumer, version: 2, publishedAtUs: 1_000, routable: [5] });
    const summary = figures.finish(10_000_000);
    expect(summary.consumers['ingress']).toMatchObject({ updates: 2, lagMeanUs: (50 + 2_000) / 2, lagMaxUs: 2_000, staleRoutingUs: 2_000, staleRoutingMaxUs: 2_000 });
    expect(summary.pods).toMatchObject({ minReady: 1, minReadyPercent: 50, maxIncludingTerminating: 2 });
  });
});

describe('kubectl drain', () => {
  const controlPlane = 1;

  it('cordons, evicts every pod of the node, retries a refusal after the interval, and is done when every pod is gone', () => {
    const kubectl = new Kubectl(controlPlane, 5_000_000);
    const context = new FakeContext(2);
    kubectl.onMessage({ $case: 'kubeCommand', value: { action: KubeAction.DRAIN, node: 'node1' } }, context);
    expect(context.take()).toEqual([{ to: controlPlane, message: { $case: 'kubeCommand', value: { action: KubeAction.CORDON, node: 'node1' } } }]);
    kubectl.onMessage({ $case: 'kubePodList', value: { node: 'node1', pods: [10, 11] } }, context);
    expect(context.take().map(({ message }) => message)).toEqual([
      { $case: 'kubeEviction', value: { pod: 10 } },
      { $case: 'kubeEviction', value: { pod: 11 } },
    ]);
    kubectl.onMessage({ $case: 'kubeEvictionResult', value: { pod: 11, code: 429 } }, context);
    expect(context.timers).toEqual([{ atUs: 5_000_000, message: { $case: 'timer', value: { tag: 'retry-eviction', ref: 11 } } }]);
    kubectl.onMessage({ $case: 'kubeEvictionResult', value: { pod: 10, code: 404 } }, context);
    expect(context.recordsOf('node-condition')).toEqual([]);
    kubectl.onMessage({ $case: 'kubeEvictionResult', value: { pod: 11, code: 404 } }, context);
    expect(context.recordsOf('node-condition')).toEqual([{ type: 'node-condition', node: 'node1', condition: 'drained' }]);
  });
});
