import { describe, expect, it } from 'vitest';
import { constant, empirical, exponential, lognormal, uniform } from '../../sim/kernel/distributions.js';
import { namedStream } from '../../sim/kernel/random.js';

function sampleMany(sample: () => number, count: number): number[] {
  return Array.from({ length: count }, sample);
}

describe('distributions', () => {
  const random = namedStream(7, 'test/distributions');

  it('exponential has the mean it is given', () => {
    const values = sampleMany(() => exponential(10_000).sample(random), 200_000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 10_000) / 10_000).toBeLessThan(0.02);
  });

  it('lognormal has the median and 99th percentile it is given', () => {
    const values = sampleMany(() => lognormal(20_000, 200_000).sample(random), 200_000).sort((a, b) => a - b);
    expect(Math.abs(values[100_000]! - 20_000) / 20_000).toBeLessThan(0.03);
    expect(Math.abs(values[198_000]! - 200_000) / 200_000).toBeLessThan(0.05);
  });

  it('uniform stays within its bounds and constant never varies', () => {
    const values = sampleMany(() => uniform(3, 12).sample(random), 10_000);
    expect(Math.min(...values)).toBe(3);
    expect(Math.max(...values)).toBe(12);
    expect(new Set(sampleMany(() => constant(5).sample(random), 100))).toEqual(new Set([5]));
  });

  it('empirical draws only listed values, each about equally often', () => {
    const counts = new Map<number, number>();
    for (const value of sampleMany(() => empirical([1, 2, 3]).sample(random), 30_000)) counts.set(value, (counts.get(value) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([1, 2, 3]);
    for (const count of counts.values()) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('named streams are reproducible and independent of each other', () => {
    const a = sampleMany(namedStream(1, 'x'), 5);
    expect(sampleMany(namedStream(1, 'x'), 5)).toEqual(a);
    expect(sampleMany(namedStream(1, 'y'), 5)).not.toEqual(a);
    expect(sampleMany(namedStream(2, 'x'), 5)).not.toEqual(a);
  });
});
