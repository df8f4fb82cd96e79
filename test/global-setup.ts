import { spawnSync } from 'node:child_process';

// Tests that start bin/clustersim.mjs run the compiled build (dist/). It is rebuilt here, before
// any test, so that they never test a stale build: however the tests are started (npm test,
// npx vitest run FILE, an editor), and the build only rewrites the modules that changed (~1 s).
export default function buildCompiledCommand(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the compiled build (scripts/build.mjs) failed:\n${build.stderr}`);
}
