import { describe, expect, it } from 'vitest';
import { Status, type Message, type Response } from '../../nodes/messages.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../nodes/proxy/haproxy.js';
import { NginxProfile } from '../../nodes/proxy/nginx.js';
import { LoadBalancerChecker, type LoadBalancerFacts } from '../../sim/checkers/load-balancer.js';
import type { LoadBalancerProfileName } from '../../sim/scenario/schema-load-balancer.js';
import { check, rulesBroken, router, s1, s2, type Entry } from '../checkers/stream.js';
import { balancer, reply, send } from './harness.js';

const nginx = (nonIdempotent = false) => new NginxProfile({ maxFails: 0, failTimeoutUs: 10_000_000, slowStartUs: 0, healthChecks: undefined, retries: 2, nonIdempotent });
const haproxy = () => new HaproxyProfile({ healthChecks: haproxyHealthCheckDefaults, slowStartUs: 0, retries: 3, redispatch: true, forcePersist: false, shutdownSessions: false, maxconn: 0, agentInterUs: 2_000_000 });
const responses = (sent: { to: number; message: Message }[]): Response[] => sent.flatMap((each) => (each.message.$case === 'response' ? [each.message.value] : []));
const requestsSent = (sent: { to: number; message: Message }[]) => sent.filter((each) => each.message.$case === 'request').map((each) => each.to);

/** Sends one request of `method`; its server crashes while holding it (or refuses it); returns where the balancer sent it next and what the client got. */
function failOnce(profile: NginxProfile | HaproxyProfile, method: string, how: 'crash' | 'refused') {
  const { lb, context } = balancer(profile);
  const sent = send(lb, context, { id: 1, sessionId: 10, method })!;
  const after = how === 'crash' ? reply(lb, context, sent, Status.DROPPED, 'crash') : reply(lb, context, sent, Status.REJECTED, 'server-unavailable', true);
  return { nextServers: requestsSent(after).filter((to) => to !== sent.to), toClient: responses(after).map((response) => response.cause), retried: context.recordsOf('lb-retried') };
}

describe('NGINX proxy_next_upstream and non-idempotent requests', () => {
  it('a GET whose server crashed mid-request goes to the next server; a POST, LOCK or PATCH comes back as the error', () => {
    expect(failOnce(nginx(), 'GET', 'crash')).toMatchObject({ toClient: [], retried: [{ failure: 'reset', method: 'GET' }] });
    expect(failOnce(nginx(), 'GET', 'crash').nextServers).toHaveLength(1);
    for (const method of ['POST', 'LOCK', 'PATCH']) expect(failOnce(nginx(), method, 'crash')).toEqual({ nextServers: [], toClient: ['crash'], retried: [] });
    expect(failOnce(nginx(), 'PUT', 'crash').nextServers).toHaveLength(1); // idempotent by NGINX's list
  });

  it('non_idempotent passes a POST already sent on to the next server', () => {
    expect(failOnce(nginx(true), 'POST', 'crash').nextServers).toHaveLength(1);
  });

  it('a POST whose connection was refused was never sent: it goes to the next server', () => {
    expect(failOnce(nginx(), 'POST', 'refused')).toMatchObject({ toClient: [], retried: [{ failure: 'connection', method: 'POST' }] });
  });

  it('HAProxy retries only refused connections: a GET lost in a crash comes back as the error', () => {
    expect(failOnce(haproxy(), 'GET', 'crash')).toEqual({ nextServers: [], toClient: ['crash'], retried: [] });
  });
});

describe('the retry promise, checked', () => {
  const facts = (profile: LoadBalancerProfileName, nonIdempotent = false): LoadBalancerFacts => ({ profile, forcePersist: false, panicThresholdPercent: 50, cutCauses: [], nonIdempotent, redistributesQueue: false, backends: [s1, s2] });
  const retried = (failure: 'connection' | 'reset', method: string): Entry => [10, router, { type: 'lb-retried', balancer: router, backend: s1, request: 1, failure, method }];
  const run = (entries: Entry[], profile: LoadBalancerProfileName, nonIdempotent = false) => check(new LoadBalancerChecker(facts(profile, nonIdempotent)), entries);

  it('silent on what the products do: NGINX retries a reset GET and any refused request; non_idempotent allows a reset POST', () => {
    const result = run([retried('reset', 'GET'), retried('connection', 'POST')], 'nginx');
    expect(result.violationCount).toBe(0);
    expect(result.notes).toMatchObject({ 'lb-retried-reset': 1, 'lb-retried-connection': 1 });
    expect(run([retried('reset', 'POST')], 'nginx', true).violationCount).toBe(0);
    expect(run([retried('connection', 'GET')], 'haproxy').violationCount).toBe(0);
  });

  it('a reset POST passed on without non_idempotent, or a reset retried by another product, is a violation', () => {
    expect(rulesBroken(run([retried('reset', 'POST')], 'nginx'))).toEqual(['lb-retry']);
    expect(rulesBroken(run([retried('reset', 'GET')], 'envoy'))).toEqual(['lb-retry']);
  });
});
