import { describe, expect, it } from 'vitest';
import { BackendAdminAction } from '../../nodes/messages.js';
import { EnvoyProfile } from '../../nodes/proxy/envoy.js';
import { Listeners, type DrainStrategy } from '../../nodes/proxy/listeners.js';
import { admin, balancer, reply, send } from './harness.js';

const drainTimeUs = 10_000_000;
const envoy = (listenerDrainStrategy: DrainStrategy) =>
  new EnvoyProfile({
    healthChecks: undefined,
    panicThresholdPercent: 50,
    ignoreHealthOnHostRemoval: false,
    outlierDetection: undefined,
    slowStartWindowUs: 0,
    slowStartAggression: 1,
    slowStartMinWeightPercent: 10,
    retries: 0,
    listenerDrainTimeUs: drainTimeUs,
    listenerDrainStrategy,
  });

/** Listeners that took sessions 1..n, draining from 0. */
function draining(strategy: DrainStrategy, sessions: number): Listeners {
  const listeners = new Listeners({ timeUs: drainTimeUs, strategy });
  for (let session = 1; session <= sessions; session++) listeners.accepts(session);
  listeners.startDrain(0);
  return listeners;
}

describe('Envoy gradual listener drain', () => {
  it('a response closes its connection when the draw falls under the elapsed share of the drain time', () => {
    const listeners = draining('gradual', 3);
    expect(listeners.closesAfterResponse(1, false, 2_500_000, () => 0.26)).toBe(false); // 25% elapsed
    expect(listeners.closesAfterResponse(1, false, 2_500_000, () => 0.24)).toBe(true);
    expect(listeners.closesAfterResponse(1, false, 9_000_000, () => 0)).toBe(false); // already closed: nothing to close
    expect(listeners.closesAfterResponse(2, false, 0, () => 0)).toBe(false); // 0% at the start
    const never = () => {
      throw new Error('no draw once the share is 1');
    };
    expect(listeners.closesAfterResponse(2, false, drainTimeUs, never)).toBe(true);
    expect(draining('immediate', 1).closesAfterResponse(1, false, 0, never)).toBe(true);
  });

  it("a session's last response closes its connection without counting as the drain's; open listeners close nothing", () => {
    const listeners = draining('gradual', 1);
    expect(listeners.closesAfterResponse(1, true, drainTimeUs, () => 0)).toBe(false);
    listeners.state = 'closed';
    expect(listeners.accepts(1)).toBe(false); // its connection is gone: a new one is refused
    const open = new Listeners({ timeUs: drainTimeUs, strategy: 'gradual' });
    open.accepts(1);
    expect(open.closesAfterResponse(1, false, drainTimeUs, () => 0)).toBe(false);
  });

  it('over the drain, the share of responses that close grows linearly: about 1/4 in the first half, 3/4 in the second (named stream)', () => {
    const closedShare = (fromUs: number, toUs: number) => {
      const { lb, context } = balancer(envoy('gradual'));
      admin(lb, context, 0, BackendAdminAction.DRAIN_LISTENERS);
      const count = 400;
      for (let i = 0; i < count; i++) {
        context.now = fromUs + Math.floor(((toUs - fromUs) * i) / count);
        reply(lb, context, send(lb, context, { id: i + 1, sessionId: 1000 + i })!);
      }
      return context.recordsOf('lb-connection-closed').length / count;
    };
    const first = closedShare(0, drainTimeUs / 2);
    const second = closedShare(drainTimeUs / 2, drainTimeUs);
    expect(first).toBeGreaterThan(0.18);
    expect(first).toBeLessThan(0.32);
    expect(second).toBeGreaterThan(0.68);
    expect(second).toBeLessThan(0.82);
  });

  it('a session whose connection the drain closed is refused once the listeners close; one still connected is served', () => {
    const { lb, context } = balancer(envoy('immediate'));
    const kept = send(lb, context, { id: 1, sessionId: 10 })!; // answered after the close
    reply(lb, context, send(lb, context, { id: 2, sessionId: 20 })!);
    admin(lb, context, 0, BackendAdminAction.DRAIN_LISTENERS);
    reply(lb, context, send(lb, context, { id: 3, sessionId: 20 })!); // immediate: this response closes session 20's connection
    expect(context.recordsOf('lb-connection-closed').map((record) => record.session)).toEqual([20]);
    context.now = drainTimeUs;
    lb.onMessage({ $case: 'timer', value: { tag: 'lb-listeners-closed', ref: 0 } }, context);
    expect(send(lb, context, { id: 4, sessionId: 20 })).toBeUndefined();
    expect(send(lb, context, { id: 5, sessionId: 10 })).toBeDefined();
    reply(lb, context, kept);
  });
});
