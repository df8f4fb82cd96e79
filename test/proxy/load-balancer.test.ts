import { describe, expect, it } from 'vitest';
import { BackendAdminAction, RequestKind, Status } from '../../nodes/messages.js';
import { EnvoyProfile } from '../../nodes/proxy/envoy.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import { HealthCount } from '../../nodes/proxy/health-checks.js';
import { LoadBalancer } from '../../nodes/proxy/load-balancer.js';
import { OutlierDetector } from '../../nodes/proxy/outlier-detection.js';
import { envoyRampFactor, linearRampFactor } from '../../nodes/proxy/slow-start.js';
import { admin, balancer as balancerOf, reply, send, serve, server1, server2, server3 } from './harness.js';

const haproxy = (overrides: Partial<ConstructorParameters<typeof HaproxyProfile>[0]> = {}) =>
  new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 0, retries: 3, redispatch: true, forcePersist: false, shutdownSessions: false, maxconn: 0, agentInterUs: 2_000_000, ...overrides });
const balancer = (profile: Parameters<typeof balancerOf>[0] = haproxy()) => balancerOf(profile);

describe('HAProxy admin states', () => {
  it('drain keeps a session on its server (persistence) but sends no new session there', () => {
    const { lb, context } = balancer();
    const home = serve(lb, context, { id: 1, sessionId: 10, kind: RequestKind.OPEN });
    admin(lb, context, home, BackendAdminAction.DRAIN);
    expect(serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })).toBe(home);
    for (let id = 3; id < 9; id++) expect(serve(lb, context, { id, sessionId: 100 + id, kind: RequestKind.OPEN })).not.toBe(home);
  });

  it('maint skips persistence: the session is rebalanced; force-persist keeps it', () => {
    for (const forcePersist of [false, true]) {
      const { lb, context } = balancer(haproxy({ forcePersist }));
      const home = serve(lb, context, { id: 1, sessionId: 10 });
      admin(lb, context, home, BackendAdminAction.MAINT);
      const next = serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home });
      expect(next === home).toBe(forcePersist);
    }
  });

  it('weight 0 drains like the drain state, apart from it: ready keeps weight 0, restoring the weight keeps an admin drain', () => {
    const { lb, context } = balancer();
    const home = serve(lb, context, { id: 1, sessionId: 10 });
    admin(lb, context, home, BackendAdminAction.WEIGHT_ZERO);
    expect(serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })).toBe(home);
    for (let id = 3; id < 7; id++) expect(serve(lb, context, { id, sessionId: 100 + id })).not.toBe(home);
    const adminOf = () => lb.backends.find((backend) => backend.actor === home)!.admin;
    admin(lb, context, home, BackendAdminAction.READY);
    expect(adminOf()).toBe('drain');
    admin(lb, context, home, BackendAdminAction.DRAIN);
    admin(lb, context, home, BackendAdminAction.WEIGHT_RESTORE);
    expect(adminOf()).toBe('drain');
    admin(lb, context, home, BackendAdminAction.READY);
    expect(adminOf()).toBe('active');
  });

  it('checks mark a server down after fall (3) failures in a row and up after rise (2) successes', () => {
    const count = new HealthCount(haproxyHealthCheckDefaults);
    expect([count.failed(false), count.failed(false)]).toEqual([undefined, undefined]);
    expect(count.passed()).toBeUndefined(); // a success breaks the streak
    expect([count.failed(true), count.failed(false), count.failed(false)]).toEqual([undefined, undefined, 'down']);
    expect([count.passed(), count.passed()]).toEqual([undefined, 'up']);
  });

  it('a probe unanswered by its timeout counts as a failure: three rounds of silence take the server out', () => {
    const { lb, context } = balancer();
    for (let round = 1; round <= 3; round++) {
      context.now = (round - 1) * 2_000_000;
      lb.onMessage(round === 1 ? LoadBalancer.start() : { $case: 'timer', value: { tag: 'lb-health-round', ref: 0 } }, context);
      for (const actor of [server1, server2]) lb.onMessage({ $case: 'healthProbeAnswer', value: { server: actor, sequence: round, healthy: true } }, context);
      lb.onMessage({ $case: 'timer', value: { tag: 'lb-health-timeout', ref: round } }, context);
    }
    expect(lb.backends.map((backend) => backend.healthy)).toEqual([true, true, false]);
  });
});

describe('slow start', () => {
  it('HAProxy, NGINX and ALB ramp the weight linearly over the window', () => {
    expect([0, 15, 30, 60].map((seconds) => linearRampFactor(seconds * 1_000_000, 60_000_000))).toEqual([0, 0.25, 0.5, 1]);
  });

  it("Envoy's ramp: max(min weight, time factor^(1/aggression)), at least 10% by default", () => {
    expect(envoyRampFactor(0, 100_000_000, 1, 10)).toBe(0.1);
    expect(envoyRampFactor(50_000_000, 100_000_000, 1, 10)).toBeCloseTo(0.5);
    expect(envoyRampFactor(25_000_000, 100_000_000, 2, 10)).toBeCloseTo(0.5); // aggression 2: the square root
    expect(envoyRampFactor(100_000_000, 100_000_000, 2, 10)).toBe(1);
  });

  it('a server back from maint gets a small share of new sessions at first', () => {
    const { lb, context } = balancer(haproxy({ slowStartUs: 100_000_000 }));
    admin(lb, context, server1, BackendAdminAction.MAINT);
    admin(lb, context, server1, BackendAdminAction.READY);
    context.now = 10_000_000; // 10% into the ramp
    const picks = Array.from({ length: 42 }, (_, index) => serve(lb, context, { id: index + 1, sessionId: 1000 + index }));
    expect(picks.filter((actor) => actor === server1).length).toBe(2);
  });
});

