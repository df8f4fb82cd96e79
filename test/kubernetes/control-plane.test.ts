import { describe, expect, it } from 'vitest';
import { KubeAction, KubePodAction } from '../../gen/clustersim/v1/kubernetes.js';
import { ControlPlane } from '../../nodes/kubernetes/control-plane.js';
import { EndpointConsumer } from '../../nodes/kubernetes/endpoint-consumer.js';
import { resolveRollingUpdate } from '../../nodes/kubernetes/rolling-update.js';
import { Status, type Message } from '../../nodes/messages.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

const kubectl = 2;
const consumerActor = 3;
const slots = [10, 11, 12, 13, 14, 15, 16, 17];

function newControlPlane(replicas = 4, budget: { minAvailable: number } | undefined = { minAvailable: 3 }) {
  const controlPlane = new ControlPlane({
    podSlots: slots,
    nodes: ['node1', 'node2'],
    consumers: [consumerActor],
    kubectl,
    bounds: resolveRollingUpdate(replicas, 1, 0),
    minReadyUs: 0,
    budget,
    nodeMonitorPeriodUs: 5_000_000,
    nodeMonitorGracePeriodUs: 40_000_000,
    unreachableTolerationUs: 300_000_000,
  });
  const context = new FakeContext(1);
  controlPlane.onMessage(ControlPlane.start(), context);
  return { controlPlane, context };
}

function podCommands(context: FakeContext, action: KubePodAction): { pod: number; node: string }[] {
  return context.sent.flatMap(({ to, message }) => (message.$case === 'kubePodCommand' && message.value.action === action ? [{ pod: to, node: message.value.node }] : []));
}

function ready(controlPlane: ControlPlane, context: FakeContext, pod: number): void {
  controlPlane.onMessage({ $case: 'kubePodStatus', value: { pod, ready: true, exited: false, started: true } }, context);
}

function sentTo(context: FakeContext, to: number): Message[] {
  return context.sent.filter((sent) => sent.to === to).map((sent) => sent.message);
}

describe('control plane', () => {
  it('creates the replicas spread over the nodes, and publishes each readiness change to the consumers', () => {
    const { controlPlane, context } = newControlPlane();
    expect(podCommands(context, KubePodAction.CREATE)).toEqual([
      { pod: 10, node: 'node1' },
      { pod: 11, node: 'node2' },
      { pod: 12, node: 'node1' },
      { pod: 13, node: 'node2' },
    ]);
    context.clear();
    ready(controlPlane, context, 10); // version 1 was the empty slice of the start
    const [slice] = sentTo(context, consumerActor);
    expect(slice).toMatchObject({ $case: 'kubeEndpointSlice', value: { version: 2, endpoints: [{ pod: 10, ready: true, serving: true, terminating: false }] } });
  });

  it('a rollout with maxSurge 1 / maxUnavailable 0 adds one pod, and deletes an old one only when the new one is Ready', () => {
    const { controlPlane, context } = newControlPlane();
    for (const pod of [10, 11, 12, 13]) ready(controlPlane, context, pod);
    context.clear();
    controlPlane.onMessage({ $case: 'kubeCommand', value: { action: KubeAction.ROLLOUT, node: '' } }, context);
    expect(podCommands(context, KubePodAction.CREATE)).toEqual([{ pod: 14, node: 'node1' }]);
    expect(podCommands(context, KubePodAction.DELETE)).toEqual([]);
    context.clear();
    ready(controlPlane, context, 14);
    expect(podCommands(context, KubePodAction.DELETE)).toHaveLength(1);
    expect(podCommands(context, KubePodAction.CREATE)).toHaveLength(1);
    // The deleted pod is listed terminating and not ready, still serving, in the same slice.
    const slice = sentTo(context, consumerActor).at(-1)!;
    const deleted = podCommands(context, KubePodAction.DELETE)[0]!.pod;
    expect(slice.$case === 'kubeEndpointSlice' && slice.value.endpoints.find((endpoint) => endpoint.pod === deleted)).toEqual({ pod: deleted, ready: false, serving: true, terminating: true });
  });

  it('refuses an eviction with 429 while the disruption budget would be broken, and grants it once a replacement is Ready', () => {
    const { controlPlane, context } = newControlPlane();
    for (const pod of [10, 11, 12, 13]) ready(controlPlane, context, pod);
    context.clear();
    controlPlane.onMessage({ $case: 'kubeEviction', value: { pod: 10 } }, context);
    expect(sentTo(context, kubectl)).toEqual([{ $case: 'kubeEvictionResult', value: { pod: 10, code: 201 } }]);
    context.clear();
    controlPlane.onMessage({ $case: 'kubeEviction', value: { pod: 12 } }, context);
    expect(sentTo(context, kubectl)).toEqual([{ $case: 'kubeEvictionResult', value: { pod: 12, code: 429 } }]);
    expect(context.recordsOf('eviction')).toEqual([{ type: 'eviction', pod: 12, granted: false, healthy: 3, desiredHealthy: 3 }]);
    ready(controlPlane, context, 14); // pod 10's replacement
    context.clear();
    controlPlane.onMessage({ $case: 'kubeEviction', value: { pod: 12 } }, context);
    expect(sentTo(context, kubectl)).toEqual([{ $case: 'kubeEvictionResult', value: { pod: 12, code: 201 } }]);
  });

  it('marks a node NotReady once its lease is older than the grace period, and takes its pods out of the ready endpoints', () => {
    const { controlPlane, context } = newControlPlane(2, undefined);
    for (const pod of [10, 11]) ready(controlPlane, context, pod);
    context.now = 10_000_000;
    controlPlane.onMessage({ $case: 'kubeNodeLease', value: { node: 'node1' } }, context);
    context.now = 45_000_000;
    controlPlane.onMessage({ $case: 'timer', value: { tag: 'node-monitor', ref: 0 } }, context);
    expect(context.recordsOf('node-condition')).toEqual([{ type: 'node-condition', node: 'node2', condition: 'not-ready' }]);
    const slice = sentTo(context, consumerActor).at(-1)!;
    expect(slice.$case === 'kubeEndpointSlice' && slice.value.endpoints).toEqual([
      { pod: 10, ready: true, serving: true, terminating: false },
      { pod: 11, ready: false, serving: false, terminating: false },
    ]);
  });
});

