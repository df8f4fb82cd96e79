import { describe, expect, it } from 'vitest';
import { Kubelet } from '../../nodes/kubernetes/kubelet.js';
import type { Message } from '../../nodes/messages.js';
import { FakeContext } from '../helpers/fake-context.js';

const controlPlane = 1;

/** Drives a kubelet through its own timers, in time order, until `endUs`; returns when it sent each lease. */
function leases(kubelet: Kubelet, context: FakeContext, endUs: number): number[] {
  const sentAt: number[] = [];
  let pending: { atUs: number; message: Message }[] = [{ atUs: 0, message: Kubelet.start() }];
  while (pending.length > 0) {
    pending.sort((a, b) => a.atUs - b.atUs);
    const next = pending.shift()!;
    if (next.atUs >= endUs) break;
    context.now = next.atUs;
    kubelet.onMessage(next.message, context);
    for (const { to, message } of context.take()) if (to === controlPlane && message.$case === 'kubeNodeLease') sentAt.push(context.now);
    pending = [...pending, ...context.timers.splice(0)];
  }
  return sentAt;
}

describe('the kubelet’s lease', () => {
  it('renews its node’s lease every interval until the node crashes, and says when it crashed', () => {
    const kubelet = new Kubelet('node1', controlPlane, 10_000_000, 25_000_000);
    expect(kubelet.name).toBe('node1/kubelet');
    const context = new FakeContext(7);
    expect(leases(kubelet, context, 60_000_000)).toEqual([0, 10_000_000, 20_000_000]);
    expect(context.records).toEqual([{ type: 'fault', kind: 'crash', target: 'node1', detail: 'node' }]);
  });

  it('renews for ever when the node never crashes', () => {
    const context = new FakeContext(7);
    expect(leases(new Kubelet('node2', controlPlane, 10_000_000, Infinity), context, 35_000_000)).toEqual([0, 10_000_000, 20_000_000, 30_000_000]);
    expect(context.records).toEqual([]);
  });

  it('takes nothing but its timers', () => {
    expect(() => new Kubelet('node1', controlPlane, 10_000_000, Infinity).onMessage({ $case: 'kubeNodeLease', value: { node: 'node1' } }, new FakeContext(7))).toThrow(/node1\/kubelet cannot handle a kubeNodeLease/);
  });
});
