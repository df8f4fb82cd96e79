import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Piscina } from 'piscina';
import { checkSuiteDirectory } from '../../../reports/output-paths.js';
import { writeFileAtomically } from '../../../reports/write.js';
import type { ScenarioCheck, ScenarioCheckTask } from '../../run/check-scenario.js';
import { formatDuration } from '../../scenario/units.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';
import { addJobsOptions, resolveJobs, type JobsOptions } from '../jobs.js';
import { addShardOption, formatShard, shareOf, type Shard } from '../shard.js';

interface CheckOptions extends JobsOptions {
  out: string;
  junit?: string;
  markdown?: string;
  shard?: Shard;
}

const scenarioExtensions = /\.ya?ml$/;

export function registerCheckCommand(program: Command, setResult: CommandResult): void {
  addShardOption(addJobsOptions(program.command('check').description('run a suite of scenarios on worker threads; exit 0 only if every one passes'), 'scenarios'), 'scenarios')
    .addHelpText(
      'after',
      `
Examples:
  $ clustersim check scenarios/                                    every *.yaml under it
  $ clustersim check --jobs 2 --out out/check scenarios/a.yaml scenarios/b.yaml
  $ clustersim check scenarios/ --shard 0/3 --out out/check-0        a third of the suite; then:
  $ clustersim merge out/check-0 out/check-1 out/check-2 --out out/check`,
    )
    .argument('[paths...]', 'scenario files, or directories of them', ['scenarios'])
    .option('--out <dir>', 'where the reports go, one directory per scenario', join('out', 'check'))
    .option('--junit <file>', 'JUnit XML (default: <out>/junit.xml)')
    .option('--markdown <file>', 'Markdown summary (default: <out>/summary.md; also appended to $GITHUB_STEP_SUMMARY when set)')
    .action(async (paths: string[], options: CheckOptions) => setResult(await checkCommand(paths, options)));
}

async function checkCommand(paths: readonly string[], options: CheckOptions): Promise<number> {
  const files = scenarioFiles(paths);
  if (typeof files === 'string') {
    process.stderr.write(`clustersim: ${files}\n`);
    return exitCodes.usage;
  }
  // Every output is checked before the first scenario runs, so that a long suite is not wasted.
  const outputs = { junitFile: options.junit ?? join(options.out, 'junit.xml'), markdownFile: options.markdown ?? join(options.out, 'summary.md') };
  // The suite's summaries load when a check is asked for.
  const { checkSuiteOutputs, suiteExitCode, writeSuiteOutputs } = await import('../suite-outputs.js');
  checkSuiteDirectory(options.out);
  checkSuiteOutputs(outputs);
  // Report directories come from the whole suite, so that a shard's are those of the unsharded check.
  const reports = reportDirectories(files, options.out);
  const share = options.shard === undefined ? files.map((_, index) => index) : shareOf(files.length, options.shard);
  const jobs = resolveJobs(options, share.length, (line) => process.stderr.write(`${line}\n`));
  const shardText = options.shard === undefined ? '' : `, shard ${formatShard(options.shard)}: ${share.length} of ${files.length}`;
  process.stdout.write(`clustersim check: ${files.length} scenario${files.length === 1 ? '' : 's'}${shardText}, ${jobs} at once\n`);
  const startedAt = performance.now();
  // The pool loads when a check is asked for; the workers load the simulator.
  const { Piscina } = await import('piscina');
  const pool = new Piscina<ScenarioCheckTask, ScenarioCheck>({
    filename: new URL('../check-worker.mjs', import.meta.url).href,
    minThreads: jobs,
    maxThreads: jobs,
    // Tasks arrive as messages, so the thread's event loop turns between two scenarios and what a
    // report left behind is freed: memory stays flat however many run.
    atomics: 'disabled',
  });
  let checks: ScenarioCheck[];
  try {
    checks = await Promise.all(
      share.map(async (index) => {
        const check = await runOne(pool, { file: files[index]!, reportDirectory: reports[index]! });
        process.stdout.write(`${scenarioLine(check)}\n`);
        return check;
      }),
    );
  } finally {
    await pool.destroy();
  }

  mkdirSync(options.out, { recursive: true });
  writeSuiteOutputs(checks, outputs);
  if (options.shard !== undefined) {
    const { partialResult, partialResultFile, partialResultJson, shardInput } = await import('../partial-result.js');
    const partial = partialResult({
      command: 'check',
      shard: options.shard,
      inputs: files.map((file) => shardInput(file, readFileSync(file, 'utf8'), false)),
      settings: {},
      itemCount: files.length,
      items: share,
      results: checks,
      interrupted: false,
      // Where each scenario's report is, from the shard's directory: the merge copies them.
      extra: { reportDirectories: share.map((index) => relative(options.out, reports[index]!).split(sep).join('/')) },
    });
    writeFileAtomically(join(options.out, partialResultFile), partialResultJson(partial));
  }

  const passed = checks.filter((check) => check.verdict === 'pass').length;
  process.stdout.write(`${passed} of ${checks.length} pass in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall; ${outputs.junitFile}, ${outputs.markdownFile}\n`);
  for (const check of checks.filter((each) => each.verdict !== 'pass' && each.reproduce !== undefined)) process.stderr.write(`reproduce: ${check.reproduce}\n`);
  return suiteExitCode(checks);
}

