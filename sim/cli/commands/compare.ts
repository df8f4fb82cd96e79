import type { Command } from 'commander';
import type { CompareRequest } from '../../experiments/compare.js';
import { join } from 'node:path';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import { formatDuration } from '../../scenario/units.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import { whileInterruptible } from '../interruption.js';
import { addJobsOptions, resolveJobs, type JobsOptions } from '../jobs.js';
import { addShardOption, formatShard, shardDirectory, type Shard } from '../shard.js';
import { progressLine } from './progress.js';
import { parseCount } from './sweep.js';

interface CompareOptions extends JobsOptions {
  baseline: string;
  candidate: string;
  seeds?: number;
  tolerance: string[];
  independentSeeds?: boolean;
  out?: string;
  quiet?: boolean;
  shard?: Shard;
}

export function registerCompareCommand(program: Command, setResult: CommandResult): void {
  addShardOption(addJobsOptions(
    program
      .command('compare')
      .description('run a baseline and a candidate overlay of a scenario on the same seeds and compare their figures')
      .addHelpText(
        'after',
        `
Examples:
  $ clustersim compare scenarios/quickstart.yaml --baseline one-odr.yaml --candidate two-odrs.yaml
  $ clustersim compare scenarios/showcase.yaml --baseline a.yaml --candidate b.yaml --seeds 20 \\
      --tolerance 'sessions.dropped<=0' --tolerance 'latency.http.p99<=+5%'
  $ clustersim compare scenarios/showcase.yaml --baseline a.yaml --candidate b.yaml --shard 1/2 --out out/shard-1
  (an overlay is YAML laid over the scenario, e.g. "cluster: { routers: 2 }")`,
      ),
    'runs',
  ), 'runs')
    .argument('<scenario>', 'scenario file (YAML)')
    .requiredOption('--baseline <overlay>', 'YAML laid over the scenario for the baseline (e.g. its routing settings)')
    .requiredOption('--candidate <overlay>', 'YAML laid over the scenario for the candidate')
    .option('--seeds <n>', 'seeds per side (default: compare.seeds, else 20)', parseCount)
    .option('--tolerance <rule>', 'how much worse the candidate may be, e.g. "latency.http.p99<=+5%" (repeatable; adds to compare.tolerances)', (value: string, all: string[]) => [...all, value], [])
    .option('--independent-seeds', 'control experiment: the candidate runs on other seeds (no common random numbers)')
    .option('--out <dir>', 'output directory (default: out/<scenario name>-compare, with --shard out/<scenario name>-compare-shard-I-of-N)')
    .option('--quiet', 'print nothing but errors')
    .action(async (file: string, options: CompareOptions) => setResult(await compareCommand(file, options)));
}

