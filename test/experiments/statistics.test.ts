import { describe, expect, it } from 'vitest';
import { failureRateUpperBound, mean, meanInterval, pairedDifference, standardDeviation, studentTCdf, studentTQuantile, welchDifference } from '../../sim/experiments/statistics.js';

describe('Student t', () => {
  it('matches the tables for the 97.5% quantile', () => {
    // Two-sided 95% critical values from any t table.
    const table: [number, number][] = [
      [1, 12.7062],
      [2, 4.3027],
      [4, 2.7764],
      [9, 2.2622],
      [15, 2.1314],
      [16, 2.1199],
      [19, 2.093],
      [30, 2.0423],
      [120, 1.9799],
    ];
    for (const [degreesOfFreedom, value] of table) expect(studentTQuantile(0.975, degreesOfFreedom), `df ${degreesOfFreedom}`).toBeCloseTo(value, 3);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.95996, 4);
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.8125, 3);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764, 3);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('its distribution function is symmetric and correct at known points', () => {
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 10); // Cauchy: 1/2 + atan(1)/π
    expect(studentTCdf(-2.0150, 5)).toBeCloseTo(0.05, 4);
  });
});

describe('intervals', () => {
  it('mean and interval of a small sample', () => {
    const sample = [1, 2, 3, 4, 5];
    expect(mean(sample)).toBe(3);
    expect(standardDeviation(sample)).toBeCloseTo(1.581139, 6);
    const interval = meanInterval(sample);
    // 2.776445 × 1.581139 / √5
    expect(interval.halfWidth).toBeCloseTo(1.963243, 5);
    expect(interval.low).toBeCloseTo(1.036757, 5);
    expect(interval.high).toBeCloseTo(4.963243, 5);
    expect(interval.degreesOfFreedom).toBe(4);
  });

  it('paired difference is the interval of the differences, candidate minus baseline', () => {
    const baseline = [10, 12, 9, 11, 13, 10];
    const candidate = [11, 14, 10, 12, 15, 11]; // differences 1 2 1 1 2 1
    const difference = pairedDifference(baseline, candidate);
    expect(difference.mean).toBeCloseTo(4 / 3, 10);
    // sd of differences 0.516398, t(0.975, 5) = 2.570582
    expect(difference.halfWidth).toBeCloseTo((2.570582 * 0.516398) / Math.sqrt(6), 5);
    expect(() => pairedDifference([1, 2], [1])).toThrow(/differ in size/);
  });

  it('pairing removes what both sides share: the same data unpaired gives a much wider interval', () => {
    const baseline = [10, 12, 9, 11, 13, 10];
    const candidate = [11, 14, 10, 12, 15, 11];
    expect(welchDifference(baseline, candidate).halfWidth).toBeGreaterThan(3 * pairedDifference(baseline, candidate).halfWidth);
  });

  it("Welch's interval matches a worked example", () => {
    // Means 20 and 23, variances 24/9 and 54/9, 10 samples each: df = (78/90)² / (((24/90)² + (54/90)²) / 9) = 15.68
    const a = [18, 22, 20, 18, 22, 20, 18, 22, 20, 20]; // mean 20, variance 24/9
    const b = [20, 26, 23, 20, 26, 23, 20, 26, 23, 23]; // mean 23, variance 54/9
    const difference = welchDifference(a, b);
    const se = Math.sqrt(24 / 90 + 54 / 90);
    const df = (24 / 90 + 54 / 90) ** 2 / ((24 / 90) ** 2 / 9 + (54 / 90) ** 2 / 9);
    expect(difference.mean).toBeCloseTo(3, 10);
    expect(difference.degreesOfFreedom).toBeCloseTo(df, 10);
    expect(difference.halfWidth).toBeCloseTo(studentTQuantile(0.975, df) * se, 10);
    expect(df).toBeCloseTo(15.677, 2);
    // Between the table values for 15 (2.1314) and 16 (2.1199) degrees of freedom.
    expect(studentTQuantile(0.975, df)).toBeGreaterThan(2.1199);
    expect(studentTQuantile(0.975, df)).toBeLessThan(2.1314);
  });

  it('one run gives no interval, identical runs a zero-width one', () => {
    expect(meanInterval([5]).halfWidth).toBe(Infinity);
    expect(pairedDifference([1, 2, 3], [2, 3, 4]).halfWidth).toBe(0);
  });

  it('bounds a failure rate exactly (Clopper-Pearson): 0 of 20 below 14%, and the tables for some failures', () => {
    expect(failureRateUpperBound(0, 20)).toBeCloseTo(1 - 0.05 ** (1 / 20), 12);
    expect(failureRateUpperBound(0, 20)).toBeCloseTo(0.1391, 4);
    // One-sided 95% upper limits from the binomial tables.
    expect(failureRateUpperBound(1, 20)).toBeCloseTo(0.2161, 3);
    expect(failureRateUpperBound(2, 10)).toBeCloseTo(0.5069, 3);
    expect(failureRateUpperBound(3, 3)).toBe(1);
  });
});
