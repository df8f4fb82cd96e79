import { describe, expect, it } from 'vitest';
import { nextRolloutStep, resolveRollingUpdate, type OwnedPod } from '../../nodes/kubernetes/rolling-update.js';
import { decideEviction, desiredHealthy } from '../../nodes/kubernetes/disruption-budget.js';

function pods(count: number, revision: number, fields: Partial<OwnedPod> = {}, first = 1): OwnedPod[] {
  return Array.from({ length: count }, (_, index) => ({ pod: first + index, revision, available: true, ready: true, started: true, createdAtUs: first + index, ...fields }));
}

describe('rolling update bounds', () => {
  it('maxSurge rounds up and maxUnavailable rounds down (25% of 10 is 3 and 2)', () => {
    expect(resolveRollingUpdate(10, '25%', '25%')).toEqual({ replicas: 10, maxSurge: 3, maxUnavailable: 2 });
    expect(resolveRollingUpdate(3, '25%', '25%')).toEqual({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
    expect(resolveRollingUpdate(4, 2, 0)).toEqual({ replicas: 4, maxSurge: 2, maxUnavailable: 0 });
  });

  it('when both come to zero, one pod may be unavailable so that the rollout can progress', () => {
    expect(resolveRollingUpdate(2, '10%', '10%')).toEqual({ replicas: 2, maxSurge: 1, maxUnavailable: 0 });
    expect(resolveRollingUpdate(4, 0, '10%')).toEqual({ replicas: 4, maxSurge: 0, maxUnavailable: 1 });
    expect(resolveRollingUpdate(4, 0, 2)).toEqual({ replicas: 4, maxSurge: 0, maxUnavailable: 2 });
  });
});

describe('one sync of the Deployment controller', () => {
  const bounds = resolveRollingUpdate(4, 1, 1);

  it('scales the new revision up to replicas + maxSurge first, deleting nothing in the same sync', () => {
    expect(nextRolloutStep(pods(4, 1), 2, bounds)).toEqual({ create: 1, delete: [] });
    expect(nextRolloutStep(pods(4, 1), 2, resolveRollingUpdate(4, '100%', 0))).toEqual({ create: 4, delete: [] });
  });

  it('then deletes old pods only as far as replicas - maxUnavailable available pods allow, the newest first', () => {
    const state = [...pods(4, 1), ...pods(1, 2, { available: false, ready: false }, 5)];
    // 5 pods, the new one not available: 4 available, at least 3 must stay.
    expect(nextRolloutStep(state, 2, bounds)).toEqual({ create: 0, delete: [4] });
  });

  it('with maxUnavailable 0 no old pod goes before a new one is available', () => {
    const strict = resolveRollingUpdate(4, 1, 0);
    expect(nextRolloutStep([...pods(4, 1), ...pods(1, 2, { available: false, ready: false }, 5)], 2, strict)).toEqual({ create: 0, delete: [] });
    expect(nextRolloutStep([...pods(4, 1), ...pods(1, 2, {}, 5)], 2, strict)).toEqual({ create: 0, delete: [4] });
  });

  it('removes unavailable old pods before available ones', () => {
    const state = [...pods(3, 1), ...pods(1, 1, { available: false, ready: false }, 4), ...pods(1, 2, { available: false, ready: false }, 5)];
    expect(nextRolloutStep(state, 2, bounds).delete[0]).toBe(4);
  });

  it('scales down no more unavailable old pods than the new revision’s unavailable ones leave room for', () => {
    // 6 pods, at least 3 available: 6 - 3 - 1 new unavailable = 2 old unavailable pods may go, the newest first.
    const state = [...pods(2, 1), ...pods(3, 1, { available: false, ready: false }, 3), ...pods(1, 2, { available: false, ready: false }, 6)];
    expect(nextRolloutStep(state, 2, resolveRollingUpdate(4, 2, 1))).toEqual({ create: 0, delete: [5, 4] });
  });

  it('after the unavailable old pods, only available old pods go, as far as the available ones allow', () => {
    const state = [...pods(3, 1), ...pods(1, 1, { available: false, ready: false }, 4), ...pods(1, 2, {}, 5)];
    expect(nextRolloutStep(state, 2, bounds)).toEqual({ create: 0, delete: [4, 3] });
  });

  it('deletes a pod not started before one started and Ready (though not yet available), whatever their age', () => {
    const state = [
      ...pods(2, 1),
      { pod: 3, revision: 1, available: false, ready: true, started: true, createdAtUs: 9 },
      { pod: 4, revision: 1, available: false, ready: false, started: false, createdAtUs: 3 },
      ...pods(1, 2, {}, 5),
    ];
    expect(nextRolloutStep(state, 2, bounds)).toEqual({ create: 0, delete: [4, 3] });
  });

  it('replaces a lost pod when no rollout is under way (the ReplicaSet)', () => {
    expect(nextRolloutStep(pods(3, 1), 1, bounds)).toEqual({ create: 1, delete: [] });
    expect(nextRolloutStep(pods(4, 1), 1, bounds)).toEqual({ create: 0, delete: [] });
  });
});

describe('PodDisruptionBudget', () => {
  it('percentages round up, for minAvailable and maxUnavailable', () => {
    expect(desiredHealthy({ minAvailable: '50%' }, 3)).toBe(2);
    expect(desiredHealthy({ maxUnavailable: '25%' }, 5)).toBe(3);
    expect(desiredHealthy({ minAvailable: 3 }, 4)).toBe(3);
  });

  it('refuses to evict a healthy pod when the others would not meet the budget', () => {
    expect(decideEviction({ minAvailable: 3 }, 4, 4, true)).toEqual({ granted: true, desiredHealthy: 3 });
    expect(decideEviction({ minAvailable: 3 }, 3, 4, true)).toEqual({ granted: false, desiredHealthy: 3 });
    expect(decideEviction({ maxUnavailable: 0 }, 4, 4, true).granted).toBe(false);
  });

  it('lets an unhealthy pod go while the budget is met without it', () => {
    expect(decideEviction({ minAvailable: 3 }, 3, 4, false).granted).toBe(true);
    expect(decideEviction({ minAvailable: 3 }, 2, 4, false).granted).toBe(false);
    expect(decideEviction(undefined, 0, 4, true).granted).toBe(true);
  });
});
