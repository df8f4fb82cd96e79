import { describe, expect, it } from 'vitest';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { AddressChecker, giveBackGraceUs } from '../../sim/checkers/addresses.js';
import { AffinityChecker } from '../../sim/checkers/affinity.js';
import { MaintenanceAdmissionChecker } from '../../sim/checkers/maintenance-admission.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { accepted, check, controller, maintenance, rulesBroken, s1, s2, s3, sessionEnded, state, type Entry } from './stream.js';

const releaseOf = (owner: number): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'release', reason: 'give-back' });

const second = 1_000_000;
const fault = (kind: string): SimRecord => ({ type: 'fault', kind, target: 'node1', detail: '' });
const acquire = (owner: number, reason: string): SimRecord => ({ type: 'address-owner', address: '10.0.0.1', owner, change: 'acquire', reason });

describe('ClusterCATS partitions: what the members could not know', () => {
  it('address-give-back: an owner cut off from the holder by a partition cannot get its address back; after the heal it has the grace period', () => {
    const stream: Entry[] = [
      [0, s1, acquire(s1, 'start')],
      [10 * second, controller, fault('partition')],
      [10 * second, s1, state(s1, ServerState.FAILED)],
      [12 * second, s2, acquire(s2, 'failover')],
      [20 * second, s1, state(s1, ServerState.RUNNING)],
    ];
    expect(check(new AddressChecker(), stream, 20 * second + 2 * giveBackGraceUs).violationCount).toBe(0);
    const healedAt = 20 * second + giveBackGraceUs;
    const healed: Entry[] = [...stream, [healedAt, controller, fault('heal')]];
    expect(check(new AddressChecker(), healed, healedAt + giveBackGraceUs - 1).violationCount).toBe(0);
    expect(rulesBroken(check(new AddressChecker(), healed, healedAt + giveBackGraceUs))).toEqual(['address-give-back']);
  });

  it('maintenance-new-session: just after a heal a member at 0% may still think nobody runs, for as long as its view may lag', () => {
    const members = (entries: Entry[]) => check(new MaintenanceAdmissionChecker({ members: [s1, s2, s3], viewLagUs: 3 * second }), entries);
    const healed: Entry[] = [[10 * second, s1, maintenance(s1)], [20 * second, controller, fault('partition')], [60 * second, controller, fault('heal')]];
    expect(members([...healed, [62 * second, s1, accepted(s1)]]).violationCount).toBe(0);
    expect(rulesBroken(members([...healed, [64 * second, s1, accepted(s1)]]))).toEqual(['maintenance-new-session']);
  });

  it('keep-affinity: a session of a member at 0% lost at another member that claimed its address in a partition is the partition\'s loss', () => {
    const held: Entry[] = [[0, s1, accepted(s1, { session: 7 })], [10 * second, s1, maintenance(s1)]];
    const partitioned: Entry[] = [...held, [20 * second, controller, fault('partition')], [25 * second, s2, sessionEnded(7, 'dropped', 'session-lost')]];
    expect(check(new AffinityChecker(), partitioned).violationCount).toBe(0);
    expect(rulesBroken(check(new AffinityChecker(), [...held, [25 * second, s2, sessionEnded(7, 'dropped', 'session-lost')]]))).toEqual(['keep-affinity']);
  });

  it('keep-affinity: so is one whose address a peer claimed across the partition and then let go (address-unreachable)', () => {
    const held: Entry[] = [[0, s1, accepted(s1, { session: 9 })], [10 * second, s1, maintenance(s1)], [20 * second, controller, fault('partition')]];
    expect(check(new AffinityChecker(), [...held, [25 * second, s2, sessionEnded(9, 'dropped', 'address-unreachable')]]).violationCount).toBe(0);
  });

  it('keep-affinity: so is one taken during the partition and lost as the heal gives the address it came by back', () => {
    const stream: Entry[] = [
      [10 * second, s1, maintenance(s1)],
      [20 * second, controller, fault('partition')],
      [30 * second, s1, accepted(s1, { session: 8 })],
      [60 * second, controller, fault('heal')],
      [61 * second, s2, sessionEnded(8, 'dropped', 'session-lost')],
    ];
    expect(check(new AffinityChecker(), stream).violationCount).toBe(0);
  });
});

describe('ClusterCATS partitions: what must be resolved after the heal', () => {
  it('address-ownership: two members still claiming one address a grace period after the heal is a violation', () => {
    const overlap: Entry[] = [
      [0, s1, acquire(s1, 'start')],
      [10 * second, controller, fault('partition')],
      [12 * second, s2, acquire(s2, 'failover')],
      [20 * second, controller, fault('heal')],
    ];
    const end = 20 * second + giveBackGraceUs;
    expect(check(new AddressChecker(), overlap, end - 1).violationCount).toBe(0);
    const result = check(new AddressChecker(), overlap, end);
    expect(result.violations).toEqual([
      expect.objectContaining({ rule: 'address-ownership', actor: 'node1/shop-2', detail: '10.0.0.1 still owned by node1/shop-1, node1/shop-2 since the partition healed at 20000000us' }),
    ]);
    expect(check(new AddressChecker(), [...overlap, [21 * second, s2, releaseOf(s2)]], end).violationCount).toBe(0);
  });
});

describe('ClusterCATS partitions: the heal is not heard at once', () => {
  it('address-ownership: a takeover on a suspicion still standing just after the heal is noted like one during it', () => {
    const run = (takeoverUs: number) =>
      check(new AddressChecker(3 * second), [
        [0, s1, acquire(s1, 'start')],
        [10 * second, controller, fault('partition')],
        [12 * second, controller, fault('heal')],
        [takeoverUs, s2, acquire(s2, 'failover')],
        [takeoverUs + 1, s2, releaseOf(s2)],
      ]);
    const within = run(14 * second);
    expect(within.violationCount).toBe(0);
    expect(within.notes).toEqual({ 'partition-overlap': 1 });
    expect(rulesBroken(run(16 * second))).toEqual(['address-ownership']);
  });
});

describe('ClusterCATS partitions: keep-affinity just after the heal', () => {
  it('a session of a member at 0% lost within a view lag after the heal (a peer still acting on its suspicion) is the partition\'s loss', () => {
    const stream = (lostUs: number): Entry[] => [
      [10 * second, s1, maintenance(s1)],
      [20 * second, controller, fault('partition')],
      [60 * second, controller, fault('heal')],
      [61 * second, s1, accepted(s1, { session: 5 })],
      [lostUs, s2, sessionEnded(5, 'dropped', 'session-lost')],
    ];
    expect(check(new AffinityChecker(3 * second), stream(62 * second)).violationCount).toBe(0);
    expect(rulesBroken(check(new AffinityChecker(3 * second), stream(64 * second)))).toEqual(['keep-affinity']);
  });
});
