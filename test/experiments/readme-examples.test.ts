import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findAnswerLines } from '../../reports/sweep/find-text.js';
import { planSweep, runSweep, seedsOf, summarizeSweep, type SweepPlan, type SweepResult, type SweepRun } from '../../sim/experiments/sweep.js';

/**
 * The README's worked examples of `clustersim sweep` are console sessions: a command and what it
 * printed. Each is run here, and what the README quotes of its answer must be what it prints now,
 * so the examples cannot drift from the code (a change of model or figures shows up here).
 */
interface Example {
  command: string;
  file: string;
  params: string[];
  quoted: string[];
}

function sweepExamples(readme: string): Example[] {
  const examples: Example[] = [];
  for (const block of readme.matchAll(/```sh\n(\$ npx clustersim sweep [^\n]+)\n([\s\S]*?)```/g)) {
    const command = block[1]!;
    const words = command.split(/\s+/).slice(4);
    const params: string[] = [];
    for (let index = 0; index < words.length; index++) if (words[index] === '--param') params.push(words[++index]!);
    examples.push({ command, file: words[0]!, params, quoted: block[2]!.trimEnd().split('\n') });
  }
  return examples;
}

const examples = sweepExamples(readFileSync('README.md', 'utf8'));

describe("the README's worked examples of a sweep", () => {
  it('are there: the capacity question alone, then for each load', () => {
    expect(examples.map((example) => example.params.length)).toEqual([0, 1]);
  });

  // A run is a scenario and a seed: the grid of one example that another's grid contains is not run
  // twice (the examples overlap, and the runs are deterministic).
  const runsByScenario = new Map<string, SweepRun['outcome']>();
  const runKey = (plan: SweepPlan, point: number, seed: number) => `${seed} ${JSON.stringify(plan.points[point]!.variant.loaded.scenario)}`;
  async function sweepOf(plan: SweepPlan): Promise<SweepResult> {
    const runs = plan.points.flatMap((point) => seedsOf(point, plan.seedsPerPoint).map((seed) => ({ point: point.index, values: point.values, seed, outcome: runsByScenario.get(runKey(plan, point.index, seed))! })));
    if (runs.every((run) => run.outcome !== undefined)) return summarizeSweep(plan, runs);
    const result = await runSweep(plan, { jobs: 2 });
    for (const run of result.runs) runsByScenario.set(runKey(plan, run.point, run.seed), run.outcome);
    return result;
  }
  const widestFirst = [...examples].sort((a, b) => b.params.length - a.params.length);

  for (const example of widestFirst) {
    it(`print what the README quotes: ${example.command}`, async () => {
      const plan = planSweep({ file: example.file, params: example.params });
      const result = await sweepOf(plan);
      const answer = findAnswerLines(plan.find!, result.answers ?? []);
      const start = example.quoted.findIndex((line) => line === answer[0]);
      expect(start, `the README quotes "${answer[0]}"`).toBeGreaterThanOrEqual(0);
      expect(example.quoted.slice(start, start + answer.length)).toEqual(answer);
      const failing = result.runs.filter((run) => !run.outcome.passed).length;
      expect(example.quoted.join('\n')).toMatch(new RegExp(`^  ${result.runs.length} runs in [\\d.]+ s wall; ${failing} with a failed expectation$`, 'm'));
    });
  }
});