describe('endpoint consumer', () => {
  function newConsumer(proxyTerminatingEndpoints = true, retries = 0, keepAlive = false) {
    const consumer = new EndpointConsumer({ name: 'ingress', delay: constant(2_000_000), retries, sessionAffinity: false, proxyTerminatingEndpoints, keepAlive });
    return { consumer, context: new FakeContext(consumerActor) };
  }
  const slice = (version: number, endpoints: { pod: number; ready: boolean; serving: boolean; terminating: boolean }[]): Message => ({
    $case: 'kubeEndpointSlice',
    value: { version, publishedAtUs: 0, endpoints },
  });
  const applyDue = (consumer: EndpointConsumer, context: FakeContext) => {
    for (const timer of context.timers.splice(0).sort((a, b) => a.atUs - b.atUs)) {
      context.now = timer.atUs;
      consumer.onMessage(timer.message, context);
    }
  };

  it('keeps routing to the old set until its delay has passed', () => {
    const { consumer, context } = newConsumer();
    consumer.onMessage(slice(1, [{ pod: 10, ready: true, serving: true, terminating: false }]), context);
    applyDue(consumer, context);
    consumer.onMessage(slice(2, [{ pod: 10, ready: false, serving: true, terminating: true }, { pod: 11, ready: true, serving: true, terminating: false }]), context);
    expect(consumer.routablePods).toEqual([10]);
    consumer.onMessage(requestMessage({ id: 1 }), context);
    expect(context.sent.at(-1)!.to).toBe(10);
    applyDue(consumer, context);
    expect(context.now).toBe(4_000_000);
    expect(consumer.routablePods).toEqual([11]);
  });

  it('ignores a slice overtaken on the network by a newer one', () => {
    const { consumer, context } = newConsumer();
    consumer.onMessage(slice(2, [{ pod: 11, ready: true, serving: true, terminating: false }]), context);
    consumer.onMessage(slice(1, [{ pod: 10, ready: true, serving: true, terminating: false }]), context);
    applyDue(consumer, context);
    expect(consumer.routablePods).toEqual([11]);
    expect(context.recordsOf('endpoints-applied')).toHaveLength(1);
  });

  it('falls back to terminating, serving pods only when no pod is ready (ProxyTerminatingEndpoints)', () => {
    const terminatingOnly = [{ pod: 10, ready: false, serving: true, terminating: true }, { pod: 11, ready: false, serving: false, terminating: true }];
    const on = newConsumer(true);
    on.consumer.onMessage(slice(1, terminatingOnly), on.context);
    applyDue(on.consumer, on.context);
    expect(on.consumer.routablePods).toEqual([10]);
    const off = newConsumer(false);
    off.consumer.onMessage(slice(1, terminatingOnly), off.context);
    applyDue(off.consumer, off.context);
    expect(off.consumer.routablePods).toEqual([]);
  });

  it('retries a refused connection on another pod when configured, and answers 502 with the cause otherwise', () => {
    const both = [{ pod: 10, ready: true, serving: true, terminating: false }, { pod: 11, ready: true, serving: true, terminating: false }];
    const refusal = (pod: number): Message => ({
      $case: 'response',
      value: { requestId: 1, protocol: 1, kind: 1, sessionId: 7, status: Status.REJECTED, cause: 'pod-exited', server: pod, client: 90, sentAtUs: 0, attempts: 1, redirects: 0, workClass: '', retryable: true, redirectAddress: '', othersInFlight: 0 },
    });
    const retrying = newConsumer(true, 1);
    retrying.consumer.onMessage(slice(1, both), retrying.context);
    applyDue(retrying.consumer, retrying.context);
    retrying.consumer.onMessage(requestMessage({ id: 1 }), retrying.context);
    const first = retrying.context.sent.at(-1)!.to;
    retrying.consumer.onMessage(refusal(first), retrying.context);
    expect(retrying.context.sent.at(-1)!.to).toBe(first === 10 ? 11 : 10);

    const plain = newConsumer(true, 0);
    plain.consumer.onMessage(slice(1, both), plain.context);
    applyDue(plain.consumer, plain.context);
    plain.consumer.onMessage(requestMessage({ id: 1 }), plain.context);
    plain.consumer.onMessage(refusal(plain.context.sent.at(-1)!.to), plain.context);
    expect(plain.context.sent.at(-1)).toMatchObject({ to: 90, message: { $case: 'response', value: { status: Status.REJECTED, cause: 'pod-exited' } } });
    expect(plain.context.recordsOf('upstream-error')).toHaveLength(1);
  });
  describe('with keep-alive connections', () => {
    const ready = (pod: number) => ({ pod, ready: true, serving: true, terminating: false });
    const terminating = (pod: number) => ({ pod, ready: false, serving: true, terminating: true });
    /** The pod's answer to request `id` of session 7: OK, or refused with `cause`. */
    const answer = (id: number, pod: number, cause?: string): Message => ({
      $case: 'response',
      value: {
        requestId: id,
        protocol: 1,
        kind: 1,
        sessionId: 7,
        status: cause === undefined ? Status.OK : Status.REJECTED,
        cause: cause ?? '',
        server: pod,
        client: 90,
        sentAtUs: 0,
        attempts: 1,
        redirects: 0,
        workClass: '',
        retryable: cause !== undefined,
        redirectAddress: '',
        othersInFlight: 0,
      },
    });
    /** A consumer routing to pod 10 only, then to 11 only once pod 10 terminates; session 7 connected to pod 10. */
    function connectedThenRolled(keepAlive: boolean, retries = 0) {
      const made = newConsumer(true, retries, keepAlive);
      made.consumer.onMessage(slice(1, [ready(10)]), made.context);
      applyDue(made.consumer, made.context);
      made.consumer.onMessage(requestMessage({ id: 1, sessionId: 7 }), made.context);
      made.consumer.onMessage(slice(2, [terminating(10), ready(11)]), made.context);
      applyDue(made.consumer, made.context);
      expect(made.consumer.routablePods).toEqual([11]);
      return made;
    }
    const lastSent = (context: FakeContext) => context.sent.at(-1)!;

    it('a session stays on the pod it was first routed to after that pod leaves the endpoints; a new session follows them; per-request, every request does', () => {
      const { consumer, context } = connectedThenRolled(true);
      consumer.onMessage(requestMessage({ id: 2, sessionId: 7 }), context);
      expect(lastSent(context)).toMatchObject({ to: 10, message: { $case: 'request', value: { id: 2, keepAlive: true } } });
      consumer.onMessage(requestMessage({ id: 3, sessionId: 8 }), context);
      expect(lastSent(context).to).toBe(11);
      const perRequest = connectedThenRolled(false);
      perRequest.consumer.onMessage(requestMessage({ id: 2, sessionId: 7 }), perRequest.context);
      expect(lastSent(perRequest.context).to).toBe(11);
      expect(lastSent(perRequest.context).message).not.toHaveProperty('value.keepAlive');
    });

    it('the next request after the server closed its connections is routed anew, not failed', () => {
      const { consumer, context } = connectedThenRolled(true);
      consumer.onMessage({ $case: 'kubeConnectionsClosed', value: { pod: 10 } }, context);
      consumer.onMessage(requestMessage({ id: 2, sessionId: 7 }), context);
      expect(lastSent(context).to).toBe(11);
    });

    it('a reset on a dead connection is a 502 with its cause, or retried on a pod it lists when configured; either way the session connects anew', () => {
      const failing = connectedThenRolled(true);
      failing.consumer.onMessage(requestMessage({ id: 2, sessionId: 7 }), failing.context);
      failing.consumer.onMessage(answer(2, 10, 'connection-reset'), failing.context);
      expect(lastSent(failing.context)).toMatchObject({
        to: 90,
        message: { $case: 'response', value: { status: Status.REJECTED, cause: 'connection-reset' } },
      });
      expect(failing.context.recordsOf('upstream-error')).toMatchObject([{ pod: 10, cause: 'connection-reset' }]);
      failing.consumer.onMessage(requestMessage({ id: 3, sessionId: 7 }), failing.context);
      expect(lastSent(failing.context).to).toBe(11);

      const retrying = connectedThenRolled(true, 1);
      retrying.consumer.onMessage(requestMessage({ id: 2, sessionId: 7 }), retrying.context);
      retrying.consumer.onMessage(answer(2, 10, 'connection-reset'), retrying.context);
      expect(lastSent(retrying.context)).toMatchObject({ to: 11, message: { $case: 'request', value: { id: 2, attempts: 2 } } });
    });

    it("the session's last request closes its connection", () => {
      const { consumer, context } = connectedThenRolled(true);
      consumer.onMessage(requestMessage({ id: 2, sessionId: 7, last: true }), context);
      expect(lastSent(context).to).toBe(10);
      consumer.onMessage(answer(2, 10), context);
      consumer.onMessage(requestMessage({ id: 3, sessionId: 7 }), context);
      expect(lastSent(context).to).toBe(11);
    });
  });
});
