import { describe, expect, it } from 'vitest';
import { BackendAdminAction, RequestKind, Status, type Message, type Response } from '../../nodes/messages.js';
import { EnvoyProfile } from '../../nodes/proxy/envoy.js';
import { LoadBalancerChecker, type LoadBalancerFacts } from '../../sim/checkers/load-balancer.js';
import { check, rulesBroken, router, s1, s2, type Entry } from '../checkers/stream.js';
import { admin, balancer, reply, send } from './harness.js';

const drainTimeUs = 10_000_000;
const envoy = () =>
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
    listenerDrainStrategy: 'gradual',
  });
const responses = (sent: { to: number; message: Message }[]): Response[] => sent.flatMap((each) => (each.message.$case === 'response' ? [each.message.value] : []));
const onBalancer = 0; // balancer actions name no backend

describe('Envoy listener drain and exit', () => {
  it('SIGTERM alone: the requests in flight are cut, later ones refused, a late answer goes nowhere', () => {
    const { lb, context } = balancer(envoy());
    const first = send(lb, context, { id: 1, sessionId: 10 })!;
    const second = send(lb, context, { id: 2, sessionId: 11 })!;
    admin(lb, context, onBalancer, BackendAdminAction.STOP);
    const cut = responses(context.take());
    expect(cut.map((response) => [response.requestId, response.status, response.cause])).toEqual([
      [1, Status.DROPPED, 'balancer-exit'],
      [2, Status.DROPPED, 'balancer-exit'],
    ]);
    expect(context.recordsOf('lb-cut').reduce((total, record) => total + record.requests, 0)).toBe(2);
    expect(send(lb, context, { id: 3, sessionId: 12 })).toBeUndefined();
    expect(reply(lb, context, first)).toEqual([]);
    expect(reply(lb, context, second)).toEqual([]);
    expect(context.recordsOf('routed-away').map((record) => record.cause)).toEqual(['balancer-stopped']);
  });

  it('drain-listeners: new connections are taken for the drain time, then refused; an open connection is served and closed by its response; a stop then cuts nothing', () => {
    const { lb, context } = balancer(envoy());
    admin(lb, context, onBalancer, BackendAdminAction.DRAIN_LISTENERS);
    const closing = context.timers.find((timer) => timer.message.$case === 'timer' && timer.message.value.tag === 'lb-listeners-closed')!;
    expect(closing.atUs).toBe(drainTimeUs);
    context.now = drainTimeUs - 1;
    const late = send(lb, context, { id: 1, sessionId: 10 });
    expect(late).toBeDefined(); // still accepted while draining
    context.now = drainTimeUs;
    lb.onMessage(closing.message, context);
    expect(send(lb, context, { id: 2, sessionId: 11 })).toBeUndefined(); // a new connection
    expect(context.recordsOf('routed-away').map((record) => record.cause)).toEqual(['balancer-closed']);
    expect(responses(reply(lb, context, late!)).map((response) => [response.requestId, response.status])).toEqual([[1, Status.OK]]);
    expect(context.recordsOf('lb-connection-closed')).toMatchObject([{ session: 10, cause: 'drain' }]); // the drain time is over: every response closes
    expect(send(lb, context, { id: 3, sessionId: 10, kind: RequestKind.IN_SESSION })).toBeUndefined();
    admin(lb, context, onBalancer, BackendAdminAction.STOP);
    expect(context.recordsOf('lb-cut')).toEqual([]);
    expect(context.recordsOf('lb-listener').map((record) => [record.state, record.cause])).toEqual([
      ['draining', 'drain-listeners'],
      ['closed', 'drain-time-over'],
      ['stopped', 'stop'],
    ]);
  });

  it('a stop before the drain time is over still cuts what is in flight', () => {
    const { lb, context } = balancer(envoy());
    admin(lb, context, onBalancer, BackendAdminAction.DRAIN_LISTENERS);
    send(lb, context, { id: 1, sessionId: 10 });
    context.now = drainTimeUs / 2;
    admin(lb, context, onBalancer, BackendAdminAction.STOP);
    expect(context.recordsOf('lb-listener').at(-1)).toMatchObject({ state: 'stopped', cause: 'stop-while-draining' });
    expect(responses(context.take()).map((response) => response.cause)).toEqual(['balancer-exit']);
  });
});

describe('the listener promise, checked', () => {
  const facts = (overrides: Partial<LoadBalancerFacts> = {}): LoadBalancerFacts => ({ profile: 'envoy', forcePersist: false, panicThresholdPercent: 50, cutCauses: ['balancer-exit'], nonIdempotent: false, redistributesQueue: false, backends: [s1, s2], ...overrides });
  const listener = (atUs: number, state: 'draining' | 'closed' | 'stopped'): Entry => [atUs, router, { type: 'lb-listener', balancer: router, state, cause: 'test' }];
  const forwarded = (atUs: number, attempt: number): Entry => [atUs, router, { type: 'lb-forwarded', balancer: router, backend: s1, request: atUs, session: 1, kind: RequestKind.OPEN, persistent: false, spread: '', attempt }];
  const exitCut = (atUs: number): Entry => [atUs, router, { type: 'lb-cut', balancer: router, backend: s1, requests: 3, cause: 'balancer-exit' }];

  it('silent on a correct drain: requests while draining, a retry after the close, a stop after it', () => {
    const result = check(new LoadBalancerChecker(facts()), [listener(1, 'draining'), forwarded(2, 1), listener(3, 'closed'), forwarded(4, 2), listener(5, 'stopped')]);
    expect(result.violationCount).toBe(0);
    expect(result.notes['lb-stopped-while-draining']).toBeUndefined();
    expect(result.notes['lb-cut-at-exit']).toBe(0);
  });

  it("a client's request taken after the listeners closed on a new connection, or after the process stopped, is a violation", () => {
    expect(rulesBroken(check(new LoadBalancerChecker(facts()), [listener(1, 'draining'), listener(3, 'closed'), forwarded(4, 1)]))).toEqual(['lb-listener-closed']);
    const closedByDrain: Entry = [3, router, { type: 'lb-connection-closed', balancer: router, session: 1, cause: 'drain' }];
    const stillOpen = check(new LoadBalancerChecker(facts()), [listener(1, 'draining'), forwarded(2, 1), listener(3, 'closed'), forwarded(4, 1)]);
    expect(stillOpen.violationCount).toBe(0);
    const reopened = check(new LoadBalancerChecker(facts()), [listener(1, 'draining'), forwarded(2, 1), closedByDrain, listener(3, 'closed'), forwarded(4, 1)]);
    expect(rulesBroken(reopened)).toEqual(['lb-listener-closed']);
    expect(reopened.notes['lb-connections-closed-by-drain']).toBe(1);
    expect(rulesBroken(check(new LoadBalancerChecker(facts()), [listener(1, 'stopped'), forwarded(4, 1)]))).toEqual(['lb-listener-closed']);
  });

  it("an Envoy exit may cut requests (counted); a product that does not exit here may not", () => {
    const envoyRun = check(new LoadBalancerChecker(facts()), [listener(1, 'draining'), listener(2, 'stopped'), exitCut(2)]);
    expect(envoyRun.violationCount).toBe(0);
    expect(envoyRun.notes['lb-cut-at-exit']).toBe(3);
    expect(envoyRun.notes['lb-stopped-while-draining']).toBe(1);
    expect(rulesBroken(check(new LoadBalancerChecker(facts({ profile: 'haproxy', cutCauses: [] })), [exitCut(2)]))).toEqual(['lb-cut-in-flight']);
  });
});
