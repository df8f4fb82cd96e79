import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  check,
  compare,
  explore,
  LimitError,
  loadScenario,
  run,
  RunStoppedError,
  ScenarioError,
  shippedScenario,
  sweep,
} from '../../sim/index.js';

const cell = 'test/library/cell.yaml';
const leastLoaded = { routing: { policy: './policies/least-loaded.ts' } };
const scratch = mkdtempSync(join(tmpdir(), 'clustersim-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the package API', () => {
  it('runs a scenario without writing a file, and its result is what summary.json holds', async () => {
    // A name of this process's own: where `clustersim run` would write its report by default.
    const name = `library-cell-${process.pid}`;
    const named = await run(cell, { overlays: [{ name }] });
    expect(named.verdict).toBe('pass');
    expect(existsSync(join('out', name))).toBe(false);
    const summary = await run(cell);
    expect(summary.sessions.started).toBeGreaterThan(100);
    const out = join(scratch, 'run');
    const written = await run(cell, { out });
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(written)));
    expect(written).toEqual(summary);
  });

  it('takes a seed and overlays, and tells bad input by its place', async () => {
    const other = await run(cell, { seed: 6, overlays: [{ workload: { http: { rate: '20/s' } } }] });
    expect(other.seed).toBe(6);
    expect(other.sessions.started).toBeGreaterThan(250);
    const bad = (() => {
      try {
        loadScenario(cell, { overlays: [{ cluster: { nodes: { count: 0 } } }] });
      } catch (error) {
        return error;
      }
    })();
    expect(bad).toBeInstanceOf(ScenarioError);
    expect((bad as ScenarioError).problems[0]).toMatchObject({ file: cell, line: 6, path: 'cluster.nodes.count' });
    expect((bad as ScenarioError).problems[0]!.message).toMatch(/overlay 1/);
    expect(() => loadScenario('test/library/no-such.yaml')).toThrow(
      /^test\/library\/no-such\.yaml: cannot read the scenario: no such file$/,
    );
  });

  it('throws a LimitError, with the summary so far, when a bound of limits: is exceeded', async () => {
    const stopped = await run(cell, { overlays: [{ limits: { maxEvents: 2000 } }] }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(LimitError);
    expect((stopped as LimitError).limit).toBe('maxEvents');
    expect((stopped as LimitError).summary.incomplete).toBe(true);
  });

  it('throws a RunStoppedError when its signal aborts', async () => {
    const stopped = await run(cell, { signal: AbortSignal.abort('test over') }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(RunStoppedError);
    expect(stopped).not.toBeInstanceOf(LimitError);
    expect((stopped as RunStoppedError).stop).toMatchObject({ cause: 'interrupted', reason: 'test over' });
  });

  it('sweeps and explores as the commands do', async () => {
    const swept = await sweep(cell, { params: ['workload.http.rate=5/s,15/s'], seeds: 1 });
    expect(swept.runs.map((entry) => entry.values)).toEqual([['5/s'], ['15/s']]);
    const started = swept.runs.map((entry) => entry.outcome.summary['sessions'] as { started: number });
    expect(started[1]!.started).toBeGreaterThan(started[0]!.started * 2);
    const explored = await explore(shippedScenario('explore-cell'), { runs: 2, seed: 3 });
    expect(explored.runs.map((entry) => entry.index)).toEqual([0, 1]);
    expect(explored.seed).toBe(3);
  });

  it('runs a routing policy module named relative to the scenario, in-process and deterministically', async () => {
    const first = await run(cell, { overlays: [leastLoaded] });
    const second = await run(loadScenario(cell, { overlays: [leastLoaded] }));
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const builtIn = await run(cell);
    // The policy keeps sessions on their servers too, but places new ones its own way.
    expect(first.sessions.dropped).toBe(0);
    expect(JSON.stringify(first.servers)).not.toBe(JSON.stringify(builtIn.servers));
  });

  it('stops a run whose policy module throws, and refuses a module without choose()', async () => {
    const stopped = await run(cell, { overlays: [{ routing: { policy: './policies/throws.ts' } }] }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(RunStoppedError);
    expect((stopped as RunStoppedError).stop.cause).toBe('routing-policy');
    expect((stopped as RunStoppedError).stop.reason).toMatch(
      /^routing policy \.\/policies\/throws\.ts threw for odr1 at virtual time .*: no capacity table for this cluster$/,
    );
    await expect(run(cell, { overlays: [{ routing: { policy: './policies/no-choose.ts' } }] })).rejects.toThrow(
      /cell\.yaml:\d+:\d+: the routing policy module \.\/policies\/no-choose\.ts has no default export with a choose\(question, random\) function at routing\.policy$/,
    );
  });

  it('compares a baseline and a candidate policy on the same seeds', async () => {
    const result = await compare(cell, { baseline: {}, candidate: leastLoaded, seeds: 2, tolerances: ['sessions.dropped<=0'] });
    expect(result.sameArrivalsInEveryPair).toBe(true);
    expect(result.figures.find((figure) => figure.figure === 'sessions.dropped')?.verdict).toBe('ok');
    expect(result.worse).toBe(false);
  });

  it('checks a suite without writing reports unless asked', async () => {
    const checks = await check([cell, 'test/library/missing-policy.yaml']);
    expect(checks.map((entry) => [entry.name, entry.verdict, entry.reportDirectory])).toEqual([
      ['library-cell', 'pass', undefined],
      ['missing-policy', 'error', undefined],
    ]);
    expect(checks[1]!.error).toMatch(/missing-policy\.yaml:8:\d+: the routing policy module \.\/policies\/not-there\.ts does not exist/);
    const out = join(scratch, 'check');
    expect((await check(cell, { out }))[0]!.reportDirectory).toBe(join(out, 'cell'));
    expect(existsSync(join(out, 'cell', 'summary.json'))).toBe(true);
  });

  it('finds the scenarios that ship with the package', () => {
    expect(loadScenario(shippedScenario('quickstart')).scenario.name).toBe('quickstart');
    expect(() => shippedScenario('no-such-scenario')).toThrow(/no shipped scenario named no-such-scenario/);
  });
});
