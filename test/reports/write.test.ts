import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canExchange } from '../../reports/rename-exchange.js';
import { checkOutputDirectory, OutputError, writeFileAtomically, writeReportFiles } from '../../reports/write.js';

// The compiled writer (dist/, rebuilt before the tests): a writer process starts in a fraction of tsx's time.
const compiledWriter = pathToFileURL(resolve('dist/reports/write.js')).href;
const scratch = () => mkdtempSync(join(tmpdir(), 'clustersim-write-'));
const report = (version: string, extra: Record<string, string> = {}) =>
  new Map(Object.entries({ 'sessions.svg': `<svg>${version}</svg>`, 'index.html': `<p>${version}</p>`, 'summary.json': `{"version":"${version}"}`, ...extra }));

function contents(directory: string): Record<string, string> {
  return Object.fromEntries(readdirSync(directory).sort().map((name) => [name, readFileSync(join(directory, name), 'utf8')]));
}

describe('writing a report', () => {
  it('writes every file, and a new report replaces the old one whole (no stale files)', () => {
    const out = join(scratch(), 'out', 'run');
    writeReportFiles(out, report('1', { 'old-chart.svg': '<svg/>' }));
    expect(contents(out)['summary.json']).toBe('{"version":"1"}');
    writeReportFiles(out, report('2'));
    expect(contents(out)).toEqual({ 'index.html': '<p>2</p>', 'sessions.svg': '<svg>2</svg>', 'summary.json': '{"version":"2"}' });
  });

  it('refuses a directory that is not a clustersim report, and leaves it alone', () => {
    const out = scratch();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(() => writeReportFiles(out, report('1'))).toThrow(/not empty and holds no clustersim report/);
    expect(contents(out)).toEqual({ 'notes.txt': 'mine' });
  });

  it('refuses a path that is a file, and the current directory', () => {
    const file = join(scratch(), 'file');
    writeFileSync(file, 'x');
    expect(() => checkOutputDirectory(file)).toThrow(/it is a file/);
    expect(() => checkOutputDirectory('.')).toThrow(OutputError);
    expect(() => checkOutputDirectory(resolve('..'))).toThrow(/current directory/);
  });

  it('accepts an empty directory and a missing one', () => {
    const parent = scratch();
    mkdirSync(join(parent, 'empty'));
    expect(() => checkOutputDirectory(join(parent, 'empty'))).not.toThrow();
    expect(() => checkOutputDirectory(join(parent, 'missing'))).not.toThrow();
  });

  it('a failure half-way through leaves the previous report as it was, and no temporary files', () => {
    const parent = scratch();
    const out = join(parent, 'run');
    writeReportFiles(out, report('1'));
    const before = contents(out);
    const failing = report('2');
    let reads = 0;
    failing.get = (name: string) => {
      if (++reads === 2) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      return Map.prototype.get.call(failing, name) as string | undefined;
    };
    expect(() => writeReportFiles(out, failing)).toThrow('cannot write the report to');
    expect(contents(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('writeFileAtomically leaves the old file whole when writing fails', () => {
    const directory = scratch();
    const path = join(directory, 'summary.json');
    writeFileAtomically(path, 'old');
    expect(() => writeFileAtomically(path, 123 as unknown as string)).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(directory)).toEqual(['summary.json']);
  });

  it('the leftovers of a killed writer are tidied up, and an old report it had moved aside comes back', () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const parent = scratch();
    const out = join(parent, 'run');
    mkdirSync(join(parent, `.run.partial-${deadPid}`));
    writeFileSync(join(parent, `.run.partial-${deadPid}`, 'summary.json'), 'half');
    mkdirSync(join(parent, `.run.previous-${deadPid}`));
    writeFileSync(join(parent, `.run.previous-${deadPid}`, 'summary.json'), '{"version":"old"}');
    mkdirSync(join(parent, `.other.partial-${deadPid}`));
    writeReportFiles(out, report('new'));
    expect(contents(out)['summary.json']).toBe('{"version":"new"}');
    expect(readdirSync(parent).sort()).toEqual([`.other.partial-${deadPid}`, 'run']);
    // Restored first, then replaced: the old report was whole until the new one took its place.
    const restoredParent = scratch();
    mkdirSync(join(restoredParent, `.run.previous-${deadPid}`));
    writeFileSync(join(restoredParent, `.run.previous-${deadPid}`, 'summary.json'), '{"version":"old"}');
    expect(() => writeReportFiles(join(restoredParent, 'run'), new Map([['summary.json', 7 as unknown as string]]))).toThrow(OutputError);
    expect(contents(join(restoredParent, 'run'))).toEqual({ 'summary.json': '{"version":"old"}' });
  });

  it('a process killed at any moment while writing leaves the old report or the new one, never a mix', async () => {
    const parent = scratch();
    const out = join(parent, 'run');
    // The compiled module (dist/, rebuilt before the tests): plain node starts in a fraction of the
    // time tsx takes, so the kills below land while reports are being written even on a busy machine.
    const writer = join(parent, 'writer.mjs');
    // Reports of a few MB, each file stamped with its version, written one after another; the
    // writer says when each is in place, so every kill lands after at least one whole report.
    writeFileSync(
      writer,
      `import { writeReportFiles } from ${JSON.stringify(compiledWriter)};
const padding = 'x'.repeat(2_000_000);
for (let version = 1; ; version++) {
  const stamp = String(version);
  writeReportFiles(${JSON.stringify(out)}, new Map([['sessions.svg', stamp + padding], ['index.html', stamp + padding], ['summary.json', stamp + padding]]));
  process.stdout.write(stamp + '\\n');
}
`,
    );
    const wholeReport = (directory: string): string => {
      const files = contents(directory);
      expect(Object.keys(files)).toEqual(['index.html', 'sessions.svg', 'summary.json']);
      const versions = new Set(Object.values(files).map((content) => content.slice(0, content.indexOf('x'))));
      expect(versions.size, `files of different reports: ${[...versions].join(', ')}`).toBe(1);
      for (const content of Object.values(files)) expect(content.length).toBeGreaterThan(2_000_000);
      return [...versions][0]!;
    };
    const versionsSeen = new Set<string>();
    // Kills at different points of a write: right after a report is in place, and later into the next.
    for (const delayMs of [0, 3, 15, 60]) {
      const child = spawn(process.execPath, [writer], { stdio: ['ignore', 'pipe', 'ignore'] });
      await new Promise<void>((done) => child.stdout.once('data', () => done()));
      if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((done) => child.once('exit', done));
      if (existsSync(out)) versionsSeen.add(wholeReport(out));
      else {
        // Killed between its two renames: the old report waits aside, whole, for the next writer to bring it back.
        const aside = readdirSync(parent).filter((entry) => entry.startsWith('.run.previous-'));
        expect(aside).toHaveLength(1);
        versionsSeen.add(wholeReport(join(parent, aside[0]!)));
      }
    }
    expect(versionsSeen.size).toBeGreaterThan(0);
  });

  it('two writers of one directory at once: the last report stays whole, and nothing is left aside', async () => {
    const parent = scratch();
    const out = join(parent, 'run');
    const writer = join(parent, 'writer.mjs');
    writeFileSync(
      writer,
      `import { writeReportFiles } from ${JSON.stringify(compiledWriter)};
const padding = 'x'.repeat(200_000);
for (let round = 0; round < 40; round++) writeReportFiles(${JSON.stringify(out)}, new Map([['index.html', process.argv[2] + padding], ['summary.json', process.argv[2] + padding]]));
`,
    );
    const writers = ['a', 'b'].map((name) => spawn(process.execPath, [writer, name], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const results = await Promise.all(
      writers.map(
        (child) =>
          new Promise<{ code: number | null; stderr: string }>((done) => {
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.once('exit', (code) => done({ code, stderr }));
          }),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(parent).sort()).toEqual(['run', 'writer.mjs']);
    const files = contents(out);
    expect(new Set(Object.values(files).map((content) => content[0])).size).toBe(1);
  });

  it('a reader finds a whole report at every instant while one replaces another (the two are swapped in one step)', async () => {
    expect(canExchange, 'the rename-exchange addon is built on install (npm run native)').toBe(true);
    const parent = scratch();
    const out = join(parent, 'run');
    writeReportFiles(out, report('0'));
    const writer = join(parent, 'writer.mjs');
    writeFileSync(
      writer,
      `import { writeReportFiles } from ${JSON.stringify(compiledWriter)};
for (let version = 1; version <= 300; version++) writeReportFiles(${JSON.stringify(out)}, new Map([['index.html', String(version)], ['summary.json', String(version)]]));
`,
    );
    const child = spawn(process.execPath, [writer], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    let looks = 0;
    let missing = 0;
    const versions = new Set<string>();
    while (!exited) {
      for (let index = 0; index < 200; index++) {
        looks++;
        try {
          versions.add(readFileSync(join(out, 'summary.json'), 'utf8'));
        } catch {
          missing++;
        }
      }
      await new Promise((done) => setImmediate(done));
    }
    expect(child.exitCode).toBe(0);
    expect(missing, `${missing} of ${looks} looks found no report`).toBe(0);
    // The reader did look while reports were being replaced.
    expect(versions.size).toBeGreaterThan(2);
    expect(readdirSync(parent).sort()).toEqual(['run', 'writer.mjs']);
  });
});
