import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderReport } from '../../reports/report.js';
import { OutputError, writeReportFiles } from '../../reports/write.js';
import { evaluateExpectations } from '../run/expectations.js';
import { runScenario } from '../run/run.js';
import { loadScenarioFile, ScenarioError } from '../scenario/load.js';
import { formatDuration } from '../scenario/units.js';

/** Exit codes (contract): 0 all holds, 1 expectations or invariants fail, 2 bad input or usage. */
export const exitCodes = { pass: 0, fail: 1, usage: 2 } as const;

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new InvalidArgumentError('a seed is a whole number from 0 to 2147483647');
  return seed;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = exitCodes.pass;
  const program = new Command()
    .name('clustersim')
    .description('Cluster simulator and test harness for routing, failover and maintenance mode')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('run')
    .description('run one scenario and write its report')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--seed <n>', 'seed (default: the scenario\'s own)', parseSeed)
    .option('--out <dir>', 'output directory (default: out/<scenario name>)')
    .option('--quiet', 'print nothing but errors')
    .action((file: string, options: { seed?: number; out?: string; quiet?: boolean }) => {
      exitCode = runCommand(file, options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitCodes.usage;
    throw error;
  }
  return exitCode;
}

function runCommand(file: string, options: { seed?: number; out?: string; quiet?: boolean }): number {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  const loaded = loadScenarioFile(file);
  const startedAt = performance.now();
  const result = runScenario(loaded, options.seed === undefined ? {} : { seed: options.seed });
  const wallMs = performance.now() - startedAt;
  const summaryForChecks = renderReport(result, []).summary;
  const expectations = evaluateExpectations(loaded.scenario.expect, summaryForChecks);
  const report = renderReport(result, expectations);
  const directory = options.out ?? join('out', loaded.scenario.name);
  writeReportFiles(directory, report.files);

  const sessions = report.summary.sessions;
  say(`${loaded.scenario.name}: ${report.verdict.toUpperCase()} (seed ${result.seed})`);
  say(
    `  sessions: ${sessions.started} started, ${sessions.completed} completed, ${sessions.dropped} dropped, ${sessions.rejected} rejected, ${sessions.open} open at end`,
  );
  for (const [protocol, figures] of Object.entries(report.summary.protocols)) {
    say(`  ${protocol}: p50 ${formatDuration(figures.latency.p50Us)}, p99 ${formatDuration(figures.latency.p99Us)}, ${figures.requests.routedToMaintenance} requests to servers in maintenance`);
  }
  say(
    `  ${result.eventsProcessed} events in ${(wallMs / 1000).toFixed(2)} s wall (${Math.round(result.eventsProcessed / (wallMs / 1000)).toLocaleString('en-US')} events/s) for ${formatDuration(loaded.scenario.duration)} virtual`,
  );
  for (const failed of expectations.filter((expectation) => !expectation.passed)) say(`  expectation failed: ${failed.expectation}: ${failed.message}`);
  say(`  report: ${join(directory, 'index.html')}`);
  if (report.verdict === 'fail') {
    process.stderr.write(`reproduce: ${report.summary.reproduce}\n`);
    return exitCodes.fail;
  }
  return exitCodes.pass;
}

/** Runs the CLI: known errors become a message and exit code 2, never a stack trace. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof OutputError) {
      process.stderr.write(`clustersim: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
      return;
    }
    throw error;
  }
}
