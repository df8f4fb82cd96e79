import { describe, expect, it } from 'vitest';
import { KubePodAction } from '../../gen/clustersim/v1/kubernetes.js';
import { Pod, preStopExtensionUs, type PodConfig } from '../../nodes/kubernetes/pod.js';
import { Status, type Message, type Response } from '../../nodes/messages.js';
import { constant } from '../../sim/kernel/distributions.js';
import { FakeContext } from '../helpers/fake-context.js';
import { requestMessage } from '../helpers/requests.js';

const self = 10;
const consumer = 5;
const graceUs = 30_000_000;

function newPod(fields: Partial<PodConfig> = {}) {
  const pod = new Pod({
    name: 'pod-1',
    controlPlane: 1,
    threads: 2,
    queueLimit: 10,
    startTime: constant(2_000_000),
    probe: { initialDelayUs: 0, periodUs: 10_000_000, timeoutUs: 1_000_000, successThreshold: 1, failureThreshold: 3 },
    terminationGracePeriodUs: graceUs,
    preStopSleepUs: 0,
    onSigterm: 'graceful',
    drainTimeoutUs: 60_000_000,
    nodeCrashAtUs: () => Infinity,
    ...fields,
  });
  const context = new FakeContext(self);
  return { pod, context };
}

/** Delivers the earliest pending timer (at its time) and returns its tag. */
function fireNext(pod: Pod, context: FakeContext): string {
  context.timers.sort((a, b) => a.atUs - b.atUs);
  const next = context.timers.shift()!;
  context.now = next.atUs;
  pod.onMessage(next.message, context);
  return next.message.$case === 'timer' ? next.message.value.tag : next.message.$case;
}

function command(action: KubePodAction): Message {
  return { $case: 'kubePodCommand', value: { action, node: 'node1', revision: 1 } };
}

/** A pod bound at 0, started at 2 s and Ready after its first probe. */
function readyPod(fields: Partial<PodConfig> = {}, keepProbing = false) {
  const made = newPod(fields);
  made.pod.onMessage(command(KubePodAction.CREATE), made.context);
  expect(fireNext(made.pod, made.context)).toBe('started');
  expect(fireNext(made.pod, made.context)).toBe('probe');
  expect(made.context.recordsOf('pod-phase').map((record) => record.phase)).toEqual(['running', 'ready']);
  made.context.clear({ timers: !keepProbing });
  return made;
}

function responses(context: FakeContext): Response[] {
  return context.sent.flatMap(({ message }) => (message.$case === 'response' ? [message.value] : []));
}

function timerAt(context: FakeContext, tag: string): number | undefined {
  return context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === tag)?.atUs;
}

