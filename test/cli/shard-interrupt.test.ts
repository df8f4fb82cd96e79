import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeTinyScenario } from '../helpers/shards.js';

// Thousands of short runs: minutes of wall time, unless the signal stops them.
const scratch = mkdtempSync(join(tmpdir(), 'clustersim-experiment-interrupt-'));
const scenario = writeTinyScenario(scratch);
const baseline = join(scratch, 'baseline.yaml');
const candidate = join(scratch, 'candidate.yaml');
writeFileSync(baseline, 'cluster: { routers: 1 }\n');
writeFileSync(candidate, 'cluster: { routers: 2 }\n');

/** Starts the command, sends SIGTERM once its runs are under way, and waits for it to end. */
async function terminated(commandArguments: readonly string[]): Promise<{ exitCode: number | null; stderr: string; wallMs: number }> {
  const child = spawn(process.execPath, ['bin/clustersim.mjs', ...commandArguments], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<boolean>((done) => {
    child.stdout.on('data', () => done(true));
    child.once('exit', () => done(false));
  });
  if (!started) throw new Error(`it ended before it started: ${stderr}`);
  await new Promise((done) => setTimeout(done, 400));
  const sentAt = performance.now();
  child.kill('SIGTERM');
  // A command that ignored the signal would go on for minutes: it fails the test and is killed.
  const exitCode = await new Promise<number | null>((done) => {
    const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      done(code);
    });
  });
  return { exitCode, stderr, wallMs: performance.now() - sentAt };
}

describe('a sweep or comparison stopped by SIGTERM writes the report so far, marked incomplete', () => {
  it('sweep (runs in this thread): exit 143, summary.json incomplete, the runs done kept', async () => {
    const out = join(scratch, 'sweep');
    // Every seed of 1 node runs before any of 2 nodes: stopped within seconds, no run has 2 nodes.
    const question = 'max cluster.nodes.count where sessions.started >= 0';
    const result = await terminated(['sweep', scenario, '--param', 'cluster.nodes.count=1,2', '--seeds', '2000', '--find', question, '--jobs', '1', '--out', out]);
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.stderr).toContain('stopped by SIGTERM');
    expect(result.stderr).toContain('the report so far, marked incomplete');
    expect(result.wallMs).toBeLessThan(5_000);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean; incompleteReason: string; runsPlanned: number; runs: unknown[]; find: { answers: { value: number | null }[] } };
    // A value no seed ran at is no answer, though nothing failed there.
    expect(summary.find.answers[0]!.value).not.toBe(2);
    expect(summary).toMatchObject({ incomplete: true, incompleteReason: 'stopped by SIGTERM', runsPlanned: 4000 });
    expect(summary.runs.length).toBeGreaterThan(0);
    expect(summary.runs.length).toBeLessThan(4000);
    expect(readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n')).toHaveLength(summary.runs.length + 1);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('INCOMPLETE');
  });

  it('compare (runs on worker threads): exit 143, summary.json incomplete, the pairs done compared', async () => {
    const out = join(scratch, 'compare');
    const result = await terminated(['compare', scenario, '--baseline', baseline, '--candidate', candidate, '--seeds', '2000', '--jobs', '2', '--force-jobs', '--out', out]);
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.wallMs).toBeLessThan(5_000);
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean; incompleteReason: string; verdict: string; seeds: { baseline: number[]; candidate: number[] } };
    // The pairs done are compared, but a stopped comparison gives no verdict.
    expect(summary).toMatchObject({ incomplete: true, incompleteReason: 'stopped by SIGTERM', verdict: 'incomplete' });
    expect(summary.seeds.baseline.length).toBeLessThan(2000);
    expect(summary.seeds.candidate).toEqual(summary.seeds.baseline);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('INCOMPLETE');
  });

  it('a shard: exit 143, its runs kept and marked interrupted, and merge refuses it until it is run again', async () => {
    const out = join(scratch, 'shard');
    const result = await terminated(['sweep', scenario, '--param', 'cluster.nodes.count=1,2', '--seeds', '2000', '--jobs', '1', '--shard', '0/1', '--out', out]);
    expect(result.exitCode, result.stderr).toBe(143);
    expect(result.stderr).toContain('marked interrupted; run the shard again before merging');
    const partial = JSON.parse(readFileSync(join(out, 'shard.json'), 'utf8')) as { interrupted: boolean; items: number[]; itemCount: number };
    expect(partial.interrupted).toBe(true);
    expect(partial.items.length).toBeLessThan(partial.itemCount);
    const merged = await cli('merge', out, '--out', join(scratch, 'merged'));
    expect(merged.exitCode).toBe(2);
    expect(merged.stderr).toContain(`${out} (shard 0/1) was interrupted before its share was done: run that shard again`);
  });
});
