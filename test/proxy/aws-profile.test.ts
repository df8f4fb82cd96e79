import { describe, expect, it } from 'vitest';
import { albHealthCheckDefaults, AwsProfile, nlbHealthCheckDefaults } from '../../nodes/proxy/aws-elb.js';
import { newBackend, type Backend } from '../../nodes/proxy/backend.js';

const aws = (kind: 'alb' | 'nlb', connectionTermination = false, slowStartUs = 0) =>
  new AwsProfile({ kind, healthChecks: kind === 'alb' ? albHealthCheckDefaults : nlbHealthCheckDefaults, deregistrationDelayUs: 300_000_000, connectionTermination, slowStartUs });
const target = (actor: number, fields: Partial<Backend> = {}): Backend => ({ ...newBackend(actor, `app-${actor}`), ...fields });

describe('the AWS target group profiles, rule by rule', () => {
  it('are named by kind, pass a refused request on to another target, and cut at the delay: ALB always, NLB only with connection termination', () => {
    expect([aws('alb').name, aws('nlb').name]).toEqual(['aws-alb', 'aws-nlb']);
    expect(aws('alb').retryElsewhere).toBe(true);
    expect(aws('nlb').cutsWhenMarkedDown).toBe(false);
    expect([aws('alb').cutsAtDrainTimeout, aws('nlb').cutsAtDrainTimeout, aws('nlb', true).cutsAtDrainTimeout]).toEqual([true, false, true]);
    expect(aws('alb').drainDeadlineUs).toBe(300_000_000);
  });

  it('deregister drains, register brings back; the other products’ actions change nothing; health changes leave the admin state', () => {
    const alb = aws('alb');
    expect(alb.adminAfter('deregister')).toBe('drain');
    expect(alb.adminAfter('register')).toBe('active');
    for (const other of ['ready', 'drain', 'maint', 'down', 'up', 'remove'] as const) expect(alb.adminAfter(other)).toBeUndefined();
    expect(alb.adminAfterHealthChange(target(1, { admin: 'drain', healthy: false }))).toBe('drain');
  });

  it('health-checks registered targets only', () => {
    expect(aws('alb').checks(target(1))).toBe(true);
    expect(aws('alb').checks(target(1, { admin: 'drain' }))).toBe(false);
  });

  it('ends a drain once nothing is in flight (ALB) and no connection is left (NLB)', () => {
    expect(aws('alb').drainIsOver(target(1, { inFlight: 0, boundSessions: 3 }))).toBe(true);
    expect(aws('alb').drainIsOver(target(1, { inFlight: 1 }))).toBe(false);
    expect(aws('nlb').drainIsOver(target(1, { inFlight: 0, boundSessions: 3 }))).toBe(false);
    expect(aws('nlb').drainIsOver(target(1, { inFlight: 0, boundSessions: 0 }))).toBe(true);
  });

  it('keeps a sticky user on a healthy target, on a draining one only behind an NLB', () => {
    expect(aws('alb').honoursPersistence(target(1))).toBe(true);
    expect(aws('alb').honoursPersistence(target(1, { healthy: false }))).toBe(false);
    expect(aws('alb').honoursPersistence(target(1, { admin: 'drain' }))).toBe(false);
    expect(aws('nlb').honoursPersistence(target(1, { admin: 'drain' }))).toBe(true);
    expect(aws('nlb').honoursPersistence(target(1, { admin: 'drain', healthy: false }))).toBe(false);
  });

  it('fails open to every registered target when none is healthy, and never to a deregistered one', () => {
    const sick = [target(1, { healthy: false }), target(2, { healthy: false }), target(3, { admin: 'drain' })];
    expect(aws('alb').candidates(sick)).toEqual({ backends: sick.slice(0, 2), spread: 'fail-open' });
    const oneHealthy = [target(1, { healthy: false }), target(2)];
    expect(aws('alb').candidates(oneHealthy)).toEqual({ backends: [oneHealthy[1]] });
    expect(aws('alb').candidates([target(3, { admin: 'drain' })])).toEqual({ backends: [] });
  });

  it('ALB slow start ramps a target only while another healthy one is warm; an NLB has none', () => {
    const alb = aws('alb', false, 10_000_000);
    const warm = target(1, { inServiceSinceUs: 0 });
    const fresh = target(2, { inServiceSinceUs: 20_000_000 });
    expect(alb.weightFactor(fresh, 22_500_000, [warm, fresh])).toBe(0.25);
    expect(alb.weightFactor(fresh, 22_500_000, [fresh])).toBe(1); // alone: no slow start
    expect(alb.weightFactor(fresh, 22_500_000, [target(3, { inServiceSinceUs: 20_000_000 }), fresh])).toBe(1); // the other is warming up too
    expect(aws('nlb', false, 10_000_000).weightFactor(fresh, 22_500_000, [warm, fresh])).toBe(1);
    expect(alb.observeAnswer()).toBe(0);
  });
});
