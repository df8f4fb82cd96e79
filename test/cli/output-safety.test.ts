import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { cli } from '../helpers/cli.js';

// Hostile output paths: nothing of the user's may be lost, and a path that cannot be written is
// refused before the run, with exit code 2 and a message naming the path and the cause.
const scratch = mkdtempSync(join(tmpdir(), 'clustersim-output-'));
const tiny = join(scratch, 'tiny.yaml');
writeFileSync(tiny, 'name: tiny\nduration: 1s\ncluster:\n  nodes: { count: 1, servers: 1 }\nworkload:\n  http: { rate: 1/s, service: { constant: 1ms } }\n');
const overlay = join(scratch, 'overlay.yaml');
writeFileSync(overlay, 'routing: { maxAttempts: 2 }\n');

afterEach(() => {
  process.exitCode = undefined;
});

/** A working directory holding a user's files, which no output path may touch. */
function userDirectory(): string {
  const directory = mkdtempSync(join(scratch, 'user-'));
  writeFileSync(join(directory, 'notes.txt'), 'mine');
  mkdirSync(join(directory, 'src'));
  writeFileSync(join(directory, 'src', 'app.ts'), 'export {}');
  return directory;
}

const listing = (directory: string) => readdirSync(directory, { recursive: true }).map(String).sort();

describe('an unsafe --out is refused before anything runs, and the user keeps every file', () => {
  const commands: [string, string[]][] = [
    ['run', ['run', tiny, '--quiet']],
    ['sweep', ['sweep', tiny, '--param', 'cluster.nodes.count=1,2', '--seeds', '1', '--jobs', '1', '--quiet']],
    ['compare', ['compare', tiny, '--baseline', overlay, '--candidate', overlay, '--seeds', '2', '--jobs', '1', '--quiet']],
  ];
  it.each(commands)('%s', async (_name, argv) => {
    const home = userDirectory();
    const original = process.cwd();
    process.chdir(home);
    try {
      const before = listing(home);
      const unsafe = fc.constantFrom('', ' ', '.', './', '..', home, resolve(home, '..'), '/', join(home, 'src', '..'));
      await fc.assert(
        fc.asyncProperty(unsafe, async (out) => {
          const result = await cli(...argv, '--out', out);
          expect(result.exitCode, result.stderr).toBe(2);
          expect(result.stderr).toMatch(/refusing to write the report/);
          expect(result.stderr).not.toMatch(/\n\s+at /);
          expect(listing(home)).toEqual(before);
          expect(readFileSync(join(home, 'notes.txt'), 'utf8')).toBe('mine');
        }),
        { numRuns: 12, seed: 29 },
      );
    } finally {
      process.chdir(original);
    }
  });

  it('a path whose parent is a file, or a directory of the user: refused with the path and the cause', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    const throughFile = await cli('run', tiny, '--quiet', '--out', join(file, 'report'));
    expect(throughFile.exitCode).toBe(2);
    expect(throughFile.stderr).toContain(`${file} is a file, not a directory`);
    const home = userDirectory();
    const intoUserFiles = await cli('run', tiny, '--quiet', '--out', join(home, 'src'));
    expect(intoUserFiles.exitCode).toBe(2);
    expect(intoUserFiles.stderr).toMatch(/not empty and holds no clustersim report/);
    expect(readFileSync(join(home, 'src', 'app.ts'), 'utf8')).toBe('export {}');
  });
});

describe('places that cannot take a report', () => {
  it('a mount point, and file systems where nothing can be made: refused before the run with the cause', async () => {
    const cases: [string, RegExp][] = [
      ['/dev/shm', /\/dev\/shm: it is a mount point, which cannot be replaced; name a directory inside it/],
      ['/proc/clustersim-report', /\/proc is not writable \(no directory can be made there\)/],
      ['/sys/clustersim-report', /\/sys is not writable \(/],
    ];
    for (const [out, message] of cases) {
      const result = await cli('run', tiny, '--quiet', '--out', out);
      expect(result.exitCode, out).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('check: its outputs are checked before the suite runs', () => {
  it('--out that is a file, and --junit that is a directory: exit 2, no scenario run', async () => {
    const file = join(scratch, 'check-out-file');
    writeFileSync(file, 'x');
    for (const argv of [
      ['check', tiny, '--out', file],
      ['check', tiny, '--out', join(scratch, 'check-a'), '--junit', scratch],
      ['check', tiny, '--out', join(scratch, 'check-b'), '--markdown', join(file, 'summary.md')],
      ['check', tiny, '--out', ''],
    ]) {
      const result = await cli(...argv);
      expect(result.exitCode, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^clustersim: refusing to write/);
      expect(result.stdout).not.toContain('clustersim check:');
    }
  });

  it('--junit in a folder that does not exist yet: the folder is made', async () => {
    const junit = join(scratch, 'ci', 'results', 'junit.xml');
    const result = await cli('check', tiny, '--out', join(scratch, 'check-c'), '--junit', junit);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(junit, 'utf8')).toContain('<testcase');
  });

  it('scenarios of the same file name in different folders get a report each, named by their path', async () => {
    const suite = mkdtempSync(join(scratch, 'suite-'));
    const text = readFileSync(tiny, 'utf8');
    mkdirSync(join(suite, 'a'));
    mkdirSync(join(suite, 'b'));
    writeFileSync(join(suite, 'a', 'x.yaml'), text.replace('name: tiny', 'name: ax'));
    writeFileSync(join(suite, 'b', 'x.yaml'), text.replace('name: tiny', 'name: bx'));
    writeFileSync(join(suite, 'a.yaml'), text.replace('name: tiny', 'name: a'));
    const out = join(scratch, 'check-collide');
    const code = await main(['check', suite, '--out', out, '--jobs', '2']);
    expect(code).toBe(0);
    const names = (folder: string) => (JSON.parse(readFileSync(join(out, folder, 'summary.json'), 'utf8')) as { scenario: { name: string } }).scenario.name;
    expect(names(join('b', 'x'))).toBe('bx');
    // a.yaml would hold a/x's report folder: both keep their extension.
    expect(names('a.yaml')).toBe('a');
    expect(names(join('a', 'x.yaml'))).toBe('ax');
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/classname="[^"]*"/g)!.length).toBe(3);
    expect(new Set(junit.match(/classname="[^"]*"/g)).size).toBe(3);
  });

  it('a scenario stopped by a limit says so on its line', async () => {
    const limited = join(scratch, 'limited.yaml');
    writeFileSync(limited, `${readFileSync(tiny, 'utf8').replace('rate: 1/s', 'rate: 500/s')}limits: { maxEvents: 200 }\n`);
    const result = await cli('check', limited, '--out', join(scratch, 'check-limited'));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/FAIL tiny .*STOPPED by a limit: the run exceeded limits.maxEvents: more than 200 events/);
  });
});
