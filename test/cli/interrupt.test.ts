import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The quickstart scenario made long: it would run for minutes of wall time.
const directory = mkdtempSync(join(tmpdir(), 'clustersim-interrupt-'));
const longScenario = join(directory, 'long.yaml');
writeFileSync(longScenario, readFileSync('scenarios/quickstart.yaml', 'utf8').replace('duration: 10m', 'duration: 24h'));

/** Starts a run, sends `signal` once the run is under way, and waits for the process to end. */
async function interruptedRun(signal: NodeJS.Signals, out: string): Promise<{ exitCode: number | null; stdout: string; stderr: string; wallMs: number }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', 'run', longScenario, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<boolean>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('running ')) done(true);
    });
    child.once('exit', () => done(false));
  });
  if (!started) throw new Error(`the run ended before it started: ${stderr}`);
  await new Promise((done) => setTimeout(done, 500));
  const sentAt = performance.now();
  child.kill(signal);
  // A run that ignored the signal would go on for minutes: it fails the test and is killed.
  const exitCode = await new Promise<number | null>((done) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      done(code);
    });
  });
  return { exitCode, stdout, stderr, wallMs: performance.now() - sentAt };
}

describe('a run stopped by a signal writes the report so far, marked incomplete', () => {
  for (const [signal, exitCode, reason] of [
    ['SIGINT', 130, 'interrupted by SIGINT (Ctrl-C)'],
    ['SIGTERM', 143, 'stopped by SIGTERM'],
  ] as const) {
    it(`${signal}: exit code ${exitCode}, summary.json says incomplete and why`, async () => {
      const out = join(directory, signal);
      const result = await interruptedRun(signal, out);
      expect(result.exitCode, result.stderr).toBe(exitCode);
      expect(result.stderr).toContain(reason);
      expect(result.stderr).toContain('the report so far, marked incomplete');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.wallMs).toBeLessThan(5_000);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean; incompleteReason: string; stoppedAtUs: number; durationUs: number; verdict: string; sessions: { started: number } };
      expect(summary).toMatchObject({ incomplete: true, incompleteReason: reason, verdict: 'fail' });
      expect(summary.stoppedAtUs).toBeGreaterThan(0);
      expect(summary.stoppedAtUs).toBeLessThan(summary.durationUs);
      expect(summary.sessions.started).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('INCOMPLETE');
    });
  }
});

/** Starts a run and sends two signals `gapMs` apart once it is under way (timeout tools signal the process, then its group). */
async function doublySignalledRun(first: NodeJS.Signals, second: NodeJS.Signals, gapMs: number, out: string): Promise<{ exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', 'run', longScenario, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = '';
  await new Promise<void>((done) => child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), stdout.includes('running ') && done())));
  await new Promise((done) => setTimeout(done, 300));
  child.kill(first);
  if (gapMs > 0) await new Promise((done) => setTimeout(done, gapMs));
  child.kill(second);
  const exitCode = await new Promise<number | null>((done) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      done(code);
    });
  });
  return { exitCode, stderr };
}

describe('a second signal within the grace period, or any second SIGTERM, keeps the report', () => {
  for (const [first, second, gapMs, exitCode] of [
    ['SIGTERM', 'SIGTERM', 0, 143],
    ['SIGTERM', 'SIGTERM', 5, 143],
    ['SIGINT', 'SIGINT', 2, 130],
    ['SIGINT', 'SIGTERM', 0, 130],
  ] as const) {
    it(`${first} then ${second} ${gapMs} ms later`, async () => {
      const out = join(directory, `${first}-${second}-${gapMs}`);
      const result = await doublySignalledRun(first, second, gapMs, out);
      expect(result.exitCode, result.stderr).toBe(exitCode);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean };
      expect(summary.incomplete).toBe(true);
    });
  }
});
