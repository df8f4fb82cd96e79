import { describe, expect, it } from 'vitest';
import { BackendAdminAction, RequestKind, Status } from '../../nodes/messages.js';
import { AwsProfile, albHealthCheckDefaults } from '../../nodes/proxy/aws-elb.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import { NginxProfile } from '../../nodes/proxy/nginx.js';
import { admin, balancer, reply, send, serve, server1, server2 } from './harness.js';

const aws = (kind: 'alb' | 'nlb', overrides: Partial<ConstructorParameters<typeof AwsProfile>[0]> = {}) =>
  new AwsProfile({ kind, healthChecks: albHealthCheckDefaults, deregistrationDelayUs: 300_000_000, connectionTermination: false, slowStartUs: 0, ...overrides });
const nginx = (nonIdempotent = false) => new NginxProfile({ maxFails: 1, failTimeoutUs: 10_000_000, slowStartUs: 0, healthChecks: undefined, retries: 2, nonIdempotent });

describe('AWS target groups', () => {
  it('ALB: a deregistered target drains until its last request in flight is answered, then is unused', () => {
    const { lb, context } = balancer(aws('alb'));
    const inFlight = send(lb, context, { id: 1, sessionId: 10 })!;
    admin(lb, context, inFlight.to, BackendAdminAction.DEREGISTER);
    expect(context.recordsOf('lb-drain-ended')).toEqual([]);
    context.now = 2_000_000;
    reply(lb, context, inFlight);
    expect(context.recordsOf('lb-drain-ended')).toMatchObject([{ backend: inFlight.to, reason: 'idle', drainUs: 2_000_000 }]);
    expect(lb.backends.find((backend) => backend.actor === inFlight.to)!.admin).toBe('gone');
  });

  it('ALB re-binds a sticky user of a draining target; NLB keeps the connection on it until the delay', () => {
    for (const [kind, stays] of [
      ['alb', false],
      ['nlb', true],
    ] as const) {
      const { lb, context } = balancer(aws(kind));
      const home = serve(lb, context, { id: 1, sessionId: 10 });
      admin(lb, context, home, BackendAdminAction.DEREGISTER);
      expect(serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home }) === home).toBe(stays);
    }
  });

  it('NLB with connection termination cuts the connections left at the end of the delay', () => {
    const { lb, context } = balancer(aws('nlb', { deregistrationDelayUs: 60_000_000, connectionTermination: true }));
    const home = serve(lb, context, { id: 1, sessionId: 10 });
    const inFlight = send(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })!;
    admin(lb, context, home, BackendAdminAction.DEREGISTER);
    context.now = 60_000_000;
    lb.onMessage(context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-drain-deadline')!.message, context);
    expect(context.take()).toMatchObject([{ to: inFlight.forwarded.client, message: { $case: 'response', value: { status: Status.DROPPED, cause: 'deregistration-delay' } } }]);
    expect(context.recordsOf('lb-drain-ended')).toMatchObject([{ reason: 'timeout', drainUs: 60_000_000 }]);
  });

  it('a sticky user of an unhealthy target is moved to a healthy one (ALB and NLB)', () => {
    for (const kind of ['alb', 'nlb'] as const) {
      const { lb, context } = balancer(aws(kind));
      const home = serve(lb, context, { id: 1, sessionId: 10 });
      lb.backends.find((backend) => backend.actor === home)!.healthy = false;
      const next = serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home });
      expect(next, kind).not.toBe(home);
    }
  });

  it('fail-open: with every target unhealthy, requests still go to the targets', () => {
    const { lb, context } = balancer(aws('alb'));
    for (const backend of lb.backends) backend.healthy = false;
    const picks = new Set([1, 2, 3].map((id) => send(lb, context, { id, sessionId: id })!.to));
    expect(picks.size).toBe(3);
    expect(context.recordsOf('lb-forwarded').every((record) => record.spread === 'fail-open')).toBe(true);
  });

  it('ALB slow start applies only when another healthy target is out of slow start', () => {
    const profile = aws('alb', { slowStartUs: 100_000_000 });
    const { lb } = balancer(profile);
    const [first, second, third] = lb.backends as [(typeof lb.backends)[0], (typeof lb.backends)[0], (typeof lb.backends)[0]];
    first.inServiceSinceUs = 0;
    expect(profile.weightFactor(first, 10_000_000, lb.backends)).toBeCloseTo(0.1); // the others are warm
    second.inServiceSinceUs = 0;
    third.inServiceSinceUs = 0;
    expect(profile.weightFactor(first, 10_000_000, lb.backends)).toBe(1); // all in slow start: skipped
  });
});

