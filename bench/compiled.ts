/**
 * The code a user runs, for the benchmark to measure: the compiled build in dist/ (what
 * bin/clustersim.mjs loads), rather than the TypeScript sources through tsx. (The two ran the
 * M/M/c scenario and the showcase in the same processor time within the noise here: V8 inlines
 * the getters tsx makes of imported bindings. The build is measured because it is what ships.)
 * Also the revision before the work on the cost of a request (`buildBaselineRevision`),
 * extracted with `git archive`, generated and built apart, so that a figure can be measured
 * against it in the same run.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { runScenario } from '../sim/run/run.js';
import type { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';

/** The last revision before requests got cheaper (issue 27). */
export const buildBaselineRevision = '4eb84da';

/** What the benchmark calls of a compiled build. */
export interface CompiledBuild {
  runScenario: typeof runScenario;
  parseScenario: typeof parseScenario;
  loadScenarioFile: typeof loadScenarioFile;
}

/** Builds `tree` (only files whose source changed are written) and imports its compiled modules. */
export async function compiledBuild(tree = resolve('.')): Promise<CompiledBuild> {
  execSync('node scripts/build.mjs', { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
  const compiled = (path: string) => import(pathToFileURL(join(tree, 'dist', path)).href);
  const [run, load] = await Promise.all([compiled('sim/run/run.js'), compiled('sim/scenario/load.js')]);
  return { runScenario: run.runScenario, parseScenario: load.parseScenario, loadScenarioFile: load.loadScenarioFile };
}

/**
 * The baseline revision's tree, with this tree's node_modules (the same dependencies) and its own
 * generated protos, kept in the temporary directory so that later benchmarks reuse it.
 */
export function baselineTree(root = resolve('.')): string {
  const directory = join(tmpdir(), `clustersim-bench-baseline-${buildBaselineRevision}`);
  const modules = join(directory, 'node_modules');
  if (existsSync(join(directory, 'gen', 'clustersim'))) {
    // A tree kept from an earlier benchmark may link to a checkout that is gone (existsSync follows the link).
    if (!existsSync(modules)) {
      rmSync(modules, { force: true });
      symlinkSync(join(root, 'node_modules'), modules);
    }
    return directory;
  }
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  execSync(`git archive --format=tar ${buildBaselineRevision} | tar -x -C ${JSON.stringify(directory)}`, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(root, 'node_modules'), modules);
  execSync('npx buf generate', { cwd: directory, stdio: ['ignore', 'ignore', 'inherit'] });
  return directory;
}
