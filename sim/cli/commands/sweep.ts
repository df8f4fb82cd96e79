import { InvalidArgumentError, type Command } from 'commander';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import { addJobsOptions, resolveJobs, type JobsOptions } from '../jobs.js';
import { progressLine } from './progress.js';

interface SweepOptions extends JobsOptions {
  param: string[];
  seeds?: number;
  find?: string;
  out?: string;
  quiet?: boolean;
}

export function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new InvalidArgumentError('a whole number from 1 to 100000');
  return count;
}

export function registerSweepCommand(program: Command, setResult: CommandResult): void {
  addJobsOptions(program.command('sweep').description('run a scenario over a grid of parameters and seeds; plot and tabulate the figures'), 'runs')
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim sweep scenarios/capacity-rolling-maintenance.yaml   its sweep: section asks the question
  $ clustersim sweep scenarios/quickstart.yaml --param cluster.nodes.count=2..6 --param workload.http.rate=20/s,40/s \\
      --seeds 10 --find 'min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 300ms'`,
    )
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--param <path=values>', 'a parameter: PATH=FROM..TO:STEP or PATH=A,B,C (repeatable; default: the sweep: section)', (value: string, all: string[]) => [...all, value], [])
    .option('--seeds <n>', 'runs per grid point (default: sweep.seeds, else 3)', parseCount)
    .option('--find <question>', 'e.g. "min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 300ms"')
    .option('--out <dir>', 'output directory (default: out/<scenario name>-sweep)')
    .option('--quiet', 'print nothing but errors')
    .action(async (file: string, options: SweepOptions) => setResult(await sweepCommand(file, options)));
}

async function sweepCommand(file: string, options: SweepOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  // The experiment and its report load here, when a sweep is asked for.
  const [{ planSweep, runSweep, SweepError }, { findAnswerLines }, { renderSweepReport }] = await Promise.all([
    import('../../experiments/sweep.js'),
    import('../../../reports/sweep/find-text.js'),
    import('../../../reports/sweep/sweep-report.js'),
  ]);
  let plan;
  try {
    plan = planSweep({
      file,
      params: options.param,
      ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
      ...(options.find === undefined ? {} : { find: options.find }),
    });
  } catch (error) {
    if (error instanceof SweepError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
  const directory = options.out ?? join('out', `${plan.base.scenario.name}-sweep`);
  checkOutputDirectory(directory);
  const total = plan.points.length * plan.seedsPerPoint;
  const jobs = resolveJobs(options, total, (line) => process.stderr.write(`${line}\n`));
  say(`${plan.base.scenario.name}: sweeping ${plan.parameters.map((parameter) => `${parameter.name} (${parameter.values.length})`).join(' × ')} × ${plan.seedsPerPoint} seeds = ${total} runs on ${jobs} threads`);
  const startedAt = performance.now();
  const progress = progressLine(options.quiet !== true, 'runs');
  const result = await runSweep(plan, { jobs, onDone: progress.update });
  progress.end();
  writeReportFiles(directory, renderSweepReport(result, directory));

  const failing = result.runs.filter((run) => !run.outcome.passed).length;
  say(`  ${total} runs in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall; ${failing} with a failed expectation`);
  if (plan.find !== undefined) for (const line of findAnswerLines(plan.find, result.answers ?? [])) say(line);
  say(`  report: ${join(directory, 'index.html')} (every run in ${join(directory, 'runs.csv')})`);
  return exitCodes.pass;
}
