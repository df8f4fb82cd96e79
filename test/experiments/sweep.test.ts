import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../sim/cli/main.js';
import { planSweep, SweepError } from '../../sim/experiments/sweep.js';
import { ScenarioError } from '../../sim/scenario/load.js';

const scenario = 'scenarios/quickstart.yaml';
const directory = mkdtempSync(join(tmpdir(), 'clustersim-sweep-'));
// Half a minute of the quickstart (without its maintenance steps, which come later), two threads
// per server: quick to sweep, and one node is overloaded at 40/s.
const swept = join(directory, 'quickstart-steady.yaml');
writeFileSync(swept, readFileSync(scenario, 'utf8').replace(/^timeline:\n(?: {2}.*\n)+/m, ''));
const grid = ['--param', 'duration=30s', '--param', 'cluster.server.threads=2', '--param', 'workload.http.rate=10/s,40/s', '--param', 'cluster.nodes.count=1..3'];
const question = 'min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 < 1s';

afterEach(() => {
  process.exitCode = 0;
});

async function sweep(out: string, ...extra: string[]): Promise<number | string | undefined> {
  await runCli(['sweep', swept, ...grid, '--seeds', '2', '--quiet', '--out', join(directory, out), ...extra]);
  return process.exitCode;
}

describe('planning a sweep', () => {
  it('builds and validates every grid point before running anything', () => {
    const plan = planSweep({ file: scenario, params: ['workload.http.rate=100/s..300/s:100/s', 'cluster.nodes.count=2,4'], seeds: 2 });
    expect(plan.points).toHaveLength(6);
    expect(plan.points.map((point) => [point.variant.loaded.scenario.workload.http!.rate.constant, point.variant.loaded.scenario.cluster.nodes.count])).toEqual([
      [100, 2],
      [100, 4],
      [200, 2],
      [200, 4],
      [300, 2],
      [300, 4],
    ]);
    expect(() => planSweep({ file: scenario, params: ['cluster.nodes.count=4,0'] })).toThrow(ScenarioError);
    expect(() => planSweep({ file: scenario, params: ['cluster.nodes.count=4', 'cluster.nodes.count=5'] })).toThrow(/given twice/);
    expect(() => planSweep({ file: scenario, params: [] })).toThrow(SweepError);
    expect(() => planSweep({ file: scenario, params: ['cluster.nodes.count=4'], find: 'min cluster.routers where sessions.dropped == 0' })).toThrow(/not a parameter of the sweep/);
  });

  it('reads the sweep: section of the scenario when no --param is given', () => {
    const file = join(directory, 'with-sweep.yaml');
    writeFileSync(file, `${readFileSync(scenario, 'utf8')}sweep:\n  params:\n    cluster.nodes.count: 2..4\n    workload.http.rate: [20/s, 40/s]\n  seeds: 4\n  find: ${question}\n`);
    const plan = planSweep({ file, params: [] });
    expect(plan.parameters.map((parameter) => [parameter.name, parameter.values])).toEqual([
      ['cluster.nodes.count', [2, 3, 4]],
      ['workload.http.rate', ['20/s', '40/s']],
    ]);
    expect(plan.seedsPerPoint).toBe(4);
    expect(plan.find?.parameter).toBe('cluster.nodes.count');
    // --param adds to the section, or replaces the parameter of the same path.
    const widened = planSweep({ file, params: ['workload.http.rate=60/s', 'cluster.routers=1,2'], seeds: 1 });
    expect(widened.parameters.map((parameter) => [parameter.name, parameter.values])).toEqual([
      ['cluster.nodes.count', [2, 3, 4]],
      ['workload.http.rate', ['60/s']],
      ['cluster.routers', [1, 2]],
    ]);
    expect(widened.seedsPerPoint).toBe(1);
    const bad = join(directory, 'bad-sweep.yaml');
    writeFileSync(bad, `${readFileSync(scenario, 'utf8')}sweep:\n  params:\n    cluster.nodes.count: 8..4\n`);
    expect(() => planSweep({ file: bad, params: [] })).toThrow(/bad-sweep.yaml:3\d:\d+: .*ends before it starts/);
  });
});