describe('pod termination as the kubelet runs it', () => {
  it('without preStop: SIGTERM at deletion, SIGKILL set for the grace period; a graceful server refuses new work and exits once idle', () => {
    const { pod, context } = readyPod();
    context.now = 100_000_000;
    pod.onMessage(requestMessage({ id: 1, router: consumer, serviceUs: 500_000 }), context);
    pod.onMessage(command(KubePodAction.DELETE), context);
    expect(context.recordsOf('pod-phase').map((record) => record.phase)).toEqual(['stopping']);
    expect(timerAt(context, 'sigkill')).toBe(100_000_000 + graceUs);
    pod.onMessage(requestMessage({ id: 2, router: consumer }), context);
    expect(responses(context)).toMatchObject([{ requestId: 2, status: Status.REJECTED, cause: 'refused-after-sigterm', retryable: true }]);
    context.clear();
    expect(fireNext(pod, context)).toBe('served');
    expect(responses(context)).toMatchObject([{ requestId: 1, status: Status.OK }]);
    expect(context.recordsOf('pod-phase')).toMatchObject([{ phase: 'exited', reason: 'completed' }]);
  });

  it('a preStop sleep delays SIGTERM; the grace period counts from the deletion, preStop included', () => {
    const { pod, context } = readyPod({ preStopSleepUs: 5_000_000 });
    context.now = 100_000_000;
    pod.onMessage(command(KubePodAction.DELETE), context);
    expect(timerAt(context, 'prestop-done')).toBe(105_000_000);
    expect(timerAt(context, 'sigkill')).toBe(130_000_000);
    pod.onMessage(requestMessage({ id: 3, router: consumer, serviceUs: 1_000 }), context);
    expect(context.recordsOf('accepted')).toHaveLength(1); // still listening during preStop
  });

  it('a preStop hook that outlives the grace period gets SIGTERM at its end and a 2 s extension before SIGKILL', () => {
    const { pod, context } = readyPod({ preStopSleepUs: 40_000_000 });
    context.now = 100_000_000;
    pod.onMessage(command(KubePodAction.DELETE), context);
    expect(timerAt(context, 'prestop-done')).toBe(100_000_000 + graceUs);
    expect(timerAt(context, 'sigkill')).toBe(100_000_000 + graceUs + preStopExtensionUs);
  });

  it('SIGKILL at the grace period cuts what the server still holds', () => {
    const { pod, context } = readyPod({ drainTimeoutUs: 120_000_000 });
    context.now = 100_000_000;
    pod.onMessage(requestMessage({ id: 4, router: consumer, serviceUs: 90_000_000 }), context);
    pod.onMessage(command(KubePodAction.DELETE), context);
    context.clear({ timers: false });
    context.timers = context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'sigkill');
    expect(fireNext(pod, context)).toBe('sigkill');
    expect(context.now).toBe(100_000_000 + graceUs);
    expect(responses(context)).toMatchObject([{ requestId: 4, status: Status.DROPPED, cause: 'cut-by-sigkill' }]);
  });

  it('a server that exits on SIGTERM cuts its work at once; a request reaching the exited pod is refused and recorded', () => {
    const { pod, context } = readyPod({ onSigterm: 'exit' });
    pod.onMessage(requestMessage({ id: 5, router: consumer, serviceUs: 1_000_000 }), context);
    pod.onMessage(command(KubePodAction.DELETE), context);
    expect(responses(context)).toMatchObject([{ requestId: 5, status: Status.DROPPED, cause: 'cut-by-sigterm' }]);
    context.clear();
    pod.onMessage(requestMessage({ id: 6, router: consumer }), context);
    expect(responses(context)).toMatchObject([{ requestId: 6, status: Status.REJECTED, cause: 'pod-exited' }]);
    expect(context.recordsOf('request-to-exited-pod')).toEqual([{ type: 'request-to-exited-pod', pod: self, consumer, request: 6, connection: 'new' }]);
  });

  it('becomes not Ready only after failureThreshold failed probes', () => {
    const { pod, context } = readyPod({ preStopSleepUs: 0, drainTimeoutUs: 60_000_000 }, true);
    pod.onMessage(requestMessage({ id: 7, router: consumer, serviceUs: 50_000_000 }), context);
    pod.onMessage(command(KubePodAction.DELETE), context); // stopping: the probes fail from now on
    const phases = () => context.recordsOf('pod-phase').map((record) => record.phase);
    for (let probe = 1; probe <= 2; probe++) {
      context.timers = context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'probe');
      fireNext(pod, context);
      expect(phases()).not.toContain('not-ready');
    }
    context.timers = context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'probe');
    fireNext(pod, context);
    expect(phases()).toContain('not-ready');
  });

  it('a deletion that overtakes the binding on the network leaves the pod exited, and the late binding changes nothing', () => {
    const { pod, context } = newPod();
    pod.onMessage(command(KubePodAction.DELETE), context);
    pod.onMessage(command(KubePodAction.CREATE), context);
    expect(context.recordsOf('pod-phase').map((record) => record.phase)).toEqual(['exited']);
    expect(context.timers).toEqual([]);
  });

  it('a probe that would wait behind more than its timeout of queued work fails: an overloaded pod leaves the endpoints', () => {
    const { pod, context } = readyPod({ threads: 1, probe: { initialDelayUs: 0, periodUs: 10_000_000, timeoutUs: 1_000_000, successThreshold: 1, failureThreshold: 1 } }, true);
    for (let id = 1; id <= 3; id++) pod.onMessage(requestMessage({ id, router: consumer, serviceUs: 600_000 }), context);
    // One on the thread, two queued: 1.2 s of work ahead of a probe, above its 1 s timeout.
    context.timers = context.timers.filter((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'probe');
    fireNext(pod, context);
    expect(context.recordsOf('pod-phase').map((record) => record.phase)).toEqual(['not-ready']);
  });
});

