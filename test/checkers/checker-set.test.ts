import { describe, expect, it } from 'vitest';
import { ServerState } from '../../gen/clustersim/v1/cluster.js';
import type { Checker, CheckContext } from '../../sim/checkers/checker.js';
import { CheckerSet, keptViolationsDefault } from '../../sim/checkers/checker-set.js';
import { standardCheckers } from '../../sim/checkers/index.js';
import { describeViolation, violationLines } from '../../sim/checkers/violation-lines.js';
import { actorNames, s1, s2, state } from './stream.js';

/** A checker that reports every 'server-state' record it sees, with the state the truth held before it. */
function stateWatcher(rule = 'watched', extra: { session?: number; request?: number } = {}): Checker {
  return {
    rules: [rule],
    handlers: {
      'server-state': (timeUs, actor, record, context) => {
        context.report({ timeUs, rule, actor: context.actorName(actor), detail: `${record.state} after ${context.truth.state(record.server)}`, ...extra });
      },
    },
  };
}

describe('the checker set', () => {
  it('hands each record to the checkers before the truth takes it in', () => {
    const set = new CheckerSet({ actorNames, checkers: [stateWatcher()] });
    set.record(1, s1, state(s1, ServerState.MAINTENANCE));
    set.record(2, s1, state(s1, ServerState.STOPPED));
    expect(set.finish(10).violations.map((violation) => violation.detail)).toEqual([`${ServerState.MAINTENANCE} after ${ServerState.RUNNING}`, `${ServerState.STOPPED} after ${ServerState.MAINTENANCE}`]);
  });

  it('starts each server in the state it was built in', () => {
    const set = new CheckerSet({ actorNames, checkers: [stateWatcher()], initialStates: new Map([[s2, ServerState.STOPPED]]) });
    set.record(1, s2, state(s2, ServerState.STARTING));
    expect(set.finish(10).violations[0]!.detail).toBe(`${ServerState.STARTING} after ${ServerState.STOPPED}`);
  });

  it('keeps a violation with its session and request only when it has them', () => {
    const bare = new CheckerSet({ actorNames, checkers: [stateWatcher()] });
    bare.record(1, s1, state(s1, ServerState.FAILED));
    expect(bare.finish(10).violations).toStrictEqual([{ timeUs: 1, rule: 'watched', actor: 'node1/shop-1', detail: `${ServerState.FAILED} after ${ServerState.RUNNING}` }]);
    const full = new CheckerSet({ actorNames, checkers: [stateWatcher('watched', { session: 0, request: 4 })] });
    full.record(1, s1, state(s1, ServerState.FAILED));
    expect(full.finish(10).violations).toStrictEqual([{ timeUs: 1, rule: 'watched', actor: 'node1/shop-1', detail: `${ServerState.FAILED} after ${ServerState.RUNNING}`, session: 0, request: 4 }]);
  });

  it('names an actor it has no name for by its number', () => {
    const set = new CheckerSet({ actorNames, checkers: [stateWatcher()] });
    set.record(1, 42, state(42, ServerState.FAILED));
    expect(set.finish(10).violations[0]!.actor).toBe('#42');
  });

  it('counts every violation by rule but keeps only the first ones in full', () => {
    const set = new CheckerSet({ actorNames, checkers: [stateWatcher('b-rule'), stateWatcher('a-rule')], keptViolations: 3 });
    set.record(1, s1, state(s1, ServerState.MAINTENANCE));
    set.record(2, s1, state(s1, ServerState.RUNNING));
    const result = set.finish(10);
    expect(result.violationCount).toBe(4);
    expect(result.violations.map((violation) => [violation.timeUs, violation.rule])).toEqual([
      [1, 'b-rule'],
      [1, 'a-rule'],
      [2, 'b-rule'],
    ]);
    expect(Object.entries(result.violationsByRule)).toEqual([
      ['a-rule', 2],
      ['b-rule', 2],
    ]);
    expect(result.rules).toEqual(['b-rule', 'a-rule']);
  });

  it('keeps a hundred violations in full unless told otherwise', () => {
    const set = new CheckerSet({ actorNames, checkers: [stateWatcher()] });
    for (let timeUs = 1; timeUs <= keptViolationsDefault + 1; timeUs++) set.record(timeUs, s1, state(s1, timeUs % 2 === 0 ? ServerState.RUNNING : ServerState.MAINTENANCE));
    const result = set.finish(1_000);
    expect(keptViolationsDefault).toBe(100);
    expect(result.violations).toHaveLength(100);
    expect(result.violationCount).toBe(101);
    expect(result.violationsByRule).toEqual({ watched: 101 });
  });

  it('adds up the notes, one at a time unless counted, in key order', () => {
    const noter: Checker = {
      rules: [],
      handlers: {},
      finish: (endUs: number, context: CheckContext) => {
        context.note('zeta');
        context.note('alpha', 3);
        context.note('zeta');
        context.note('mid', endUs);
      },
    };
    const notes = new CheckerSet({ actorNames, checkers: [noter] }).finish(7).notes;
    expect(Object.entries(notes)).toEqual([
      ['alpha', 3],
      ['mid', 7],
      ['zeta', 2],
    ]);
  });
});

describe('the standard checkers', () => {
  it('declare every rule they report, so a clean run lists what it was checked for', () => {
    expect(new CheckerSet({ actorNames, checkers: standardCheckers(actorNames) }).finish(0).rules).toEqual([
      'conservation',
      'maintenance-new-session',
      'permit-mm',
      'down-server',
      'keep-affinity',
      'ejb-affinity',
      'jms-flows',
      'placement-maintenance',
      'placement-counts',
      'placement-bounds',
      'placement-min',
      'health-acts',
      'address-ownership',
      'address-give-back',
      'drain-deadline',
    ]);
  });
});

describe('violation lines', () => {
  const violation = (timeUs: number) => ({ timeUs, rule: 'keep-affinity', actor: 'node1/app-1', detail: 'dropped' });

  it('describe a violation with its session and request when it has them', () => {
    expect(describeViolation(violation(1))).toBe('[keep-affinity] node1/app-1: dropped');
    expect(describeViolation({ ...violation(1), session: 3, request: 9 })).toBe('[keep-affinity] node1/app-1 session 3 request 9: dropped');
    expect(describeViolation({ ...violation(1), request: 9 })).toBe('[keep-affinity] node1/app-1 request 9: dropped');
  });

  it('show nothing for a clean run, and the first few then how many more for a broken one', () => {
    expect(violationLines({ count: 0, first: [] })).toEqual([]);
    const first = [1, 2, 3, 4, 5, 6].map((index) => violation(index * 1_000_000));
    expect(violationLines({ count: 5, first: first.slice(0, 5) })).toEqual([1, 2, 3, 4, 5].map((seconds) => `violation at ${seconds}s: [keep-affinity] node1/app-1: dropped`));
    expect(violationLines({ count: 6, first })).toEqual([...[1, 2, 3, 4, 5].map((seconds) => `violation at ${seconds}s: [keep-affinity] node1/app-1: dropped`), '... 1 more violation (see summary.json)']);
    expect(violationLines({ count: 9, first }, 2)).toEqual(['violation at 1s: [keep-affinity] node1/app-1: dropped', 'violation at 2s: [keep-affinity] node1/app-1: dropped', '... 7 more violations (see summary.json)']);
  });
});
