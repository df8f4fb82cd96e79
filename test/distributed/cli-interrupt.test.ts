import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shortenedScenario } from './scenario-text.js';

// The quickstart made long: on hosts it would run for hours of wall time.
const directory = mkdtempSync(join(tmpdir(), 'clustersim-hosts-interrupt-'));
const longScenario = join(directory, 'long.yaml');
writeFileSync(longScenario, readFileSync('scenarios/quickstart.yaml', 'utf8').replace('duration: 10m', 'duration: 24h'));
const shortScenario = join(directory, 'short.yaml');
writeFileSync(shortScenario, shortenedScenario('scenarios/quickstart.yaml', '2s'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

interface Outcome {
  exitCode: number | null;
  stderr: string;
  /** Wall time from the signal to the exit. */
  wallMs: number;
}

/** Runs `clustersim run ...`, sends `signal` once `ready()` holds, and waits for the exit. */
async function interruptedRun(args: string[], signal: NodeJS.Signals, ready: (coordinator: ChildProcess) => Promise<void>): Promise<Outcome> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the run ended (${code}) before the signal: ${stderr}`))));
  exited.catch(() => undefined);
  await Promise.race([ready(child), exited]);
  const sentAt = performance.now();
  child.kill(signal);
  // A run that ignored the signal would go on for hours: it fails the test and is killed.
  const exitCode = await new Promise<number | null>((done) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      done(code);
    });
  });
  return { exitCode, stderr, wallMs: performance.now() - sentAt };
}

/** Resolves once `condition` holds, looking every 200 ms; fails after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((line) => line.trim() !== '').map(Number);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const summaryOf = (out: string) =>
  JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean; incompleteReason: string; stoppedAtUs: number; durationUs: number; verdict: string; sessions: { started: number } };

/** A `clustersim host` process; resolves with its address and a log of what it said. */
async function startHost(): Promise<{ address: string; log: () => string }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', 'host', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(() => /listening on \S+/.test(stdout), 'a node host to listen');
  return { address: /listening on (\S+)/.exec(stdout)![1]!, log: () => stderr };
}

describe('a run over node hosts stopped by a signal writes the report so far, marked incomplete', () => {
  it('--spawn-hosts 2, SIGINT: exit code 130, summary.json says incomplete, the spawned hosts are stopped', async () => {
    const out = join(directory, 'spawned');
    let hosts: number[] = [];
    const result = await interruptedRun([longScenario, '--out', out, '--spawn-hosts', '2'], 'SIGINT', async (coordinator) => {
      await until(() => childrenOf(coordinator.pid!).length === 2, 'two spawned hosts');
      hosts = childrenOf(coordinator.pid!);
      // Time to start and run a little; a signal during set-up is handled the same way.
      await new Promise((resolve) => setTimeout(resolve, 5000));
    });
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).toContain('interrupted by SIGINT (Ctrl-C)');
    expect(result.stderr).toContain('the report so far, marked incomplete');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Generous: the hosts are stopped one by one on a machine that may be busy.
    expect(result.wallMs).toBeLessThan(60_000);
    expect(summaryOf(out)).toMatchObject({ incomplete: true, incompleteReason: 'interrupted by SIGINT (Ctrl-C)', verdict: 'fail' });
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('INCOMPLETE');
    for (const pid of hosts) expect(isAlive(pid), `spawned host ${pid}`).toBe(false);
  });

  it('SIGTERM while the spawned hosts start: exit code 143 without waiting for them, a report of nothing run, no host left', async () => {
    const out = join(directory, 'starting');
    let hosts: number[] = [];
    const result = await interruptedRun([longScenario, '--out', out, '--spawn-hosts', '2'], 'SIGTERM', async (coordinator) => {
      // The hosts take seconds to load: they are still starting.
      await until(() => childrenOf(coordinator.pid!).length === 2, 'two spawned hosts');
      hosts = childrenOf(coordinator.pid!);
    });
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.wallMs).toBeLessThan(30_000);
    expect(summaryOf(out)).toMatchObject({ incomplete: true, incompleteReason: 'stopped by SIGTERM', stoppedAtUs: 0 });
    for (const pid of hosts) expect(isAlive(pid), `spawned host ${pid}`).toBe(false);
  });

  it('--hosts, SIGTERM: exit code 143, the report of the run so far, and the hosts serve the next run', async () => {
    const hosts = [await startHost(), await startHost()];
    const addresses = hosts.map((host) => host.address).join(',');
    const out = join(directory, 'connected');
    const result = await interruptedRun([longScenario, '--out', out, '--hosts', addresses], 'SIGTERM', async () => {
      await until(() => hosts.every((host) => host.log().includes('run of ')), 'both hosts to take the run');
      await new Promise((resolve) => setTimeout(resolve, 3000));
    });
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.stderr).toContain('stopped by SIGTERM');
    expect(result.wallMs).toBeLessThan(60_000);
    const summary = summaryOf(out);
    expect(summary).toMatchObject({ incomplete: true, incompleteReason: 'stopped by SIGTERM', verdict: 'fail' });
    expect(summary.stoppedAtUs).toBeGreaterThan(0);
    expect(summary.stoppedAtUs).toBeLessThan(summary.durationUs);
    expect(summary.sessions.started).toBeGreaterThan(0);
    // Freed: the same hosts take the next run.
    const next = spawn(process.execPath, ['bin/clustersim.mjs', 'run', shortScenario, '--out', join(directory, 'next'), '--quiet', '--hosts', addresses], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    next.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => next.once('exit', done));
    expect(code, stderr).toBe(0);
  });
});
