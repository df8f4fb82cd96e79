import type { Command } from 'commander';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkOutputDirectory, writeReportFiles } from '../../../reports/write.js';
import { parseHostCount, parseHostList, runOnHosts } from '../distributed-run.js';
import { formatDuration } from '../../scenario/units.js';
import { exitCodes, parseSeed, type CommandResult } from '../exit-codes.js';
import { whileInterruptible } from '../interruption.js';
import { createProgress } from '../progress.js';

interface RunOptions {
  seed?: number;
  out?: string;
  quiet?: boolean;
  hosts?: string[];
  spawnHosts?: number;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function registerRunCommand(program: Command, setResult: CommandResult): void {
  program
    .command('run')
    .description('run one scenario and write its report')
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim run scenarios/quickstart.yaml                      report in out/quickstart/index.html
  $ clustersim run scenarios/showcase-break.yaml --seed 7 --out out/try
  $ clustersim run scenarios/quickstart.yaml --spawn-hosts 2      the same bytes, over 2 node hosts`,
    )
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--seed <n>', "seed (default: the scenario's own)", parseSeed)
    .option('--out <dir>', 'output directory (default: out/<scenario name>)')
    .option('--quiet', 'print nothing but errors')
    .option('--hosts <addresses>', 'spread the actors over these node hosts (HOST:PORT,HOST:PORT,...)', parseHostList)
    .option('--spawn-hosts <n>', 'start n local node hosts for this run, and stop them at the end', parseHostCount)
    .option('--tls-ca <file>', 'PEM authority of the node hosts\' certificates: talk TLS to them')
    .option('--tls-cert <file>', 'PEM client certificate for hosts that require one (--tls-client-ca), with --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .action(async (file: string, options: RunOptions) => setResult(await runCommand(file, options)));
}

async function runCommand(file: string, options: RunOptions): Promise<number> {
  const say = (line: string) => {
    if (options.quiet !== true) process.stdout.write(`${line}\n`);
  };
  // The simulator and the report (d3 and its charts) load here, when a run is asked for.
  const [{ loadScenarioFile }, { runScenarioInterruptibly }, { evaluateExpectations }, { renderReport }, { summarize }, { violationLines }] = await Promise.all([
    import('../../scenario/load.js'),
    import('../../run/run.js'),
    import('../../run/expectations.js'),
    import('../../../reports/report.js'),
    import('../../../reports/summary.js'),
    import('../../checkers/violation-lines.js'),
  ]);
  const loaded = loadScenarioFile(file);
  const directory = options.out ?? join('out', loaded.scenario.name);
  checkOutputDirectory(directory);
  say(`running ${loaded.scenario.name}: ${formatDuration(loaded.scenario.duration)} virtual, seed ${options.seed ?? loaded.scenario.seed}`);
  const startedAt = performance.now();
  // Progress goes to stderr, so that stdout stays the summary a script can read.
  const progress =
    options.quiet === true
      ? undefined
      : createProgress({ totalUs: loaded.scenario.duration, write: (text) => process.stderr.write(text), isTerminal: process.stderr.isTTY === true, nowMs: () => performance.now() });
  const runOptions = {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(progress === undefined ? {} : { onProgress: (virtualUs: number, events: number) => progress.update(virtualUs, events) }),
  };
  // Interrupted, a run in-process or on node hosts stops and still reports.
  const { value: result, interruption } = await whileInterruptible((signal) =>
    options.hosts === undefined && options.spawnHosts === undefined
      ? runScenarioInterruptibly(loaded, signal, runOptions)
      : runOnHosts(loaded, { ...options, ...runOptions, signal }, say),
  );
  progress?.finish();
  const wallMs = performance.now() - startedAt;
  const expectations = evaluateExpectations(loaded.scenario.expect, summarize(result));
  const report = renderReport(result, expectations);
  writeReportFiles(directory, report.files);
  if (result.stopped !== undefined) {
    process.stderr.write(`clustersim: stopped at ${formatDuration(result.stopped.atUs)} of virtual time: ${result.stopped.reason}\n  the report so far, marked incomplete: ${join(directory, 'index.html')}\n`);
    return interruption?.exitCode ?? exitCodes.fail;
  }

  const sessions = report.summary.sessions;
  say(`${loaded.scenario.name}: ${report.verdict.toUpperCase()} (seed ${result.seed})`);
  say(
    `  sessions: ${sessions.started} started, ${sessions.completed} completed, ${sessions.dropped} dropped, ${sessions.rejected} rejected, ${sessions.open} open at end`,
  );
  for (const [protocol, figures] of Object.entries(report.summary.protocols)) {
    say(
      `  ${protocol}: p50 ${formatDuration(figures.latency.p50Us)}, p99 ${formatDuration(figures.latency.p99Us)}, ${figures.requests.routedToMaintenance} requests to servers in maintenance`,
    );
  }
  const eventsPerSecond = Math.round(result.eventsProcessed / (wallMs / 1000)).toLocaleString('en-US');
  say(`  ${result.eventsProcessed} events in ${(wallMs / 1000).toFixed(2)} s wall (${eventsPerSecond} events/s) for ${formatDuration(loaded.scenario.duration)} virtual`);
  for (const failed of expectations.filter((expectation) => !expectation.passed)) say(`  expectation failed: ${failed.expectation}: ${failed.message}`);
  for (const line of violationLines(report.summary.violations)) say(`  ${line}`);
  say(`  report: ${join(directory, 'index.html')}`);
  if (report.verdict === 'fail') {
    process.stderr.write(`reproduce: ${report.summary.reproduce}\n`);
    return exitCodes.fail;
  }
  return exitCodes.pass;
}