describe('keep-alive connections at the pod', () => {
  const onConnection = (fields: { id: number; sessionId: number; serviceUs?: number; last?: boolean }) =>
    requestMessage({ router: consumer, keepAlive: true, serviceUs: 1_000, ...fields });

  it('an exit leaves the idle connections dead: the next request on one is reset, a new connection is refused', () => {
    const { pod, context } = readyPod({ onSigterm: 'exit', preStopSleepUs: 5_000_000 });
    pod.onMessage(onConnection({ id: 1, sessionId: 7 }), context);
    pod.onMessage(onConnection({ id: 2, sessionId: 8, last: true }), context); // its client closes after it
    pod.onMessage(command(KubePodAction.DELETE), context);
    pod.onMessage(onConnection({ id: 3, sessionId: 7 }), context); // during preStop, on the open connection
    expect(context.recordsOf('request-to-terminating-pod')).toEqual([
      { type: 'request-to-terminating-pod', pod: self, consumer, request: 3, connection: 'established' },
    ]);
    while (context.timers.length > 0) fireNext(pod, context); // served, then SIGTERM: exit
    context.clear();
    pod.onMessage(onConnection({ id: 4, sessionId: 7 }), context);
    pod.onMessage(onConnection({ id: 5, sessionId: 7 }), context); // the reset closed it: a new connection now
    pod.onMessage(onConnection({ id: 6, sessionId: 8 }), context);
    expect(responses(context).map((response) => response.cause)).toEqual(['connection-reset', 'pod-exited', 'pod-exited']);
    expect(context.recordsOf('request-to-exited-pod').map((record) => record.connection)).toEqual(['established', 'new', 'new']);
  });

  it('a graceful server closes its connections on SIGTERM and tells each consumer, finishing the requests on them', () => {
    const { pod, context } = readyPod();
    pod.onMessage(onConnection({ id: 1, sessionId: 7, serviceUs: 500_000 }), context);
    pod.onMessage(requestMessage({ id: 2, sessionId: 8, router: consumer + 1, keepAlive: true, serviceUs: 1_000 }), context);
    pod.onMessage(requestMessage({ id: 3, sessionId: 9, router: consumer + 2, serviceUs: 1_000 }), context); // one connection per request
    while (context.timers.length > 0) fireNext(pod, context); // all served: the two keep-alive connections stay open, idle
    context.clear();
    pod.onMessage(onConnection({ id: 4, sessionId: 7, serviceUs: 500_000 }), context);
    pod.onMessage(command(KubePodAction.DELETE), context);
    expect(context.sent.filter(({ message }) => message.$case === 'kubeConnectionsClosed')).toEqual([
      { to: consumer, message: { $case: 'kubeConnectionsClosed', value: { pod: self } } },
      { to: consumer + 1, message: { $case: 'kubeConnectionsClosed', value: { pod: self } } },
    ]);
    expect(context.recordsOf('connections-closed')).toEqual([{ type: 'connections-closed', pod: self, connections: 2 }]);
    context.clear();
    expect(fireNext(pod, context)).toBe('served');
    expect(responses(context)).toMatchObject([{ requestId: 4, status: Status.OK }]);
  });
});
