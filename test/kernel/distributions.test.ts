import { describe, expect, it } from 'vitest';
import { constant, empirical, exponential, lognormal, standardNormal, uniform } from '../../sim/kernel/distributions.js';
import { namedStream } from '../../sim/kernel/random.js';

/** The standard normal's distribution function (erfc to a relative error below 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const polynomial =
    -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + polynomial);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

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

  it('the standard normal matches its distribution in the body and in the tails', () => {
    const stream = namedStream(11, 'test/normal');
    const count = 1_000_000;
    const bins = new Float64Array(100);
    let beyondThree = 0;
    let beyondTailStart = 0;
    let sumOfSquares = 0;
    for (let index = 0; index < count; index++) {
      const x = standardNormal(stream);
      bins[Math.min(99, Math.floor(normalCdf(x) * 100))]!++;
      if (Math.abs(x) > 3) beyondThree++;
      if (Math.abs(x) > 3.6) beyondTailStart++;
      sumOfSquares += x * x;
    }
    // Chi-square over 100 bins of equal probability: 99 degrees of freedom, 99.9% below 149.
    const expected = count / 100;
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(149);
    // P(|x| > 3) = 0.0027: 2,700 expected, standard deviation 52.
    expect(Math.abs(beyondThree - 2700)).toBeLessThan(200);
    // Beyond the bottom layer (3.44), only the tail sampler answers: P(|x| > 3.6) = 0.000318.
    expect(Math.abs(beyondTailStart - 318)).toBeLessThan(75);
    expect(Math.abs(sumOfSquares / count - 1)).toBeLessThan(0.005);
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