describe('Envoy', () => {
  const envoy = (panicThresholdPercent = 50) =>
    new EnvoyProfile({
      healthChecks: { ...haproxyHealthCheckDefaults, downOnFirstBadAnswer: true },
      panicThresholdPercent,
      ignoreHealthOnHostRemoval: false,
      outlierDetection: undefined,
      slowStartWindowUs: 0,
      slowStartAggression: 1,
      slowStartMinWeightPercent: 10,
      retries: 0,
      listenerDrainTimeUs: 600_000_000,
      listenerDrainStrategy: 'gradual',
    });

  it('panic threshold: below 50% healthy, requests go to every host, unhealthy ones included', () => {
    for (const [threshold, spreads] of [
      [50, true],
      [30, false],
      [100 / 3, false], // one of three healthy is not below a third
    ] as const) {
      const { lb, context } = balancer(envoy(threshold));
      lb.onMessage(LoadBalancer.start(), context);
      // Two of three hosts answer their check with a bad status: unhealthy at once.
      for (const actor of [server2, server3]) lb.onMessage({ $case: 'healthProbeAnswer', value: { server: actor, sequence: 1, healthy: false } }, context);
      const picks = new Set(Array.from({ length: 6 }, (_, index) => serve(lb, context, { id: index + 1, sessionId: 500 + index })));
      expect(picks.size).toBe(spreads ? 3 : 1);
    }
  });

  it('a host removed from discovery keeps new requests while healthy, and leaves once its checks fail', () => {
    const { lb, context } = balancer(envoy());
    lb.onMessage(LoadBalancer.start(), context);
    admin(lb, context, server1, BackendAdminAction.REMOVE);
    expect(lb.backends[0]!.admin).toBe('removed');
    const before = new Set(Array.from({ length: 3 }, (_, index) => serve(lb, context, { id: index + 1, sessionId: 600 + index })));
    expect(before.has(server1)).toBe(true);
    lb.onMessage({ $case: 'healthProbeAnswer', value: { server: server1, sequence: 1, healthy: false } }, context);
    expect(lb.backends[0]!.admin).toBe('gone');
    const after = new Set(Array.from({ length: 6 }, (_, index) => serve(lb, context, { id: 10 + index, sessionId: 700 + index })));
    expect(after.has(server1)).toBe(false);
  });

  it('EDS DRAINING: the host takes nothing, not even its sticky sessions', () => {
    const { lb, context } = balancer(envoy());
    const home = serve(lb, context, { id: 1, sessionId: 10 });
    admin(lb, context, home, BackendAdminAction.EDS_DRAINING);
    expect(serve(lb, context, { id: 2, sessionId: 10, kind: RequestKind.IN_SESSION, affinityServer: home })).not.toBe(home);
  });

  it('five 5xx in a row eject a host for the base ejection time; it then returns', () => {
    const { lb, context } = balancer(
      new EnvoyProfile({
        healthChecks: undefined,
        panicThresholdPercent: 50,
        ignoreHealthOnHostRemoval: false,
        outlierDetection: { consecutive5xx: 5, baseEjectionTimeUs: 30_000_000, maxEjectionTimeUs: 300_000_000, maxEjectionPercent: 10 },
        slowStartWindowUs: 0,
        slowStartAggression: 1,
        slowStartMinWeightPercent: 10,
        retries: 0,
        listenerDrainTimeUs: 600_000_000,
        listenerDrainStrategy: 'gradual',
      }),
    );
    for (let id = 1; lb.backends[0]!.healthy; id++) {
      expect(id).toBeLessThanOrEqual(15); // round robin: server1 sees every third request
      const sent = send(lb, context, { id, sessionId: id })!;
      reply(lb, context, sent, sent.to === server1 ? Status.REJECTED : Status.OK, 'queue-full', false);
    }
    expect(context.recordsOf('lb-forwarded').filter((record) => record.backend === server1)).toHaveLength(5);
    const returning = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-passive-return')!;
    expect(returning.atUs).toBe(30_000_000);
    lb.onMessage(returning.message, context);
    expect(lb.backends[0]!.healthy).toBe(true);
  });

  it('outlier detection: ejection time grows with the times ejected, up to the maximum; at most 10% of hosts (one at least)', () => {
    const detector = new OutlierDetector({ consecutive5xx: 5, baseEjectionTimeUs: 30_000_000, maxEjectionTimeUs: 75_000_000, maxEjectionPercent: 10 });
    const eject = (host: number) => {
      const times = Array.from({ length: 5 }, () => detector.answered(host, true, 4));
      detector.returnToService(host);
      return times;
    };
    expect(eject(7)).toEqual([0, 0, 0, 0, 30_000_000]);
    expect(eject(7).at(-1)).toBe(60_000_000);
    expect(eject(7).at(-1)).toBe(75_000_000);
    expect(detector.answered(8, false, 4)).toBe(0);
    // Host 7 ejected now: 10% of 4 hosts allows only one, so host 8 stays in.
    Array.from({ length: 5 }, () => detector.answered(7, true, 4));
    expect(Array.from({ length: 5 }, () => detector.answered(8, true, 4)).at(-1)).toBe(0);
  });
});
