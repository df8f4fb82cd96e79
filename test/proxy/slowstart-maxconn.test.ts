import { describe, expect, it } from 'vitest';
import { BackendAdminAction } from '../../nodes/messages.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import { admin, balancer, reply, send, server1 } from './harness.js';

/** HAProxy with `maxconn 10` and `slowstart 10s`. */
const haproxy = () =>
  new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 10_000_000, retries: 3, redispatch: true, forcePersist: false, shutdownSessions: false, maxconn: 10, agentInterUs: 2_000_000 });

describe('HAProxy slowstart ramps maxconn with the weight', () => {
  it('from 1 connection to maxconn over the slowstart window; a server never out is at maxconn', () => {
    const { lb, context } = balancer(haproxy(), [server1]);
    const profile = haproxy();
    const backend = lb.backends[0]!;
    expect(profile.maxconnNow(backend, 0)).toBe(10);
    context.now = 1_000_000;
    admin(lb, context, server1, BackendAdminAction.MAINT);
    admin(lb, context, server1, BackendAdminAction.READY);
    const at = (seconds: number) => profile.maxconnNow(backend, 1_000_000 + seconds * 1_000_000);
    expect([0, 0.5, 1, 2.5, 5, 9.99, 10, 60].map(at)).toEqual([1, 1, 1, 2, 5, 9, 10, 10]);
  });

  it('3 s into a 10 s slowstart a server takes 3 connections, the rest wait; at full speed its next answer takes them all', () => {
    const { lb, context } = balancer(haproxy(), [server1]);
    admin(lb, context, server1, BackendAdminAction.MAINT);
    admin(lb, context, server1, BackendAdminAction.READY); // back in service at 0
    context.now = 3_000_000;
    const sent = [1, 2, 3, 4, 5].map((id) => send(lb, context, { id, sessionId: 10 + id }));
    expect(sent.map((each) => each?.to)).toEqual([server1, server1, server1, undefined, undefined]);
    expect(context.recordsOf('lb-queued').map((record) => record.request)).toEqual([4, 5]);
    context.now = 10_000_000;
    const after = reply(lb, context, sent[0]!);
    expect(after.filter((each) => each.message.$case === 'request').map((each) => each.message.$case === 'request' && each.message.value.id)).toEqual([4, 5]);
  });
});