describe('clustersim sweep', () => {
  it('runs the grid, answers the capacity question and writes CSV, JSON and plots; worker threads give the same bytes', async () => {
    expect(await sweep('serial', '--jobs', '1', '--find', question)).toBe(0);
    const serial = join(directory, 'serial');
    const csv = readFileSync(join(serial, 'runs.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'point,duration,cluster.server.threads,workload.http.rate,cluster.nodes.count,seed,expectations,sessions.started,sessions.completed,sessions.dropped,sessions.rejected,sessions.http.completed,sessions.http.dropped,latency.http.p50Us,latency.http.p99Us,reproduce',
    );
    expect(csv).toHaveLength(1 + 6 * 2);
    const summary = JSON.parse(readFileSync(join(serial, 'summary.json'), 'utf8')) as {
      find: { answers: { others: Record<string, unknown>; value: unknown; tried: { value: number; seedsPassing: number; seeds: number }[] }[] };
      runs: { figures: Record<string, number> }[];
    };
    expect(summary.runs).toHaveLength(12);
    // More load needs more nodes; one node is never enough at 40/s.
    const [light, heavy] = summary.find.answers;
    expect(light!.others).toEqual({ 'workload.http.rate': '10/s' });
    expect(heavy!.others).toEqual({ 'workload.http.rate': '40/s' });
    expect(light!.value).toBe(1);
    expect(heavy!.value).toBe(2);
    expect(heavy!.tried.map(({ value, seedsPassing, seeds }) => ({ value, seedsPassing, seeds }))).toEqual([
      { value: 1, seedsPassing: 0, seeds: 2 },
      { value: 2, seedsPassing: 2, seeds: 2 },
      { value: 3, seedsPassing: 2, seeds: 2 },
    ]);
    const files = readdirSync(serial).sort();
    expect(files).toEqual(
      expect.arrayContaining(['index.html', 'latency-http-p99-vs-cluster-nodes-count.svg', 'sessions-dropped-vs-workload-http-rate.svg', 'variant-0.yaml', 'variant-5.yaml']),
    );
    // Parameters held at one value get no plot of their own.
    expect(files).not.toContain('sessions-dropped-vs-duration.svg');
    const html = readFileSync(join(serial, 'index.html'), 'utf8');
    expect(html).toContain('min cluster.nodes.count where sessions.dropped == 0 and latency.http.p99 &lt; 1s');
    // The page gives the seeds passing at every value, and how sure the answer is.
    expect(html).toContain('1: 0/2, 2: 2/2, 3: 2/2');
    expect(html).toContain('holds in 2 of 2 seeds: failure rate &lt; 78% at 95%');
    // Drops span orders of magnitude: a log axis. The question's limit is drawn. Node counts are whole: no slopes between them.
    const drops = readFileSync(join(serial, 'sessions-dropped-vs-cluster-nodes-count.svg'), 'utf8');
    expect(drops).toContain('dropped sessions (log scale)');
    expect(readFileSync(join(serial, 'latency-http-p99-vs-cluster-nodes-count.svg'), 'utf8')).toMatch(/class="threshold"[^>]*>.*limit: latency\.http\.p99 &lt; 1s/);
    expect(drops).toContain('class="mean"');
    expect(drops).not.toMatch(/<path d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+"[^>]*stroke-width="2"/);

    expect(await sweep('parallel', '--jobs', '2', '--find', question)).toBe(0);
    for (const name of ['runs.csv', 'latency-http-p99-vs-cluster-nodes-count.svg']) {
      expect(readFileSync(join(directory, 'parallel', name), 'utf8').replaceAll('parallel', 'serial'), name).toBe(readFileSync(join(serial, name), 'utf8'));
    }
  });

  it('a written variant reproduces its run with clustersim run', async () => {
    await runCli(['run', join(directory, 'serial', 'variant-5.yaml'), '--seed', '43', '--quiet', '--out', join(directory, 'reproduced')]);
    const reproduced = JSON.parse(readFileSync(join(directory, 'reproduced', 'summary.json'), 'utf8')) as { sessions: { started: number; dropped: number } };
    const row = readFileSync(join(directory, 'serial', 'runs.csv'), 'utf8').trim().split('\n').at(-1)!.split(',');
    expect(row.slice(5, 10)).toEqual(['43', expect.any(String), String(reproduced.sessions.started), expect.any(String), String(reproduced.sessions.dropped)]);
  });

  it('exits 2 on a bad parameter or question, writing nothing', async () => {
    expect(await sweep('bad1', '--param', 'cluster.nodes.count=0')).toBe(2);
    expect(await sweep('bad2', '--find', 'smallest cluster')).toBe(2);
    expect(readdirSync(directory)).not.toContain('bad1');
    expect(readdirSync(directory)).not.toContain('bad2');
  });
});

describe('the shipped capacity scenario', () => {
  it('holds its expectations at its own node count, and its sweep section asks the question', async () => {
    await runCli(['run', 'scenarios/capacity-rolling-maintenance.yaml', '--quiet', '--out', join(directory, 'capacity')]);
    expect(process.exitCode).toBe(0);
    const plan = planSweep({ file: 'scenarios/capacity-rolling-maintenance.yaml', params: [] });
    expect(plan.parameters.map((parameter) => parameter.name)).toEqual(['cluster.nodes.count']);
    expect(plan.find?.conditions).toEqual(['sessions.dropped == 0', 'latency.http.p99 < 300ms']);
  });
});
