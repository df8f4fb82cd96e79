import { describe, expect, it } from 'vitest';
import { combineExploration, type ExplorationPart } from '../../sim/explore/combine.js';
import type { ExplorePlan, FailureGroup, RunRecord } from '../../sim/explore/explore.js';
import type { ScheduleStep } from '../../sim/explore/schedule.js';

const plan = { name: 'cell', seed: 1, base: { text: '', file: 'cell.yaml', space: { kinds: ['crash-node'] } }, defaultRuns: 6 } as unknown as ExplorePlan;
const steps = (count: number) => Array.from({ length: count }, (_, index): ScheduleStep => ({ kind: 'crash-node', atUs: index * 1_000_000, target: `node${index + 1}` }));
const run = (index: number, failures: string[]): RunRecord => ({ index, seed: 100 + index, kinds: ['crash-node'], steps: 0, stepKinds: [], failures, protocols: [], wallMs: 1 });
const group = (key: string, actor: string, index: number, stepCount: number, count: number): FailureGroup => ({
  key,
  rule: key.split(' @ ')[0]!,
  actor,
  count,
  run: { index, seed: 100 + index, steps: steps(stepCount), failure: { rule: key.split(' @ ')[0]!, actor, detail: `run ${index}`, timeUs: 0 } },
  shrunk: { steps: steps(1), failure: { rule: key.split(' @ ')[0]!, actor, detail: `shrunk from run ${index}`, timeUs: 0 }, tries: stepCount, exhausted: false, wallMs: 5 },
});

describe('the exploration of merged shards', () => {
  // Runs 0..5 dealt to 2 shards: even runs to one, odd runs to the other, as --shard I/2 does.
  const even: ExplorationPart = {
    runs: [run(0, []), run(2, ['down-server @ node#/app-#']), run(4, ['down-server @ node#/app-#', 'conservation'])],
    groups: [group('down-server @ node#/app-#', 'node2/app-1', 2, 4, 2), group('conservation', '', 4, 3, 1)],
  };
  const odd: ExplorationPart = {
    runs: [run(1, ['conservation']), run(3, ['down-server @ node#/app-#']), run(5, [])],
    groups: [group('conservation', '', 1, 5, 1), group('down-server @ node#/app-#', 'node1/app-2', 3, 4, 1)],
  };

  it('lists the groups in the order their failures first appear over all runs, counted over all shards', () => {
    for (const parts of [[even, odd], [odd, even]]) {
      const exploration = combineExploration(plan, 7, 6, parts);
      expect(exploration.runs.map((each) => each.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(exploration.groups.map((each) => [each.key, each.count])).toEqual([
        ['conservation', 2],
        ['down-server @ node#/app-#', 3],
      ]);
    }
  });

  it('keeps the failing run with the fewest steps, the first of those, with the shrunk schedule its shard made', () => {
    const [conservation, downServer] = combineExploration(plan, 7, 6, [odd, even]).groups;
    // Run 4 (3 steps) beats run 1 (5 steps), though run 1 failed first.
    expect(conservation!.run.index).toBe(4);
    expect(conservation!.shrunk!.failure.detail).toBe('shrunk from run 4');
    // Runs 2 and 3 both have 4 steps: run 2 is the first; its actor is the earliest failure's.
    expect(downServer!.run.index).toBe(2);
    expect(downServer!.actor).toBe('node2/app-1');
  });
});
