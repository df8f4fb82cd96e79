import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import type { ExploreProgress } from '../../explore/explore.js';
import { parseDuration } from '../../scenario/units.js';
import { exitCodes, parseSeed, type CommandResult } from '../exit-codes.js';
import { whileInterruptible } from '../interruption.js';
import { addJobsOptions, resolveJobs, type JobsOptions } from '../jobs.js';
import { addShardOption, formatShard, shardDirectory, shareOf, type Shard } from '../shard.js';

interface ExploreOptions extends JobsOptions {
  runs?: number;
  budget?: number;
  seed?: number;
  out?: string;
  quiet?: boolean;
  shard?: Shard;
}

function parseRuns(value: string): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1_000_000) throw new InvalidArgumentError('a whole number from 1 to 1000000');
  return runs;
}

function parseBudget(value: string): number {
  const us = parseDuration(value);
  if (typeof us === 'string' || us <= 0) throw new InvalidArgumentError('a wall-clock duration with a unit, e.g. 30s or 10m');
  return us / 1000;
}

export function registerExploreCommand(program: Command, setResult: CommandResult): void {
  addShardOption(addJobsOptions(program.command('explore').description("search maintenance and fault schedules of a scenario; shrink every failure to a minimal reproducer"), 'runs'), 'schedules')
    .argument('<scenario>', 'scenario file (YAML); its explore: section describes the schedules drawn')
    .option('--runs <n>', 'schedules to run (default: explore.runs, else 100; with --budget, at most this many)', parseRuns)
    .option('--budget <duration>', 'wall time for the runs, e.g. 10m (shrinking comes after)', parseBudget)
    .option('--seed <n>', "the explorer's seed: same seed, same runs and findings (default: the scenario's seed)", parseSeed)
    .option('--out <dir>', 'output directory (default: out/<scenario name>-explore, with --shard out/<scenario name>-explore-shard-I-of-N)')
    .option('--quiet', 'print nothing but errors')
    .action(async (file: string, options: ExploreOptions) => setResult(await exploreCommand(file, options)));
}

