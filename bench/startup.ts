/**
 * Start-up of the command: `clustersim --version`, a run of a 1-second scenario and `clustersim
 * check` over the baseline's shipped suite, as shipped (the compiled build in dist/) against `node -e 0`, and
 * against the revision before the compiled build (`baselineRevision`: bin/ loaded the TypeScript
 * sources through tsx, and every module at start), extracted with `git archive`, installed, and
 * measured in the same run. Runs are interleaved so that the machine's load falls on both alike; the figures
 * are medians. `node --import tsx bench/startup.ts [--quick]` runs this section alone.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** The last revision whose command ran the sources through tsx. */
export const baselineRevision = 'dd31f86';

export interface StartupFigures {
  runs: number;
  checkRuns: number;
  /** Medians in milliseconds. */
  nodeMs: number;
  versionMs: number;
  runMs: number;
  checkMs: number;
  baseline: { versionMs: number; runMs: number; checkMs: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Wall time of one command, which must succeed. */
function timed(args: readonly string[], cwd: string): number {
  const startedAt = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - startedAt;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} (in ${cwd}) exited with ${child.status ?? child.signal}: ${child.stderr.slice(-500)}`);
  return elapsed;
}

/**
 * The baseline revision's tree, installed from its own lockfile (its dependencies differ: d3-node
 * and jsdom), kept under node_modules/.cache/ so that later benchmarks reuse it.
 */
function baselineTree(root: string): string {
  const directory = join(root, 'node_modules', '.cache', `clustersim-baseline-${baselineRevision}`);
  if (existsSync(join(directory, 'gen', 'clustersim'))) return directory;
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  execSync(`git archive --format=tar ${baselineRevision} | tar -x -C ${JSON.stringify(directory)}`, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // npm ci runs its prepare script, which generates gen/.
  execSync('npm ci --no-audit --no-fund --loglevel=error', { cwd: directory, stdio: ['ignore', 'ignore', 'inherit'] });
  return directory;
}

export function measureStartup(options: { runs: number; checkRuns: number }): StartupFigures {
  const root = resolve('.');
  const baseline = baselineTree(root);
  const scratch = mkdtempSync(join(tmpdir(), 'clustersim-startup-'));
  try {
    // The quickstart cut to one virtual second (without its timeline, whose steps come later and
    // would be an error): what is left is start-up, loading and the report.
    const oneSecond = join(scratch, 'one-second.yaml');
    const quickstart = readFileSync('scenarios/quickstart.yaml', 'utf8');
    writeFileSync(oneSecond, quickstart.replace(/^duration: .*$/m, 'duration: 1s').replace(/^timeline:\n(?: +.*\n)*/m, ''));
    const command = (tree: string, ...args: string[]) => [join(tree, 'bin', 'clustersim.mjs'), ...args];
    const samples = { node: [] as number[], version: [] as number[], run: [] as number[], baseVersion: [] as number[], baseRun: [] as number[] };
    for (let index = 0; index <= options.runs; index++) {
      const node = timed(['-e', '0'], root);
      const version = timed(command(root, '--version'), root);
      const baseVersion = timed(command(baseline, '--version'), root);
      const run = timed(command(root, 'run', oneSecond, '--quiet', '--out', join(scratch, 'run')), root);
      const baseRun = timed(command(baseline, 'run', oneSecond, '--quiet', '--out', join(scratch, 'base-run')), root);
      if (index === 0) continue; // warm-up: file system caches, tsx's transform cache
      samples.node.push(node);
      samples.version.push(version);
      samples.baseVersion.push(baseVersion);
      samples.run.push(run);
      samples.baseRun.push(baseRun);
    }
    // Both check the suite the baseline shipped: today's suite has sections the baseline never knew.
    const suite = join(baseline, 'scenarios');
    const check: number[] = [];
    const baseCheck: number[] = [];
    for (let index = 0; index < options.checkRuns; index++) {
      check.push(timed(command(root, 'check', suite, '--out', join(scratch, 'check')), root));
      baseCheck.push(timed(command(baseline, 'check', suite, '--out', join(scratch, 'base-check')), root));
    }
    return {
      runs: options.runs,
      checkRuns: options.checkRuns,
      nodeMs: median(samples.node),
      versionMs: median(samples.version),
      runMs: median(samples.run),
      checkMs: median(check),
      baseline: { versionMs: median(samples.baseVersion), runMs: median(samples.baseRun), checkMs: median(baseCheck) },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  console.log(JSON.stringify(measureStartup({ runs: quick ? 5 : 9, checkRuns: quick ? 1 : 3 }), null, 2));
}