async function compareCommand(file: string, options: CompareOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  // The experiment and its report load here, when a comparison is asked for.
  const [{ CompareError, compareJobs, planCompare, readOverlay, runCompare }, { isDurationFigure }, { renderCompareReport }, { runExperimentShard }, { shardInput }, { readScenarioText }] = await Promise.all([
    import('../../experiments/compare.js'),
    import('../../experiments/figures.js'),
    import('../../../reports/compare/compare-report.js'),
    import('../experiment-shard.js'),
    import('../partial-result.js'),
    import('../../scenario/load.js'),
  ]);
  const text = readScenarioText(file);
  const overlays = { baseline: readOverlay(options.baseline), candidate: readOverlay(options.candidate) };
  const settings = compareSettings(options);
  let plan;
  try {
    plan = planCompare(compareRequest(file, settings), text, overlays);
  } catch (error) {
    if (error instanceof CompareError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
  const unshardedDirectory = options.out ?? join('out', `${plan.base.scenario.name}-compare`);
  const directory = options.shard === undefined || options.out !== undefined ? unshardedDirectory : shardDirectory(unshardedDirectory, options.shard);
  checkOutputDirectory(directory);
  say(`${plan.base.scenario.name}: ${options.baseline} against ${options.candidate}, ${plan.baselineSeeds.length} seeds each${plan.independentSeeds ? ' (independent seeds)' : ' (common random numbers)'}${options.shard === undefined ? '' : `, shard ${formatShard(options.shard)}`}`);
  const progress = progressLine(options.quiet !== true, 'runs');
  const threads = resolveJobs(options, 2 * plan.baselineSeeds.length, warn);
  if (options.shard !== undefined) {
    return runExperimentShard({
      command: 'compare',
      shard: options.shard,
      runs: compareJobs(plan),
      inputs: [shardInput(file, text, true), shardInput(options.baseline, overlays.baseline, true), shardInput(options.candidate, overlays.candidate, true)],
      settings: { ...settings },
      threads,
      directory,
      progress,
      say,
    });
  }
  let run;
  try {
    run = await whileInterruptible((signal) => runCompare(plan, { jobs: threads, onDone: progress.update, signal }));
  } catch (error) {
    if (error instanceof CompareError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  } finally {
    progress.end();
  }
  const { value: result, interruption } = run;
  writeReportFiles(directory, renderCompareReport(result));
  if (interruption !== undefined) {
    process.stderr.write(`clustersim: ${interruption.reason}: ${result.plan.baselineSeeds.length} of ${plan.baselineSeeds.length} pairs of runs done\n  the report so far, marked incomplete: ${join(directory, 'index.html')}\n`);
    return interruption.exitCode;
  }

  const sample = result.baselineRuns[0]?.summary;
  const format = (figure: string, value: number) =>
    !Number.isFinite(value) ? String(value) : isDurationFigure(sample, figure) ? `${value < 0 ? '-' : ''}${formatDuration(Math.round(Math.abs(value)))}` : String(Math.round(value * 100) / 100);
  const width = Math.max(...result.figures.map((figure) => figure.figure.length));
  say(`  ${'figure'.padEnd(width)}  baseline  candidate  difference [95% interval]`);
  for (const figure of result.figures) {
    const interval = `${format(figure.figure, figure.difference.mean)} [${format(figure.figure, figure.difference.low)}, ${format(figure.figure, figure.difference.high)}]`;
    const verdict = figure.verdict === undefined ? '' : `  ${figure.verdict.toUpperCase()} (${figure.tolerance!.text})`;
    say(`  ${figure.figure.padEnd(width)}  ${format(figure.figure, figure.baselineMean).padStart(8)}  ${format(figure.figure, figure.candidateMean).padStart(9)}  ${interval}${verdict}`);
  }
  if (!plan.independentSeeds) say(`  arrivals identical in every pair: ${result.sameArrivalsInEveryPair ? 'yes' : 'NO: the differences mix the change with another load; no verdict (see the report)'}`);
  say(`  report: ${join(directory, 'index.html')}`);
  if (result.worse) {
    say(`  candidate is WORSE beyond tolerance on: ${result.figures.filter((figure) => figure.verdict === 'worse').map((figure) => figure.figure).join(', ')}`);
    return exitCodes.fail;
  }
  return exitCodes.pass;
}

/** The options of a comparison that shape its work: what a shard records and a merge plans from again. */
export interface CompareSettings {
  baseline: string;
  candidate: string;
  seeds: number | null;
  tolerances: string[];
  independentSeeds: boolean;
}

function compareSettings(options: CompareOptions): CompareSettings {
  return { baseline: options.baseline, candidate: options.candidate, seeds: options.seeds ?? null, tolerances: options.tolerance, independentSeeds: options.independentSeeds === true };
}

export function compareRequest(file: string, settings: CompareSettings): CompareRequest {
  return {
    file,
    baselineFile: settings.baseline,
    candidateFile: settings.candidate,
    tolerances: settings.tolerances,
    independentSeeds: settings.independentSeeds,
    ...(settings.seeds === null ? {} : { seeds: settings.seeds }),
  };
}
