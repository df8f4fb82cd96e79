import { describe, expect, it } from 'vitest';
import { constant } from '../../sim/kernel/distributions.js';
import { namedStream } from '../../sim/kernel/random.js';
import { FaultyNetwork, type LinkFault } from '../../sim/network/link-faults.js';
import { ScenarioNetwork } from '../../sim/network/scenario-network.js';

const base = new ScenarioNetwork(constant(300));
const sides = (...entries: number[]) => Int32Array.from(entries);

describe('link faults', () => {
  const partition: LinkFault = { kind: 'partition', name: 'p', fromUs: 1_000, toUs: 2_000, sideOf: sides(-1, 0, 1, 1), addedLatencyUs: 0, lossProbability: 0 };
  const network = new FaultyNetwork(base, [partition]);
  const random = namedStream(1, 'test');

  it('a partition cuts links between its groups, only while it lasts', () => {
    expect(network.delayUs(1, 2, 1_000, random)).toBe(-1);
    expect(network.delayUs(2, 1, 1_999, random)).toBe(-1);
    expect(network.delayUs(2, 3, 1_500, random)).toBe(300); // same group
    expect(network.delayUs(0, 1, 1_500, random)).toBe(300); // outside every group
    expect(network.delayUs(1, 2, 999, random)).toBe(300);
    expect(network.delayUs(1, 2, 2_000, random)).toBe(300); // healed
  });

  it('a degradation adds latency and loses a share of messages, the same on every run', () => {
    const degrade: LinkFault = { kind: 'degrade', name: 'd', fromUs: 0, toUs: Infinity, sideOf: undefined, addedLatencyUs: 5_000, lossProbability: 0.25 };
    const run = () => {
      const lossy = new FaultyNetwork(base, [degrade]);
      const stream = namedStream(7, 'net/x');
      return Array.from({ length: 4000 }, (_, index) => lossy.delayUs(1, 2, index, stream));
    };
    const delays = run();
    expect(delays).toEqual(run());
    const lost = delays.filter((delay) => delay === -1).length;
    expect(lost / delays.length).toBeGreaterThan(0.22);
    expect(lost / delays.length).toBeLessThan(0.28);
    expect(new Set(delays.filter((delay) => delay !== -1))).toEqual(new Set([5_300]));
  });

  it('a relay (the LAN) forwards without latency of its own', () => {
    expect(new FaultyNetwork(base, [], new Set([4])).delayUs(4, 1, 0, random)).toBe(0);
  });
});
