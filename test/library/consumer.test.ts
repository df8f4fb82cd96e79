// clustersim as a consumer gets it: packed with `npm pack`, installed into a copy of
// examples/policy-module in a temporary directory, whose own vitest test then runs a shipped
// scenario through the example's policy module with `compare`.
//
// Offline and quick: the tarball is unpacked into node_modules/clustersim as npm installs it
// (its files, its bin linked), and every other package (clustersim's dependencies, vitest, tsx)
// is a link to the repository's node_modules, so nothing is fetched from a registry.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const repository = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'clustersim-consumer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: readonly string[], cwd: string): string {
  const done = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${done.status}):\n${done.stdout}\n${done.stderr}`);
  return done.stdout;
}

it('installs from its packed tarball, and the example project tests its policy with it', () => {
  // The declarations come with `npm run build:types` (and so with `npm ci`); the tests' own rebuild makes the modules only.
  if (!existsSync(join(repository, 'dist', 'sim', 'index.d.ts')))
    run(process.execPath, ['scripts/build.mjs', '--types', '--quiet'], repository);
  // --ignore-scripts: dist/ is already built, and the prepare script (protos, addon, build) is slow.
  const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repository)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const files = packed[0]!.files.map((file) => file.path);
  expect(files).toEqual(
    expect.arrayContaining([
      'bin/clustersim.mjs',
      'dist/sim/index.js',
      'dist/sim/index.d.ts',
      'dist/sim/api/run.d.ts',
      'dist/sim/cli/main.js',
      'dist/vendor/zod.js',
      'scenarios/quickstart.yaml',
      'package.json',
    ]),
  );
  expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  expect(files.filter((file) => file.startsWith('test/') || file.startsWith('native/'))).toEqual([]);

  const example = join(scratch, 'example');
  cpSync(join(repository, 'examples', 'policy-module'), example, { recursive: true, filter: (source) => !source.includes('node_modules') });
  const modules = join(example, 'node_modules');
  mkdirSync(join(modules, 'clustersim'), { recursive: true });
  for (const entry of readdirSync(join(repository, 'node_modules'))) {
    if (entry === 'clustersim' || entry.startsWith('.')) continue;
    symlinkSync(join(repository, 'node_modules', entry), join(modules, entry));
  }
  run('tar', ['-xzf', join(scratch, packed[0]!.filename), '-C', join(modules, 'clustersim'), '--strip-components=1'], example);
  mkdirSync(join(modules, '.bin'));
  symlinkSync('../clustersim/bin/clustersim.mjs', join(modules, '.bin', 'clustersim'));

  const output = run(process.execPath, [join(modules, 'vitest', 'vitest.mjs'), 'run'], example);
  expect(output).toMatch(/Tests\s+2 passed \(2\)/);
  // The command as installed checks the team's own policy, a .ts file, through the consumer's tsx.
  const policyCheck = run(
    process.execPath,
    [join(modules, '.bin', 'clustersim'), 'policy-check', './policies/least-loaded.ts', '--questions', '20'],
    example,
  );
  expect(policyCheck).toMatch(/^\.\/policies\/least-loaded\.ts: PASS \(20 questions/);
});