/** One scenario on the pool: a thread that dies with it (out of memory, say) makes it an ERROR, not the suite's end. */
async function runOne(pool: Piscina<ScenarioCheckTask, ScenarioCheck>, task: ScenarioCheckTask): Promise<ScenarioCheck> {
  const startedAt = performance.now();
  try {
    return await pool.run(task);
  } catch (error) {
    return {
      file: task.file,
      name: basename(task.file, extname(task.file)),
      verdict: 'error',
      error: `the run's thread died: ${(error as Error).message}`,
      wallMs: performance.now() - startedAt,
      failedExpectations: [],
      violationCount: 0,
      violations: [],
      reproduce: `npx clustersim run ${task.file}`,
    };
  }
}

/**
 * Each scenario's report directory under `out`: its path relative to the scenarios' common
 * folder, without the extension, so that `a/x.yaml` and `b/x.yaml` do not share one. Where that
 * still meets another report (x.yaml beside x.yml, or a report folder that would hold another's),
 * the extension stays in the name.
 */
export function reportDirectories(files: readonly string[], out: string): string[] {
  const absolute = files.map((file) => resolve(file));
  const root = commonFolder(absolute.map((file) => dirname(file)));
  const withExtension = absolute.map((file) => relative(root, file).split(sep).join('/'));
  const plain = withExtension.map((path) => path.replace(scenarioExtensions, ''));
  const clashes = (path: string, index: number) =>
    plain.some((other, at) => at !== index && (other === path || other.startsWith(`${path}/`) || path.startsWith(`${other}/`)));
  return plain.map((path, index) => join(out, ...(clashes(path, index) ? withExtension[index]! : path).split('/')));
}

function commonFolder(folders: readonly string[]): string {
  let common = folders[0]!;
  for (const folder of folders) {
    while (common !== folder && !folder.startsWith(common.endsWith(sep) ? common : `${common}${sep}`)) common = dirname(common);
  }
  return common;
}

/** One line per scenario: verdict, key figures, wall time. */
export function scenarioLine(check: ScenarioCheck): string {
  const wall = `${(check.wallMs / 1000).toFixed(1)} s`;
  if (check.verdict === 'error' || check.figures === undefined) return `ERROR ${check.file}: ${(check.error ?? '').split('\n', 1)[0]} (${wall})`;
  const figures = check.figures;
  const status = check.verdict === 'pass' ? 'PASS ' : 'FAIL ';
  const parts = [
    `${figures.sessionsStarted} sessions`,
    `${figures.sessionsDropped} dropped`,
    `${figures.sessionsRejected} rejected`,
    `p99 ${formatDuration(figures.latencyP99Us)}`,
    `${check.violationCount} violations`,
  ];
  if (check.failedExpectations.length > 0) parts.push(`${check.failedExpectations.length} expectations failed`);
  if (check.stopped !== undefined) parts.push(`STOPPED by a limit: ${check.stopped}`);
  const details = [...check.failedExpectations.map((failed) => `\n      expectation ${failed.expectation}: ${failed.message}`), ...check.violations.slice(0, 3).map((line) => `\n      ${line}`)];
  return `${status}${check.name} (${check.file}): ${parts.join(', ')}; ${formatDuration(figures.virtualUs)} virtual in ${wall}${details.join('')}`;
}

/** The scenario files named, directories expanded (sorted, recursively); or why there are none. */
export function scenarioFiles(paths: readonly string[]): string[] | string {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) return `no such file or directory: ${path}`;
    if (statSync(path).isDirectory()) files.push(...filesUnder(path));
    else files.push(path);
  }
  if (files.length === 0) return `no scenario files (*.yaml, *.yml) in ${paths.join(', ')}`;
  return files;
}

function filesUnder(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else if (scenarioExtensions.test(entry.name)) found.push(path);
  }
  return found;
}
