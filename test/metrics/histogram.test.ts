import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../sim/metrics/histogram.js';

describe('latency histogram', () => {
  it('gives every percentile within 1.6% of the exact value, from microseconds to hours', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 500 }), fc.constantFrom(0.5, 0.9, 0.99, 1), (values, quantile) => {
        const histogram = new Histogram();
        for (const value of values) histogram.add(value);
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.ceil(quantile * sorted.length) - 1]!;
        const estimate = histogram.percentile(quantile);
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(Math.ceil(exact / 64));
        expect(estimate).toBeLessThanOrEqual(histogram.max);
      }),
      { numRuns: 500 },
    );
  });

  it('interpolates within a bucket: samples spread over one give their own median, not its bound', () => {
    // 131,072 µs to 133,119 µs is one bucket (2^17 to 2^17 + 2^11 - 1).
    const histogram = new Histogram();
    for (let index = 0; index < 1024; index++) histogram.add(131_072 + 2 * index);
    expect(Math.abs(histogram.percentile(0.5) - (131_072 + 2 * 511))).toBeLessThanOrEqual(4);
    expect(Math.abs(histogram.percentile(0.9) - (131_072 + 2 * 921))).toBeLessThanOrEqual(4);
  });

  it('keeps exact count, sum, mean and max', () => {
    const histogram = new Histogram();
    for (const value of [5, 200, 70_000, 3_000_000_000]) histogram.add(value);
    expect([histogram.count, histogram.sum, histogram.max, histogram.mean]).toEqual([4, 3_000_070_205, 3_000_000_000, 3_000_070_205 / 4]);
  });
});
