import { describe, expect, it } from 'vitest';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import { DrainChecker } from '../../sim/checkers/drain.js';
import { check, controller, rulesBroken, s1, s2, s3, state, type Entry } from './stream.js';

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

  it('a drain that ends without having started is charged to its server', () => {
    expect(run([[5, s1, { type: 'drain-ended', server: s2, reason: 'drained', openSessions: 0 }]]).violations).toEqual([
      { timeUs: 5, rule: 'drain-deadline', actor: 'node1/shop-2', detail: 'drain ended (drained) but none had started' },
    ]);
  });

  it('a drain ends once: ending it again is a drain that had not started', () => {
    const result = run([
      [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
      [500, s1, { type: 'drain-ended', server: s1, reason: 'drained', openSessions: 0 }],
      [600, s1, { type: 'drain-ended', server: s1, reason: 'drained', openSessions: 0 }],
    ]);
    expect(result.violations).toEqual([{ timeUs: 600, rule: 'drain-deadline', actor: 'node1/shop-1', detail: 'drain ended (drained) but none had started' }]);
  });

  it('a drain started again is held to its latest deadline', () => {
    const restarted: Entry[] = [
      [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
      [200, s1, { type: 'drain-started', server: s1, deadlineUs: 5_000 }],
    ];
    expect(run([...restarted, [4_000, s1, { type: 'drain-ended', server: s1, reason: 'drained', openSessions: 0 }]]).violationCount).toBe(0);
    expect(run(restarted, 3_000).violationCount).toBe(0);
  });

  it('each drain never ended past its deadline is reported at the end, in server order', () => {
    const result = run(
      [
        [100, s3, { type: 'drain-started', server: s3, deadlineUs: 1_500 }],
        [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
        [100, s2, { type: 'drain-started', server: s2, deadlineUs: 9_000 }],
      ],
      2_000,
    );
    expect(result.violations).toEqual([
      { timeUs: 2_000, rule: 'drain-deadline', actor: 'node1/shop-1', detail: 'drain never ended; its deadline was 1000us' },
      { timeUs: 2_000, rule: 'drain-deadline', actor: 'node2/shop-1', detail: 'drain never ended; its deadline was 1500us' },
    ]);
  });

  it('a drain cut short by the crash of its server, before the deadline, is no drain that never ended', () => {
    const crashed: Entry[] = [
      [100, s1, { type: 'drain-started', server: s1, deadlineUs: 1_000 }],
      [500, controller, { type: 'fault', kind: 'crash', target: 'node1', detail: '' }],
      [500, s1, state(s1, ServerState.FAILED)],
    ];
    expect(run(crashed, 2_000).violations).toEqual([]);
  });
});
