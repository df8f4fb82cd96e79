import { describe, expect, it } from 'vitest';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { AddressChecker, giveBackGraceUs } from '../../sim/checkers/addresses.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { check, controller, rulesBroken, s1, s2, state, type Entry } from './stream.js';

const run = (entries: Entry[], endUs?: number) => check(new AddressChecker(), entries, endUs);
const acquire = (owner: number, reason = 'own'): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'acquire', reason });
const release = (owner: number): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'release', reason: 'give-back' });
const fault = (kind: string): SimRecord => ({ type: 'fault', kind, target: 'node1', detail: '' });

/** s1 owns the address, fails, s2 takes it over, s1 returns at 1000 and s2 gives it back. */
const failover: Entry[] = [
  [0, s1, acquire(s1)],
  [100, s1, state(s1, ServerState.FAILED)],
  [200, s2, acquire(s2, 'take-over')],
  [1_000, s1, state(s1, ServerState.RUNNING)],
];

describe('dynamic IP addressing', () => {
  it('holds for a take-over and a give-back', () => {
    expect(run([...failover, [1_100, s2, release(s2)], [1_200, s1, acquire(s1, 'returned')]], 10 * giveBackGraceUs).violations).toEqual([]);
  });

  it('two live owners at once are a violation', () => {
    const result = run([[0, s1, acquire(s1)], [200, s2, acquire(s2, 'take-over')]]);
    expect(result.violations).toEqual([
      { timeUs: 200, rule: 'address-ownership', actor: 'node1/shop-2', detail: 'node1/shop-2 acquired 10.0.0.1 (take-over) while node1/shop-1 still own it' },
    ]);
  });

  it('the returning owner acquiring before the other released is a violation', () => {
    expect(rulesBroken(run([...failover, [1_100, s1, acquire(s1, 'returned')], [1_200, s2, release(s2)]]))).toEqual(['address-ownership']);
  });

  it('an overlap during a partition is noted, not a violation; after the heal it is one again', () => {
    const partitioned = run([[0, s1, acquire(s1)], [50, controller, fault('partition')], [200, s2, acquire(s2, 'take-over')]]);
    expect(partitioned.violationCount).toBe(0);
    expect(partitioned.notes).toEqual({ 'partition-overlap': 1 });
    const healed = run([[0, s1, acquire(s1)], [50, controller, fault('partition')], [60, controller, fault('heal')], [200, s2, acquire(s2, 'take-over')]]);
    expect(rulesBroken(healed)).toEqual(['address-ownership']);
  });

  it('an address not given back after its owner returned is a violation', () => {
    const result = run([...failover], 1_000 + giveBackGraceUs);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'address-give-back', actor: 'node1/shop-1', detail: expect.stringContaining('the address is with node1/shop-2') })]);
    expect(run([...failover], 1_000 + giveBackGraceUs - 1).violationCount).toBe(0);
    expect(run([...failover.slice(0, 3)], 10 * giveBackGraceUs).violationCount).toBe(0);
  });
});
