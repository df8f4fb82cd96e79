import { describe, expect, it } from 'vitest';
import { DrainChecker } from '../../sim/checkers/drain.js';
import { check, rulesBroken, s1, s2, type Entry } from './stream.js';

const run = (entries: Entry[], endUs?: number) => check(new DrainChecker(), entries, endUs);

describe('drain deadline', () => {
  it('a drain that ends at or before its deadline holds', () => {
    const result = run([
      [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
      [500, s1, { type: 'drain-ended', server: s1, reason: 'drained', openSessions: 0 }],
      [600, s2, { type: 'drain-started', server: s2, deadlineUs: 1_000 }],
      [1_000, s2, { type: 'drain-ended', server: s2, reason: 'expired', openSessions: 3 }],
    ]);
    expect(result.violationCount).toBe(0);
  });

  it('a drain that ends after its deadline is a violation', () => {
    const result = run([
      [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
      [1_001, s1, { type: 'drain-ended', server: s1, reason: 'expired', openSessions: 2 }],
    ]);
    expect(result.violations).toEqual([{ timeUs: 1_001, rule: 'drain-deadline', actor: 'node1/shop-1', detail: 'drain ended (expired) 1us after its deadline 1000us' }]);
  });

  it('a drain that never ends, past its deadline, is a violation; one still within it is not', () => {
    const started: Entry[] = [[100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }]];
    expect(rulesBroken(run(started, 2_000))).toEqual(['drain-deadline']);
    expect(run(started, 1_000).violationCount).toBe(0);
  });

  it('a drain that ends without having started is a violation', () => {
    expect(rulesBroken(run([[5, s1, { type: 'drain-ended', server: s1, reason: 'drained', openSessions: 0 }]]))).toEqual(['drain-deadline']);
  });
});
