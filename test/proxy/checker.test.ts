import { describe, expect, it } from 'vitest';
import { RequestKind } from '../../gen/clustersim/v1/cluster.js';
import { LoadBalancerChecker, type LoadBalancerFacts } from '../../sim/checkers/load-balancer.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { check, rulesBroken, router, s1, s2, s3, s4, type Entry } from '../checkers/stream.js';

const facts = (overrides: Partial<LoadBalancerFacts> = {}): LoadBalancerFacts => ({ profile: 'haproxy', forcePersist: false, panicThresholdPercent: 50, cutCauses: [], nonIdempotent: false, redistributesQueue: false, backends: [s1, s2, s3, s4], ...overrides });
const backend = (server: number, admin: string, healthy = true): Entry => [10, router, { type: 'lb-backend', balancer: router, backend: server, admin, healthy, cause: 'test' }];
const forwarded = (server: number, persistent: boolean, spread = ''): Entry => {
  const record: SimRecord = { type: 'lb-forwarded', balancer: router, backend: server, request: 1, session: 1, kind: persistent ? RequestKind.IN_SESSION : RequestKind.OPEN, persistent, spread, attempt: 1 };
  return [20, router, record];
};
const run = (entries: Entry[], overrides: Partial<LoadBalancerFacts> = {}) => check(new LoadBalancerChecker(facts(overrides)), entries);

describe('load balancer promises', () => {
  it('drain: persistent requests still reach the server (HAProxy), new ones do not', () => {
    expect(run([backend(s1, 'drain'), forwarded(s1, true)]).violationCount).toBe(0);
    expect(rulesBroken(run([backend(s1, 'drain'), forwarded(s1, false)]))).toEqual(['lb-out-of-rotation']);
    // A draining ALB target and an Envoy host reported DRAINING take nothing, sticky or not.
    expect(rulesBroken(run([backend(s1, 'drain'), forwarded(s1, true)], { profile: 'aws-alb' }))).toEqual(['lb-out-of-rotation']);
  });

  it('maint takes no traffic, unless force-persist keeps sticky users; gone takes none', () => {
    expect(rulesBroken(run([backend(s1, 'maint'), forwarded(s1, true)]))).toEqual(['lb-out-of-rotation']);
    expect(run([backend(s1, 'maint'), forwarded(s1, true)], { forcePersist: true }).violationCount).toBe(0);
    expect(rulesBroken(run([backend(s1, 'gone'), forwarded(s1, false)], { profile: 'envoy' }))).toEqual(['lb-out-of-rotation']);
  });

  it('an Envoy host removed from discovery may take new requests while healthy, not once unhealthy', () => {
    expect(run([backend(s1, 'removed'), forwarded(s1, false)], { profile: 'envoy' }).violationCount).toBe(0);
    expect(rulesBroken(run([backend(s1, 'removed', false), forwarded(s1, false)], { profile: 'envoy' }))).toEqual(['lb-unhealthy-backend']);
  });

  it('panic: only when fewer hosts than the threshold are healthy', () => {
    const threeDown = [backend(s1, 'active', false), backend(s2, 'active', false), backend(s3, 'active', false)];
    expect(run([...threeDown, forwarded(s1, false, 'panic')], { profile: 'envoy' }).violationCount).toBe(0);
    // Two of four healthy is 50%, not below it: no panic.
    expect(rulesBroken(run([backend(s1, 'active', false), backend(s2, 'active', false), forwarded(s1, false, 'panic')], { profile: 'envoy' }))).toEqual(['lb-unhealthy-backend']);
    expect(rulesBroken(run([...threeDown, forwarded(s1, false, 'panic')], { profile: 'haproxy' }))).toEqual(['lb-unhealthy-backend']);
  });

  it('panic counts EDS DRAINING hosts out of the denominator, yet lets them take traffic once in panic', () => {
    // Found by explore: s1 crashed, s3 DRAINING, s2 healthy: one of two counted hosts, 50%: no panic.
    const crashedAndDraining = [backend(s1, 'active', false), backend(s2, 'active'), backend(s3, 'drain')];
    expect(rulesBroken(run([...crashedAndDraining, forwarded(s3, false, 'panic')], { profile: 'envoy' }))).toEqual(['lb-out-of-rotation']);
    // With s4 down too, one of three counted hosts is healthy: panic, and the DRAINING host is eligible.
    expect(run([...crashedAndDraining, backend(s4, 'active', false), forwarded(s3, false, 'panic')], { profile: 'envoy' }).violationCount).toBe(0);
  });

  it('fail-open: only when no registered target is healthy', () => {
    const down = [s1, s2, s3].map((server) => backend(server, 'active', false));
    expect(rulesBroken(run([...down, forwarded(s1, false, 'fail-open')], { profile: 'aws-alb' }))).toEqual(['lb-unhealthy-backend']);
    expect(run([...down, backend(s4, 'active', false), forwarded(s1, false, 'fail-open')], { profile: 'aws-alb' }).violationCount).toBe(0);
  });

  it('requests in flight are cut only where the configuration says so', () => {
    const cut: Entry = [30, router, { type: 'lb-cut', balancer: router, backend: s1, requests: 2, cause: 'shutdown-sessions' }];
    expect(rulesBroken(run([cut]))).toEqual(['lb-cut-in-flight']);
    expect(run([cut], { cutCauses: ['shutdown-sessions'] }).violationCount).toBe(0);
  });
});
