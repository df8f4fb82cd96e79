import { describe, expect, it } from 'vitest';
import { FailureDetector } from '../../nodes/membership/failure-detector.js';
import { FakeContext } from '../helpers/fake-context.js';

describe('failure detector: heartbeat timeout', () => {
  const detectorFor = (downFromUs: number) =>
    new FailureDetector({ members: [2, 3], timeoutUs: 2_000_000, isDown: (member, atUs) => member === 2 && atUs >= downFromUs });

  it('declares a silent member failed only after the timeout, and labels the suspicion correct', () => {
    const detector = detectorFor(1_000_000);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    const suspected: number[] = [];
    context.now = 1_000_000;
    detector.heard(2, context);
    detector.heard(3, context);
    context.now = 2_999_999;
    detector.check(context, (member) => suspected.push(member));
    expect(suspected).toEqual([]);
    context.now = 3_000_000;
    detector.heard(3, context);
    detector.check(context, (member) => suspected.push(member));
    expect(suspected).toEqual([2]);
    expect(detector.isSuspected(2)).toBe(true);
    expect(context.recordsOf('suspicion')).toEqual([{ type: 'suspicion', detector: 1, member: 2, suspected: true, correct: true }]);
  });

  it('a member alive but unheard (a partition) is a false suspicion; hearing it again ends the suspicion', () => {
    const detector = detectorFor(Infinity);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    context.now = 5_000_000;
    detector.check(context, () => undefined);
    expect(context.recordsOf('suspicion').map((record) => [record.member, record.correct])).toEqual([
      [2, false],
      [3, false],
    ]);
    context.clear();
    detector.heard(2, context);
    expect(detector.isSuspected(2)).toBe(false);
    expect(context.recordsOf('suspicion')).toEqual([{ type: 'suspicion', detector: 1, member: 2, suspected: false, correct: true }]);
  });

  it('every verdict of one check is in place before the first is acted on', () => {
    const detector = detectorFor(0);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    context.now = 3_000_000;
    const seen: boolean[] = [];
    detector.check(context, () => seen.push(detector.isSuspected(3)));
    expect(seen).toEqual([true, true]);
  });

  it('a member already suspected is declared failed once, and a member heard while trusted records nothing', () => {
    const detector = detectorFor(0);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    context.now = 3_000_000;
    detector.heard(3, context);
    const suspected: number[] = [];
    detector.check(context, (member) => suspected.push(member));
    context.now = 4_000_000;
    detector.check(context, (member) => suspected.push(member));
    expect(suspected).toEqual([2]);
    expect(context.recordsOf('suspicion')).toHaveLength(1);
  });

  it('messages from outside the watched members change nothing', () => {
    const detector = detectorFor(0);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    context.now = 3_000_000;
    detector.heard(7, context);
    expect(context.records).toEqual([]);
    expect(detector.isSuspected(7)).toBe(false);
  });

  it('a reset (the member restarted) trusts every member afresh from that time', () => {
    const detector = detectorFor(Infinity);
    const context = new FakeContext(1, 'scripted');
    detector.reset(0);
    context.now = 5_000_000;
    detector.check(context, () => undefined);
    expect(detector.isSuspected(2)).toBe(true);
    detector.reset(5_000_000);
    expect(detector.isSuspected(2)).toBe(false);
    context.now = 6_000_000;
    const suspected: number[] = [];
    detector.check(context, (member) => suspected.push(member));
    expect(suspected).toEqual([]);
    context.now = 7_000_000;
    detector.check(context, (member) => suspected.push(member));
    expect(suspected).toEqual([2, 3]);
  });
});