describe('NGINX upstream', () => {
  it('one failure (max_fails 1) makes a server unavailable for fail_timeout; the request goes on to the next server', () => {
    const { lb, context } = balancer(nginx());
    const first = send(lb, context, { id: 1, sessionId: 10 })!;
    const onward = reply(lb, context, first, Status.REJECTED, 'server-unavailable', true);
    expect(onward).toHaveLength(1);
    expect(onward[0]!.message.$case).toBe('request');
    expect(onward[0]!.to).not.toBe(first.to);
    expect(lb.backends.find((backend) => backend.actor === first.to)!.healthy).toBe(false);
    const returnTimer = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-passive-return')!;
    expect(returnTimer.atUs).toBe(10_000_000);
    lb.onMessage(returnTimer.message, context);
    expect(lb.backends.find((backend) => backend.actor === first.to)!.healthy).toBe(true);
  });

  it('a 503 is no failed attempt for max_fails: the server stays available', () => {
    const { lb, context } = balancer(nginx());
    const first = send(lb, context, { id: 1, sessionId: 10 })!;
    reply(lb, context, first, Status.REJECTED, 'queue-full', true);
    expect(lb.backends.every((backend) => backend.healthy)).toBe(true);
  });

  it('a group of one server is never marked unavailable', () => {
    const { lb, context } = balancer(nginx(), [server1]);
    for (let id = 1; id <= 3; id++) reply(lb, context, send(lb, context, { id, sessionId: id })!, Status.REJECTED, 'server-unavailable', true);
    expect(lb.backends[0]!.healthy).toBe(true);
    expect(send(lb, context, { id: 9, sessionId: 9 })!.to).toBe(server1);
  });

  it('down takes no traffic at all; drain only the sticky sessions', () => {
    const { lb, context } = balancer(nginx());
    const home = serve(lb, context, { id: 1, sessionId: 10 });
    admin(lb, context, home, BackendAdminAction.DRAIN);
    expect(serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })).toBe(home);
    admin(lb, context, home, BackendAdminAction.DOWN);
    expect(serve(lb, context, { id: 3, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })).not.toBe(home);
  });
});

describe('HAProxy retries and shutdown-sessions', () => {
  const haproxy = (redispatch: boolean, shutdownSessions = false) =>
    new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 0, retries: 3, redispatch, forcePersist: false, shutdownSessions, maxconn: 0, agentInterUs: 2_000_000 });

  it('a refused request is retried on another server with redispatch, on the same one without', () => {
    for (const redispatch of [true, false]) {
      const { lb, context } = balancer(haproxy(redispatch));
      const first = send(lb, context, { id: 1, sessionId: 10 })!;
      const [retry] = reply(lb, context, first, Status.REJECTED, 'server-unavailable', true);
      expect(retry!.to === first.to).toBe(!redispatch);
    }
  });

  it('an error status (a 503 from a full queue) is not retried: it goes back to the client', () => {
    const { lb, context } = balancer(haproxy(true));
    const first = send(lb, context, { id: 1, sessionId: 10 })!;
    expect(reply(lb, context, first, Status.REJECTED, 'queue-full', true)).toMatchObject([{ to: first.forwarded.client, message: { $case: 'response', value: { cause: 'queue-full' } } }]);
  });

  it('retries stop after `retries`: the fourth refusal reaches the client', () => {
    const { lb, context } = balancer(haproxy(false));
    let sent = send(lb, context, { id: 1, sessionId: 10 })!;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [retry] = reply(lb, context, sent, Status.REJECTED, 'server-unavailable', true);
      sent = { to: retry!.to, forwarded: (retry!.message as { value: typeof sent.forwarded }).value };
    }
    expect(reply(lb, context, sent, Status.REJECTED, 'server-unavailable', true)).toMatchObject([{ message: { $case: 'response', value: { status: Status.REJECTED } } }]);
  });

  it('requests in flight survive a server marked down, unless on-marked-down shutdown-sessions', () => {
    for (const shutdownSessions of [false, true]) {
      const { lb, context } = balancer(haproxy(true, shutdownSessions), [server1, server2]);
      const inFlight = send(lb, context, { id: 1, sessionId: 10 })!;
      for (let round = 1; round <= 3; round++) {
        lb.onMessage({ $case: 'timer', value: { tag: 'lb-health-round', ref: 0 } }, context);
        lb.onMessage({ $case: 'timer', value: { tag: 'lb-health-timeout', ref: round } }, context);
      }
      const cut = context.take().filter((each) => each.message.$case === 'response');
      expect(cut.length).toBe(shutdownSessions ? 1 : 0);
      expect(lb.backends.find((backend) => backend.actor === inFlight.to)!.healthy).toBe(false);
    }
  });
});

