import type { Command } from 'commander';
import { join } from 'node:path';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import type { RunOutcome } from '../../experiments/run-job.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import type { ShardDirectory, ShardInput } from '../partial-result.js';
import { compareRequest, type CompareSettings } from './compare.js';
import { sweepRequest, type SweepSettings } from './sweep.js';

interface MergeOptions {
  out: string;
  junit?: string;
  markdown?: string;
  quiet?: boolean;
}

export function registerMergeCommand(program: Command, setResult: CommandResult): void {
  program
    .command('merge')
    .description('combine the partial results of a sweep, compare, check or explore run in shards (--shard I/N) into its report')
    .addHelpText(
      'after',
      `
The merged report has the very bytes the command writes when run unsharded with --out DIR
(a check's wall times are its shards'). Every shard 0/N to N-1/N must be given once, run on the
same inputs, options and version of clustersim.

Examples:
  $ clustersim merge out/shard-0 out/shard-1 out/shard-2 --out out/sweep
  $ clustersim merge shards/* --out out/check      JUnit and Markdown of the whole suite`,
    )
    .argument('<shards...>', "the shards' output directories")
    .requiredOption('--out <dir>', 'output directory of the merged report')
    .option('--junit <file>', 'check: JUnit XML (default: <out>/junit.xml)')
    .option('--markdown <file>', 'check: Markdown summary (default: <out>/summary.md; also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--quiet', 'print nothing but errors')
    .action(async (directories: string[], options: MergeOptions) => setResult(await mergeCommand(directories, options)));
}

async function mergeCommand(directories: readonly string[], options: MergeOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  // What a merge needs loads when one is asked for.
  const { MergeError, readShards } = await import('../partial-result.js');
  try {
    const shards = readShards(directories);
    const { command, shard } = shards[0]!.partial;
    say(`merging ${shards.length} ${command} shard${shards.length === 1 ? '' : 's'} of ${shard.count} into ${options.out}`);
    switch (command) {
      case 'sweep':
        return await mergeSweep(shards as ShardDirectory<RunOutcome>[], options.out, say);
      case 'compare':
        return await mergeCompare(shards as ShardDirectory<RunOutcome>[], options.out, say);
      case 'check':
        return (await import('../check-shard.js')).mergeCheck(shards, options);
      case 'explore':
        return (await import('../explore-shard.js')).mergeExploration(shards, options.out, say);
    }
  } catch (error) {
    if (error instanceof MergeError) {
      process.stderr.write(`clustersim merge: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
}

/** The input of a given role, with the text the shard kept of it. */
async function inputText(shards: readonly ShardDirectory[], position: number): Promise<ShardInput & { text: string }> {
  const input = shards[0]!.partial.inputs[position];
  if (input?.text === undefined) throw new (await import('../partial-result.js')).MergeError(`${shards[0]!.directory}: the partial result lacks the text of its input ${position + 1}`);
  return input as ShardInput & { text: string };
}

async function mergeSweep(shards: readonly ShardDirectory<RunOutcome>[], out: string, say: (line: string) => void): Promise<number> {
  const [{ planSweep, sweepResult }, { renderSweepReport }, { findAnswerLines }, { allResults }] = await Promise.all([
    import('../../experiments/sweep.js'),
    import('../../../reports/sweep/sweep-report.js'),
    import('../../../reports/sweep/find-text.js'),
    import('../partial-result.js'),
  ]);
  checkOutputDirectory(out);
  const scenario = await inputText(shards, 0);
  const plan = planSweep(sweepRequest(scenario.file, shards[0]!.partial.settings as unknown as SweepSettings), scenario.text);
  const result = sweepResult(plan, allResults(shards));
  writeReportFiles(out, renderSweepReport(result, out));
  say(`  ${result.runs.length} runs; ${result.runs.filter((run) => !run.outcome.passed).length} with a failed expectation`);
  if (plan.find !== undefined) for (const line of findAnswerLines(plan.find, result.answers ?? [])) say(line);
  say(`  report: ${join(out, 'index.html')} (every run in ${join(out, 'runs.csv')})`);
  return exitCodes.pass;
}

async function mergeCompare(shards: readonly ShardDirectory<RunOutcome>[], out: string, say: (line: string) => void): Promise<number> {
  const [{ planCompare, compareResult }, { renderCompareReport }, { allResults }] = await Promise.all([
    import('../../experiments/compare.js'),
    import('../../../reports/compare/compare-report.js'),
    import('../partial-result.js'),
  ]);
  checkOutputDirectory(out);
  const [scenario, baseline, candidate] = await Promise.all([inputText(shards, 0), inputText(shards, 1), inputText(shards, 2)]);
  const plan = planCompare(compareRequest(scenario.file, shards[0]!.partial.settings as unknown as CompareSettings), scenario.text, { baseline: baseline.text, candidate: candidate.text });
  const result = compareResult(plan, allResults(shards));
  writeReportFiles(out, renderCompareReport(result));
  say(`  ${plan.baselineSeeds.length} pairs of runs; report: ${join(out, 'index.html')}`);
  if (result.worse) {
    say(`  candidate is WORSE beyond tolerance on: ${result.figures.filter((figure) => figure.verdict === 'worse').map((figure) => figure.figure).join(', ')}`);
    return exitCodes.fail;
  }
  return exitCodes.pass;
}
