import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'clustersim-cli-'));
const tiny = join(scratch, 'tiny.yaml');
writeFileSync(tiny, 'name: tiny\nduration: 1s\ncluster:\n  nodes: { count: 1, servers: 1 }\nworkload:\n  http: { rate: 1/s, service: { constant: 1ms } }\n');

afterEach(() => {
  process.exitCode = undefined;
});

describe('user errors on the command line: a clear message, exit code 2, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['run', tiny, '--sed', '3'], /unknown option '--sed'/],
    ['an unknown command', ['rnu', tiny], /unknown command 'rnu'/],
    ['a missing scenario argument', ['run'], /missing required argument 'scenario'/],
    ['a scenario file that does not exist', ['run', join(scratch, 'nope.yaml')], /nope\.yaml: cannot read the scenario: no such file/],
    ['sweep of a scenario file that does not exist', ['sweep', join(scratch, 'nope.yaml')], /nope\.yaml: cannot read the scenario: no such file/],
    ['compare of a scenario file that does not exist', ['compare', join(scratch, 'nope.yaml'), '--baseline', tiny, '--candidate', tiny], /nope\.yaml: cannot read the scenario: no such file/],
    ['sweep of a directory', ['sweep', scratch], /is a directory: give a scenario file/],
    ['a directory given as the scenario', ['run', scratch], /is a directory: give a scenario file/],
    ['a path through a file', ['run', join(tiny, 'x.yaml')], /a part of the path is a file/],
    ['a seed that is not a number', ['run', tiny, '--seed', 'abc'], /argument 'abc' is invalid\. a seed is a whole number/],
    ['a negative seed', ['run', tiny, '--seed', '-1'], /a seed is a whole number/],
    ['a seed too large', ['run', tiny, '--seed', '4294967296'], /a seed is a whole number/],
    ['--out naming a file', ['run', tiny, '--out', tiny], /it is a file, not a directory/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const result = await cli(...argv);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('an unreadable scenario file', async () => {
    if (process.getuid?.() === 0) return; // root reads every file
    const file = join(scratch, 'locked.yaml');
    writeFileSync(file, 'name: x\n');
    chmodSync(file, 0o000);
    const result = await cli('run', file);
    expect(result).toMatchObject({ exitCode: 2 });
    expect(result.stderr).toContain('permission denied');
  });

  it('--out naming a directory that is not a report: refused before the run, and left as it was', async () => {
    const mine = join(scratch, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.tex'), 'precious');
    const result = await cli('run', tiny, '--out', mine);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`refusing to write the report to ${mine}: it is not empty and holds no clustersim report`);
    expect(result.stdout).not.toContain('running');
    expect(readdirSync(mine)).toEqual(['thesis.tex']);
  });

  it('--out naming an earlier report replaces it', async () => {
    const out = join(scratch, 'report');
    expect((await cli('run', tiny, '--out', out, '--quiet')).exitCode).toBe(0);
    expect((await cli('run', tiny, '--out', out, '--quiet')).exitCode).toBe(0);
    expect(readdirSync(out)).toContain('summary.json');
  });

  it('the installed command behaves the same: exit code 2 and one line, no stack trace', () => {
    const result = spawnSync(process.execPath, ['bin/clustersim.mjs', 'run', scratch], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`clustersim: ${scratch}: is a directory: give a scenario file (YAML)`);
  });
});
