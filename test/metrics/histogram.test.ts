import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../sim/metrics/histogram.js';

describe('latency histogram', () => {
  it('gives every percentile within 1.6% above the exact value, from microseconds to hours', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 500 }), fc.constantFrom(0.5, 0.9, 0.99, 1), (values, quantile) => {
        const histogram = new Histogram();
        for (const value of values) histogram.add(value);
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.ceil(quantile * sorted.length) - 1]!;
        const estimate = histogram.percentile(quantile);
        expect(estimate).toBeGreaterThanOrEqual(exact);
        expect(estimate).toBeLessThanOrEqual(Math.max(exact, Math.floor(exact * (1 + 1 / 64))));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps exact count, sum, mean and max', () => {
    const histogram = new Histogram();
    for (const value of [5, 200, 70_000, 3_000_000_000]) histogram.add(value);
    expect([histogram.count, histogram.sum, histogram.max, histogram.mean]).toEqual([4, 3_000_070_205, 3_000_000_000, 3_000_070_205 / 4]);
  });
});
