import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomically } from '../../../reports/write.js';
import type { ScenarioCheck, ScenarioCheckTask } from '../../run/check-scenario.js';
import { formatDuration } from '../../scenario/units.js';
import { exitCodes, type CommandResult } from '../exit-codes.js';

interface CheckOptions {
  out: string;
  jobs?: number;
  junit?: string;
  markdown?: string;
}

const scenarioExtensions = /\.ya?ml$/;

export function registerCheckCommand(program: Command, setResult: CommandResult): void {
  program
    .command('check')
    .description('run a suite of scenarios on worker threads; exit 0 only if every one passes')
    .argument('[paths...]', 'scenario files, or directories of them', ['scenarios'])
    .option('--out <dir>', 'where the reports go, one directory per scenario', join('out', 'check'))
    .option('--jobs <n>', 'scenarios run at once (default: the CPUs, at most the scenarios)', parseJobs)
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
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), files.length));
  process.stdout.write(`clustersim check: ${files.length} scenario${files.length === 1 ? '' : 's'}, ${jobs} at once\n`);
  const startedAt = performance.now();
  // The pool and the suite's reports load when a check is asked for; the workers load the simulator.
  const [{ Piscina }, { junitXml }, { suiteMarkdown }] = await Promise.all([
    import('piscina'),
    import('../../../reports/junit.js'),
    import('../../../reports/suite-markdown.js'),
  ]);
  const pool = new Piscina<ScenarioCheckTask, ScenarioCheck>({
    filename: new URL('../check-worker.mjs', import.meta.url).href,
    minThreads: jobs,
    maxThreads: jobs,
  });
  let checks: ScenarioCheck[];
  try {
    checks = await Promise.all(
      files.map(async (file) => {
        const check = await pool.run({ file, outDirectory: options.out });
        process.stdout.write(`${scenarioLine(check)}\n`);
        return check;
      }),
    );
  } finally {
    await pool.destroy();
  }

  mkdirSync(options.out, { recursive: true });
  const junitFile = options.junit ?? join(options.out, 'junit.xml');
  const markdownFile = options.markdown ?? join(options.out, 'summary.md');
  const markdown = suiteMarkdown(checks);
  writeFileAtomically(junitFile, junitXml(checks));
  writeFileAtomically(markdownFile, markdown);
  const stepSummary = process.env['GITHUB_STEP_SUMMARY'];
  if (stepSummary !== undefined && stepSummary !== '') appendFileSync(stepSummary, markdown);

  const passed = checks.filter((check) => check.verdict === 'pass').length;
  process.stdout.write(`${passed} of ${checks.length} pass in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall; ${junitFile}, ${markdownFile}\n`);
  for (const check of checks.filter((each) => each.verdict !== 'pass' && each.reproduce !== undefined)) process.stderr.write(`reproduce: ${check.reproduce}\n`);
  if (checks.some((check) => check.verdict === 'error')) return exitCodes.usage;
  return passed === checks.length ? exitCodes.pass : exitCodes.fail;
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

function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new InvalidArgumentError('jobs is a whole number from 1 to 256');
  return jobs;
}
