import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../reports/write.js';
import { explore, planExploration, type Exploration } from '../../sim/explore/explore.js';
import { failureKey, judge } from '../../sim/explore/oracle.js';
import { explorationFiles } from '../../sim/explore/report.js';
import { drawRun } from '../../sim/explore/draw.js';
import { shrink } from '../../sim/explore/shrink.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

const outDirectory = mkdtempSync(join(tmpdir(), 'clustersim-explore-'));
afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));

/** What must not depend on timing or threads: every run and every finding, without wall times. */
function findings(exploration: Exploration): unknown {
  return {
    runs: exploration.runs.map(({ wallMs: _wallMs, ...run }) => run),
    groups: exploration.groups.map((group) => ({ ...group, shrunk: group.shrunk === undefined ? undefined : { ...group.shrunk, wallMs: 0 } })),
  };
}

describe('the shrinker', () => {
  it('drops every step that the failure does not need: fails iff A and B are both present', () => {
    const steps = ['w', 'A', 'x', 'y', 'B', 'z', 'v', 'u'];
    const result = shrink(steps, { fails: (candidate) => candidate.includes('A') && candidate.includes('B') });
    expect(result.steps).toEqual(['A', 'B']);
    expect(result.exhausted).toBe(false);
    // ddmin over 8 steps needs far fewer tries than the 2^8 subsets.
    expect(result.tries).toBeLessThan(40);
  });

  it('then simplifies what remains, keeping only what still fails', () => {
    // Steps are times: fails when one step is at 7 or later and another at 3 or earlier.
    const fails = (candidate: readonly number[]) => candidate.some((time) => time >= 7) && candidate.some((time) => time <= 3);
    const simplify = (time: number) => [0, Math.floor(time / 2), time - 1].filter((earlier) => earlier >= 0 && earlier < time);
    const result = shrink([5, 9, 2, 8, 3], { fails, simplify });
    expect(result.steps).toHaveLength(2);
    expect([...result.steps].sort((a, b) => a - b)).toEqual([0, 7]);
  });

  it('keeps the best failing schedule so far when its budget of tries runs out', () => {
    const steps = Array.from({ length: 16 }, (_, index) => index);
    const result = shrink(steps, { fails: (candidate) => candidate.includes(3) && candidate.includes(12), maxTries: 3 });
    expect(result.exhausted).toBe(true);
    expect(result.steps).toEqual(expect.arrayContaining([3, 12]));
  });
});

describe('clustersim explore', () => {
  it('draws the same schedules from the same seed, others from another', () => {
    const space = planExploration('test/explore/small-cell.yaml').base.space;
    expect(drawRun(space, 5, 7)).toEqual(drawRun(space, 5, 7));
    expect(drawRun(space, 5, 7)).not.toEqual(drawRun(space, 6, 7));
    for (let index = 0; index < 50; index++) {
      const run = drawRun(space, 5, index);
      expect(run.steps.length).toBeGreaterThanOrEqual(0);
      expect(run.steps.length).toBeLessThanOrEqual(5);
      for (const step of run.steps) {
        expect(run.kinds).toContain(step.kind);
        expect(step.atUs).toBeGreaterThanOrEqual(space.fromUs);
        expect(step.atUs).toBeLessThanOrEqual(space.toUs);
      }
    }
  });

  it('a window that ends with the run draws no step at its end: the run stops before that instant', () => {
    const base = planExploration('test/explore/small-cell.yaml').base.space;
    const space = { ...base, fromUs: base.durationUs - 2_000, toUs: base.durationUs };
    const times = Array.from({ length: 30 }, (_, index) => drawRun(space, 5, index).steps.map((step) => step.atUs)).flat();
    expect(times.length).toBeGreaterThan(10);
    expect(Math.max(...times)).toBe(base.durationUs - 1_000);
  });

  it('same seed, same runs and findings on 1 thread and on 2; each failure shrunk and reproduced by its file', async () => {
    const plan = planExploration('test/explore/drops-cell.yaml');
    const alone = await explore(plan, { seed: 4, runs: 12, jobs: 1 });
    const paired = await explore(plan, { seed: 4, runs: 12, jobs: 2 });
    expect(findings(paired)).toEqual(findings(alone));
    expect(alone.runs).toHaveLength(12);
    // The property breaks in some runs and holds in others.
    const failing = alone.runs.filter((run) => run.failures.length > 0).length;
    expect(failing).toBeGreaterThan(0);
    expect(failing).toBeLessThan(12);
    const group = alone.groups.find((candidate) => candidate.rule === 'expect: requests.http.routedToMaintenance == 0')!;
    expect(group).toBeDefined();
    expect(group.count).toBe(alone.runs.filter((run) => run.failures.includes(group.key)).length);
    // One step is enough: keep-affinity maintenance of a server (or its node), at the window's start, on the first server.
    expect(group.shrunk!.steps).toEqual([expect.objectContaining({ kind: expect.stringMatching(/^maintenance-(server|node)$/), mode: 'affinity', atUs: 2_000_000 })]);

    const directory = join(outDirectory, 'drops');
    writeReportFiles(directory, explorationFiles(plan.base, alone));
    const json = JSON.parse(readFileSync(join(directory, 'explore.json'), 'utf8')) as { failures: { file: string; group: string }[] };
    expect(json.failures.map((failure) => failure.group)).toEqual(alone.groups.map((candidate) => candidate.key));
    expect(readFileSync(join(directory, 'index.html'), 'utf8')).toContain('requests.http.routedToMaintenance == 0');
    // Every reproducer is a standalone scenario that fails the same rule under runScenario.
    for (const [index, failure] of json.failures.entries()) {
      const loaded = loadScenarioFile(join(directory, failure.file));
      expect(loaded.scenario.explore).toBeUndefined();
      const reproduced = judge(runScenario(loaded)).map(failureKey);
      expect(reproduced).toContain(alone.groups[index]!.key);
    }
  });

  it('with a budget of time, runs whole batches until it is spent: a prefix of the same seed\'s runs', async () => {
    const plan = planExploration('test/explore/small-cell.yaml');
    const budgeted = await explore(plan, { seed: 4, runs: 1_000, budgetMs: 1, jobs: 1 });
    // The first batch always runs (the budget is looked at between batches), and little more.
    expect(budgeted.runs.length).toBeGreaterThanOrEqual(1);
    expect(budgeted.runs.length).toBeLessThan(1_000);
    expect(budgeted.runs.map((run) => run.seed)).toEqual(budgeted.runs.map((run) => drawRun(plan.base.space, 4, run.index).seed));
    expect(budgeted.runs.map((run) => run.index)).toEqual(budgeted.runs.map((_, index) => index));
  });

  it('stops between runs when asked, keeping the runs done as a prefix of the full exploration', async () => {
    const plan = planExploration('test/explore/drops-cell.yaml');
    const controller = new AbortController();
    const stopped = await explore(plan, { seed: 4, runs: 12, jobs: 1, signal: controller.signal, onProgress: (progress) => progress.done === 3 && controller.abort() });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.runs.length).toBeGreaterThanOrEqual(3);
    expect(stopped.runs.length).toBeLessThan(12);
    const full = await explore(plan, { seed: 4, runs: stopped.runs.length, jobs: 1, maxShrinkTries: 1 });
    expect(stopped.runs.map((run) => run.seed)).toEqual(full.runs.map((run) => run.seed));
  });
});