async function exploreCommand(file: string, options: ExploreOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  // The explorer and the simulator load when the command runs, not when the CLI starts.
  const [{ explore, planExploration }, { explorationFiles, reproducerFile, reproducerSteps }, { describeStep }, { ExploreError }] = await Promise.all([
    import('../../explore/explore.js'),
    import('../../explore/report.js'),
    import('../../explore/schedule.js'),
    import('../../explore/space.js'),
  ]);
  let plan;
  try {
    plan = planExploration(file);
  } catch (error) {
    if (error instanceof ExploreError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
  if (options.shard !== undefined && options.budget !== undefined) {
    process.stderr.write('clustersim: --budget and --shard do not go together: a budget of wall time makes the runs done depend on the machine; give --runs\n');
    return exitCodes.usage;
  }
  const unshardedDirectory = options.out ?? join('out', `${plan.name}-explore`);
  const directory = options.shard === undefined || options.out !== undefined ? unshardedDirectory : shardDirectory(unshardedDirectory, options.shard);
  checkOutputDirectory(directory);
  // With a budget and no count, the budget decides: the count is only a bound.
  const runs = options.runs ?? (options.budget === undefined ? plan.defaultRuns : 1_000_000);
  const share = options.shard === undefined ? undefined : shareOf(runs, options.shard);
  const jobs = resolveJobs(options, share?.length ?? runs, (line) => process.stderr.write(`${line}\n`));
  const seed = options.seed ?? plan.seed;
  const shardText = options.shard === undefined || share === undefined ? '' : `, shard ${formatShard(options.shard)}: ${share.length} of them`;
  say(`${plan.name}: exploring ${options.budget === undefined ? `${runs} schedules` : `schedules for ${options.budget / 1000} s`}${shardText} of ${plan.base.space.kinds.length} step kinds, seed ${seed}, on ${jobs} thread${jobs === 1 ? '' : 's'}`);
  const { value: exploration, interruption } = await whileInterruptible((signal) =>
    explore(plan, {
      seed,
      runs,
      jobs,
      signal,
      onProgress: progressOnStderr(options.quiet !== true),
      ...(options.budget === undefined ? {} : { budgetMs: options.budget }),
      ...(share === undefined ? {} : { share }),
    }),
  );
  if (options.quiet !== true && process.stderr.isTTY === true) process.stderr.write('\n');
  if (options.shard !== undefined) {
    // A shard writes what it found for `clustersim merge`; the findings are the merge's to report.
    const { partialResult, partialResultFiles, shardInput } = await import('../partial-result.js');
    const partial = partialResult({
      command: 'explore',
      shard: options.shard,
      inputs: [shardInput(file, plan.base.text, true)],
      settings: { seed, runs },
      itemCount: runs,
      items: exploration.runs.map((run) => run.index),
      results: exploration.runs,
      interrupted: exploration.interrupted,
      extra: { groups: exploration.groups },
    });
    writeReportFiles(directory, partialResultFiles(partial));
    say(`  shard ${formatShard(options.shard)}: ${exploration.runs.length} of ${share?.length ?? runs} runs, ${exploration.groups.length} distinct failures; partial result in ${directory}`);
    if (interruption === undefined) return exploration.groups.length > 0 ? exitCodes.fail : exitCodes.pass;
    process.stderr.write(`clustersim: ${interruption.reason}: the shard's runs so far are kept in ${directory}, marked interrupted; run the shard again before merging\n`);
    return interruption.exitCode;
  }
  writeReportFiles(directory, explorationFiles(plan.base, exploration));

  const failing = exploration.runs.filter((run) => run.failures.length > 0).length;
  const perMinute = exploration.runsWallMs > 0 ? Math.round((exploration.runs.length * 60_000) / exploration.runsWallMs) : 0;
  say(`  ${exploration.runs.length} runs in ${(exploration.runsWallMs / 1000).toFixed(1)} s wall (${perMinute} schedules a minute); ${failing} failing; ${exploration.groups.length} distinct failures${exploration.groups.length === 0 ? '' : `, shrunk in ${(exploration.shrinkWallMs / 1000).toFixed(1)} s`}`);
  exploration.groups.forEach((group, index) => {
    const failure = group.shrunk?.failure ?? group.run.failure;
    say(`  ${reproducerFile(index)}: ${group.rule}${failure.actor === '' ? '' : ` on ${failure.actor}`} (${group.count} run${group.count === 1 ? '' : 's'}), ${group.shrunk === undefined ? 'not shrunk' : `shrunk from ${group.run.steps.length} to ${group.shrunk.steps.length} steps`}:`);
    for (const step of reproducerSteps(group)) say(`      ${describeStep(step)}`);
  });
  if (interruption !== undefined) say(`  INTERRUPTED: what was found so far is kept`);
  say(`  report: ${join(directory, 'index.html')} (findings in ${join(directory, 'explore.json')})`);
  if (interruption !== undefined) return interruption.exitCode;
  return exploration.groups.length > 0 ? exitCodes.fail : exitCodes.pass;
}

/** One line on stderr, redrawn in place on a terminal, every tenth of the work otherwise. */
function progressOnStderr(enabled: boolean): (progress: ExploreProgress) => void {
  let lastTenth = -1;
  return (progress) => {
    if (!enabled) return;
    const line = `  ${progress.phase === 'runs' ? 'runs' : 'shrinking'} ${progress.done}/${progress.total === 1_000_000 ? '?' : progress.total}, ${progress.failing} failing, ${progress.groups} distinct`;
    if (process.stderr.isTTY === true) {
      process.stderr.write(`\r${line}\u001b[K`);
      return;
    }
    // Every tenth of the work, or every 25 runs when a budget of time decides how many.
    const tenth = progress.total === 1_000_000 ? Math.floor(progress.done / 25) : Math.floor((progress.done * 10) / Math.max(1, progress.total));
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${line}\n`);
    }
  };
}
