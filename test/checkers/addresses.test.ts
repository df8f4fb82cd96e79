import { describe, expect, it } from 'vitest';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { AddressChecker, giveBackGraceUs } from '../../sim/checkers/addresses.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { check, controller, rulesBroken, s1, s2, s3, s4, state, type Entry } from './stream.js';

const run = (entries: Entry[], endUs?: number) => check(new AddressChecker(), entries, endUs);
const acquire = (owner: number, reason = 'own'): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'acquire', reason });
const release = (owner: number): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'release', reason: 'give-back' });
const acquireOf = (address: string, owner: number, reason = 'own'): SimRecord => ({ type: 'address-owner', address, owner, change: 'acquire', reason });
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

  it('an owner acquiring its own address again is not an overlap', () => {
    expect(run([[0, s1, acquire(s1)], [10, s1, acquire(s1, 'refresh')], [20, s2, acquire(s2, 'take-over')]]).violations).toEqual([
      { timeUs: 20, rule: 'address-ownership', actor: 'node1/shop-2', detail: 'node1/shop-2 acquired 10.0.0.1 (take-over) while node1/shop-1 still own it' },
    ]);
  });

  it('an owner in maintenance still owns its address: it is live', () => {
    expect(rulesBroken(run([[0, s1, acquire(s1)], [10, s1, state(s1, ServerState.MAINTENANCE)], [20, s2, acquire(s2, 'take-over')]]))).toEqual(['address-ownership']);
  });

  it('a member that went down owns nothing when it comes back, until it acquires again', () => {
    const back: Entry[] = [[0, s1, acquire(s1)], [10, s1, state(s1, ServerState.STOPPED)], [20, s1, state(s1, ServerState.RUNNING)], [30, s2, acquire(s2, 'take-over')]];
    expect(run(back, 100).violations).toEqual([]);
  });

  it('the violation charges the actor that recorded the acquisition', () => {
    expect(run([[0, s1, acquire(s1)], [200, controller, acquire(s2, 'take-over')]]).violations).toEqual([
      { timeUs: 200, rule: 'address-ownership', actor: 'controller', detail: 'node1/shop-2 acquired 10.0.0.1 (take-over) while node1/shop-1 still own it' },
    ]);
  });

  it('every live owner of an overlap is named, in actor order', () => {
    const result = run([
      [0, s1, acquire(s1)],
      [10, s1, state(s1, ServerState.FAILED)],
      [20, controller, fault('partition')],
      [30, s4, acquire(s4, 'take-over')],
      [40, s3, acquire(s3, 'take-over')],
      [50, s2, acquire(s2, 'take-over')],
      [60, controller, fault('heal')],
      [70, s1, state(s1, ServerState.RUNNING)],
      [80, s1, acquire(s1, 'returned')],
    ]);
    expect(result.notes).toEqual({ 'partition-overlap': 2 });
    expect(result.violations).toEqual([
      { timeUs: 80, rule: 'address-ownership', actor: 'node1/shop-1', detail: 'node1/shop-1 acquired 10.0.0.1 (returned) while node1/shop-2, node2/shop-1, node2/shop-2 still own it' },
    ]);
  });

  it('an owner that released its address no longer owns it', () => {
    expect(run([[0, s1, acquire(s1)], [10, s1, release(s1)], [20, s2, acquire(s2, 'take-over')]], 100).violations).toEqual([]);
  });

  it('a home member running again with its address nowhere is told so, with the time it came back', () => {
    const endUs = 1_000 + giveBackGraceUs;
    expect(run([[0, s1, acquire(s1)], [100, s1, state(s1, ServerState.FAILED)], [1_000, s1, state(s1, ServerState.RUNNING)]], endUs).violations).toEqual([
      { timeUs: endUs, rule: 'address-give-back', actor: 'node1/shop-1', detail: '10.0.0.1 not given back: node1/shop-1 has run again since 1000us, the address is with nobody' },
    ]);
  });

  it('the home member is the first owner, and the addresses not given back are reported in address order', () => {
    const result = run(
      [
        [0, s2, acquireOf('10.0.0.9', s2)],
        [0, s1, acquireOf('10.0.0.2', s1)],
        [0, s1, acquireOf('10.0.0.5', s1)],
        [100, s1, state(s1, ServerState.FAILED)],
        [100, s2, state(s2, ServerState.FAILED)],
        [150, controller, fault('partition')],
        [200, s4, acquireOf('10.0.0.9', s4, 'take-over')],
        [200, s3, acquireOf('10.0.0.2', s3, 'take-over')],
        [300, s3, acquireOf('10.0.0.9', s3, 'take-over')],
        [500, controller, fault('heal')],
        [1_000, s1, state(s1, ServerState.RUNNING)],
        [1_000, s2, state(s2, ServerState.RUNNING)],
      ],
      1_000 + giveBackGraceUs,
    );
    expect(result.notes).toEqual({ 'partition-overlap': 1 });
    // (10.0.0.9 is also still owned twice after the heal: address-ownership, apart.)
    expect(result.violations.filter((violation) => violation.rule === 'address-give-back').map((violation) => [violation.actor, violation.detail])).toEqual([
      ['node1/shop-1', '10.0.0.2 not given back: node1/shop-1 has run again since 1000us, the address is with node2/shop-1'],
      ['node1/shop-1', '10.0.0.5 not given back: node1/shop-1 has run again since 1000us, the address is with nobody'],
      ['node1/shop-2', '10.0.0.9 not given back: node1/shop-2 has run again since 1000us, the address is with node2/shop-1, node2/shop-2'],
    ]);
  });

  it('an address back with its home member, or a home member not running at the end, is no give-back violation', () => {
    const endUs = 1_000 + 2 * giveBackGraceUs;
    expect(run([...failover, [1_100, s2, release(s2)], [1_200, s1, acquire(s1, 'returned')]], endUs).violationCount).toBe(0);
    expect(run([...failover, [2_000, s1, state(s1, ServerState.MAINTENANCE)]], endUs).violationCount).toBe(0);
  });
});
