import { describe, expect, it } from 'vitest';
import { BackendAdminAction, RequestKind } from '../../nodes/messages.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import { LoadBalancerChecker, type LoadBalancerFacts } from '../../sim/checkers/load-balancer.js';
import { check, rulesBroken, router, s1, s2, type Entry } from '../checkers/stream.js';
import { admin, balancer, reply, send, server1, server2 } from './harness.js';

/** HAProxy with `maxconn 1` on two servers: a second request to a busy server waits. */
const haproxy = (redispatch = true) =>
  new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 0, retries: 3, redispatch, forcePersist: false, shutdownSessions: false, maxconn: 1, agentInterUs: 2_000_000 });
const forwardsOf = (context: ReturnType<typeof balancer>['context']) => context.recordsOf('lb-forwarded').map((record) => [record.request, record.backend, record.persistent]);

/** Session 10 is bound to server1, which is busy with request 2 of session 20; session 10's next request (3) waits in server1's queue. */
function queuedOnServer1(redispatch: boolean) {
  const { lb, context } = balancer(haproxy(redispatch), [server1, server2]);
  reply(lb, context, send(lb, context, { id: 1, sessionId: 10 })!); // bound to server1 (first pick)
  const busy = send(lb, context, { id: 2, sessionId: 20 })!; // round robin: server2, then server1 again
  expect(busy.to).toBe(server2);
  const busyOnServer1 = send(lb, context, { id: 4, sessionId: 30 })!;
  expect(busyOnServer1.to).toBe(server1);
  expect(send(lb, context, { id: 3, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: server1 })).toBeUndefined();
  expect(context.recordsOf('lb-queued')).toMatchObject([{ backend: server1, request: 3 }]);
  context.clear();
  return { lb, context, busy, busyOnServer1 };
}

describe('HAProxy maxconn and queues', () => {
  it('with every server at maxconn a new request waits in the backend queue and goes to the first server freed', () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    const first = send(lb, context, { id: 1, sessionId: 10 })!;
    send(lb, context, { id: 2, sessionId: 20 });
    expect(send(lb, context, { id: 3, sessionId: 30 })).toBeUndefined();
    expect(context.recordsOf('lb-queued')).toMatchObject([{ backend: -1, request: 3 }]);
    const after = reply(lb, context, first);
    expect(after.filter((each) => each.message.$case === 'request').map((each) => each.to)).toEqual([first.to]);
  });

  it('a freed server takes the oldest of its own queue and the backend queue', () => {
    const { lb, context, busy, busyOnServer1 } = queuedOnServer1(true);
    expect(send(lb, context, { id: 5, sessionId: 40 })).toBeUndefined(); // both full: backend queue, younger than request 3
    reply(lb, context, busyOnServer1); // server1 freed: its own request 3 is older than request 5
    reply(lb, context, busy); // server2 freed: the backend queue's request 5
    expect(forwardsOf(context)).toEqual([
      [3, server1, true],
      [5, server2, false],
    ]);
  });

  it('maint with option redispatch: the queued request is balanced afresh, its persistence broken', () => {
    const { lb, context, busy } = queuedOnServer1(true);
    admin(lb, context, server1, BackendAdminAction.MAINT);
    expect(context.recordsOf('lb-redispatched')).toMatchObject([{ backend: server1, requests: 1 }]);
    expect(context.recordsOf('lb-queued')).toMatchObject([{ backend: -1, request: 3 }]); // server2 is full: backend queue
    reply(lb, context, busy);
    expect(forwardsOf(context)).toEqual([[3, server2, false]]);
  });

  it('drain redistributes too with option redispatch; without it the server serves its own queue in maint', () => {
    const drained = queuedOnServer1(true);
    admin(drained.lb, drained.context, server1, BackendAdminAction.DRAIN);
    expect(drained.context.recordsOf('lb-redispatched')).toHaveLength(1);
    const kept = queuedOnServer1(false);
    admin(kept.lb, kept.context, server1, BackendAdminAction.MAINT);
    expect(kept.context.recordsOf('lb-redispatched')).toEqual([]);
    reply(kept.lb, kept.context, kept.busyOnServer1);
    expect(forwardsOf(kept.context)).toEqual([[3, server1, true]]);
  });

  it('a server back in rotation takes from the backend queue', () => {
    const { lb, context } = balancer(haproxy(), [server1, server2]);
    admin(lb, context, server1, BackendAdminAction.MAINT);
    send(lb, context, { id: 1, sessionId: 10 });
    expect(send(lb, context, { id: 2, sessionId: 20 })).toBeUndefined();
    context.clear();
    admin(lb, context, server1, BackendAdminAction.READY);
    expect(forwardsOf(context)).toEqual([[2, server1, false]]);
  });
});

describe('the queue promise, checked', () => {
  const facts = (redistributesQueue: boolean): LoadBalancerFacts => ({ profile: 'haproxy', forcePersist: false, panicThresholdPercent: 50, cutCauses: [], nonIdempotent: false, redistributesQueue, backends: [s1, s2] });
  const queued = (request: number, server: number): Entry => [1, router, { type: 'lb-queued', balancer: router, backend: server, request, session: request }];
  const maint: Entry = [2, router, { type: 'lb-backend', balancer: router, backend: s1, admin: 'maint', healthy: true, cause: 'maint' }];
  const forwarded = (request: number, server: number, persistent: boolean): Entry => [3, router, { type: 'lb-forwarded', balancer: router, backend: server, request, session: request, kind: RequestKind.IN_SESSION, persistent, spread: '', attempt: 1 }];

  it('silent when the queued request goes elsewhere, or when a server without redispatch serves its own queue in maint', () => {
    const redispatched = check(new LoadBalancerChecker(facts(true)), [queued(3, s1), maint, [2, router, { type: 'lb-redispatched', balancer: router, backend: s1, requests: 1 }], forwarded(3, s2, false)]);
    expect(redispatched.violationCount).toBe(0);
    expect(redispatched.notes['lb-redispatched-requests']).toBe(1);
    expect(check(new LoadBalancerChecker(facts(false)), [queued(3, s1), maint, forwarded(3, s1, true)]).violationCount).toBe(0);
  });

  it('with redispatch, a request queued before maint and still sent to that server is a violation; a request never queued there breaks lb-out-of-rotation', () => {
    expect(rulesBroken(check(new LoadBalancerChecker(facts(true)), [queued(3, s1), maint, forwarded(3, s1, true)]))).toEqual(['lb-queue-redispatch']);
    expect(rulesBroken(check(new LoadBalancerChecker(facts(false)), [maint, forwarded(4, s1, true)]))).toEqual(['lb-out-of-rotation']);
  });
});
