import { describe, expect, it } from 'vitest';
import { envoyRampFactor, linearRampFactor } from '../../nodes/proxy/slow-start.js';

describe('slow-start ramps of a backend’s weight', () => {
  it('linear (HAProxy slowstart, NGINX slow_start, ALB): from 0 to the full weight over the window, full without a window', () => {
    expect(linearRampFactor(-5, 10_000_000)).toBe(0);
    expect(linearRampFactor(2_500_000, 10_000_000)).toBe(0.25);
    expect(linearRampFactor(10_000_000, 10_000_000)).toBe(1);
    expect(linearRampFactor(11_000_000, 10_000_000)).toBe(1);
    expect(linearRampFactor(0, 0)).toBe(1); // no slow start configured
    expect(linearRampFactor(-1, 0)).toBe(1);
  });

  it('Envoy: max(min_weight_percent, time_factor^(1/aggression)), time counted from 1 s, full without a window or past it', () => {
    expect(envoyRampFactor(0, 100_000_000, 1, 10)).toBe(0.1); // 1 s of 100 s is under the 10% floor
    expect(envoyRampFactor(25_000_000, 100_000_000, 1, 10)).toBe(0.25);
    expect(envoyRampFactor(25_000_000, 100_000_000, 2, 10)).toBe(0.5);
    expect(envoyRampFactor(500_000, 4_000_000, 1, 0)).toBe(0.25); // less than a second counts as one
    expect(envoyRampFactor(100_000_000, 100_000_000, 1, 10)).toBe(1);
    expect(envoyRampFactor(0, 0, 1, 10)).toBe(1);
    expect(envoyRampFactor(-1, 0, 1, 10)).toBe(1);
  });
});
