import { describe, expect, it } from 'vitest';
import type { Interval } from '../../sim/experiments/statistics.js';
import { judge, parseTolerance } from '../../sim/experiments/tolerance.js';

const interval = (mean: number, halfWidth: number): Interval => ({ mean, low: mean - halfWidth, high: mean + halfWidth, halfWidth, degreesOfFreedom: 9 });

describe('tolerances', () => {
  it('parse absolute, relative and duration amounts in either direction', () => {
    expect(parseTolerance('sessions.dropped<=0')).toMatchObject({ figure: 'sessions.dropped', worseDirection: 1, amount: 0, relative: false });
    expect(parseTolerance('latency.http.p99 <= +5%')).toMatchObject({ figure: 'latency.http.p99', worseDirection: 1, amount: 0.05, relative: true });
    expect(parseTolerance('latency.http.p99<=+10ms')).toMatchObject({ amount: 10_000, relative: false });
    expect(parseTolerance('sessions.completed >= -1%')).toMatchObject({ worseDirection: -1, amount: 0.01, relative: true });
    expect(() => parseTolerance('sessions.dropped == 0')).toThrow(/not a tolerance/);
    expect(() => parseTolerance('sessions.dropped <= -1')).toThrow(/positive/);
    expect(() => parseTolerance('latency.http.p99 <= 5parsecs')).toThrow(/unit/);
  });

  it('worse only when the whole interval lies beyond the tolerance', () => {
    const p99 = parseTolerance('latency.http.p99 <= +5%');
    // Baseline 200ms: 5% allows +10ms.
    expect(judge(p99, interval(5_000, 2_000), 200_000)).toBe('ok');
    expect(judge(p99, interval(12_000, 5_000), 200_000)).toBe('inconclusive');
    expect(judge(p99, interval(15_000, 4_000), 200_000)).toBe('worse');
    expect(judge(p99, interval(-50_000, 1_000), 200_000)).toBe('ok');
  });

  it('for "lower is worse" the mirror image holds', () => {
    const completed = parseTolerance('sessions.completed >= -1%');
    expect(judge(completed, interval(-50, 10), 1000)).toBe('worse');
    expect(judge(completed, interval(-15, 10), 1000)).toBe('inconclusive');
    expect(judge(completed, interval(-5, 10), 1000)).toBe('ok');
    expect(judge(completed, interval(100, 10), 1000)).toBe('ok');
  });

  it('zero tolerance: any certain increase is worse', () => {
    const dropped = parseTolerance('sessions.dropped <= 0');
    expect(judge(dropped, interval(0, 0), 0)).toBe('ok');
    expect(judge(dropped, interval(2, 0), 0)).toBe('worse');
    expect(judge(dropped, interval(0.2, 0.5), 0)).toBe('inconclusive');
  });
});
