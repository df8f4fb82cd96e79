import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import { whileInterruptible } from '../interruption.js';
import { addJobsOptions, resolveJobs, type JobsOptions } from '../jobs.js';
import { addShardOption, formatShard, shardDirectory, shareOf, type Shard } from '../shard.js';
import { progressLine } from './progress.js';

interface SweepOptions extends JobsOptions {
  param: string[];
  seeds?: number;
  find?: string;
  out?: string;
  quiet?: boolean;
  shard?: Shard;
}

export function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new InvalidArgumentError('a whole number from 1 to 100000');
  return count;
}

export function registerSweepCommand(program: Command, setResult: CommandResult): void {
  addShardOption(addJobsOptions(program.command('sweep').description('run a scenario over a grid of parameters and seeds; plot and tabulate the figures'), 'runs'), 'runs')
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim sweep scenarios/capacity-rolling-maintenance.yaml   its sweep: section asks the question
  $ clustersim sweep scenarios/quickstart.yaml --param cluster.nodes.count=2..6 --param workload.http.rate=20/s,40/s \\
      --seeds 10 --find 'min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 300ms'
  $ clustersim sweep scenarios/capacity-rolling-maintenance.yaml --shard 0/4 --out out/shard-0   one of 4 machines
  $ clustersim merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 --out out/sweep`,
    )
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--param <path=values>', 'a parameter: PATH=FROM..TO:STEP or PATH=A,B,C (repeatable; default: the sweep: section)', (value: string, all: string[]) => [...all, value], [])
    .option('--seeds <n>', 'runs per grid point (default: sweep.seeds, else 3)', parseCount)
    .option('--find <question>', 'e.g. "min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 300ms"')
    .option('--out <dir>', 'output directory (default: out/<scenario name>-sweep, with --shard out/<scenario name>-sweep-shard-I-of-N)')
    .option('--quiet', 'print nothing but errors')
    .action(async (file: string, options: SweepOptions) => setResult(await sweepCommand(file, options)));
}

async function sweepCommand(file: string, options: SweepOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  // The experiment and its report load here, when a sweep is asked for.
  const [{ planSweep, runSweep, sweepJobs, sweepRunJob, SweepError }, { runExperimentShard }, { shardInput }, { findAnswerLines }, { renderSweepReport }, { readScenarioText }] = await Promise.all([
    import('../../experiments/sweep.js'),
    import('../experiment-shard.js'),
    import('../partial-result.js'),
    import('../../../reports/sweep/find-text.js'),
    import('../../../reports/sweep/sweep-report.js'),
    import('../../scenario/load.js'),
  ]);
  const text = readScenarioText(file);
  const settings = { params: options.param, seeds: options.seeds ?? null, find: options.find ?? null };
  let plan;
  try {
    plan = planSweep(sweepRequest(file, settings), text);
  } catch (error) {
    if (error instanceof SweepError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
  const unshardedDirectory = options.out ?? join('out', `${plan.base.scenario.name}-sweep`);
  const directory = options.shard === undefined || options.out !== undefined ? unshardedDirectory : shardDirectory(unshardedDirectory, options.shard);
  checkOutputDirectory(directory);
  const allJobs = sweepJobs(plan);
  const share = options.shard === undefined ? undefined : shareOf(allJobs.length, options.shard);
  const total = share?.length ?? allJobs.length;
  const jobs = resolveJobs(options, total, (line) => process.stderr.write(`${line}\n`));
  const grid = `${plan.parameters.map((parameter) => `${parameter.name} (${parameter.values.length})`).join(' × ')} × ${plan.seedsPerPoint} seeds = ${allJobs.length} runs`;
  say(`${plan.base.scenario.name}: sweeping ${grid}${options.shard === undefined ? '' : `, shard ${formatShard(options.shard)}: ${total} of them`} on ${jobs} threads`);
  const startedAt = performance.now();
  const progress = progressLine(options.quiet !== true, 'runs');

  if (options.shard !== undefined) {
    return runExperimentShard({
      command: 'sweep',
      shard: options.shard,
      runs: allJobs.map((job) => sweepRunJob(plan, job)),
      inputs: [shardInput(file, text, true)],
      settings: { ...settings },
      threads: jobs,
      directory,
      progress,
      say,
    });
  }

  const { value: result, interruption } = await whileInterruptible((signal) => runSweep(plan, { jobs, onDone: progress.update, signal }));
  progress.end();
  writeReportFiles(directory, renderSweepReport(result, directory));
  if (interruption !== undefined) {
    process.stderr.write(`clustersim: ${result.incomplete ?? ''}: ${result.runs.length} of ${total} runs done\n  the report so far, marked incomplete: ${join(directory, 'index.html')}\n`);
    return interruption.exitCode;
  }

  const failing = result.runs.filter((run) => !run.outcome.passed).length;
  say(`  ${total} runs in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall; ${failing} with a failed expectation`);
  if (plan.find !== undefined) for (const line of findAnswerLines(plan.find, result.answers ?? [])) say(line);
  say(`  report: ${join(directory, 'index.html')} (every run in ${join(directory, 'runs.csv')})`);
  return exitCodes.pass;
}

/** The options of a sweep that shape its work: what a shard records and a merge plans from again. */
export interface SweepSettings {
  params: string[];
  seeds: number | null;
  find: string | null;
}

export function sweepRequest(file: string, settings: SweepSettings): { file: string; params: string[]; seeds?: number; find?: string } {
  return { file, params: settings.params, ...(settings.seeds === null ? {} : { seeds: settings.seeds }), ...(settings.find === null ? {} : { find: settings.find }) };
}
