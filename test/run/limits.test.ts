import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

const quickstart = readFileSync('scenarios/quickstart.yaml', 'utf8');
const withLimits = (limits: string) => `${quickstart}limits: { ${limits} }\n`;

describe('runaway scenarios stop at their limits with a partial report', () => {
  it('the defaults let the shipped scenario run to its end', () => {
    const result = runScenario(parseScenario(quickstart));
    expect(result.stopped).toBeUndefined();
    expect(renderReport(result, []).summary.incomplete).toBeUndefined();
  });

  it('maxEvents: the run stops right after the limit, and the summary says why', () => {
    const result = runScenario(parseScenario(withLimits('maxEvents: 5000')));
    expect(result.stopped).toMatchObject({ cause: 'limit', limit: 'maxEvents' });
    expect(result.eventsProcessed).toBeGreaterThan(5000);
    expect(result.eventsProcessed).toBeLessThan(5100);
    const { summary, verdict } = renderReport(result, []);
    expect(summary).toMatchObject({ incomplete: true, stoppedAtUs: result.stopped!.atUs });
    expect(summary.incompleteReason).toContain('limits.maxEvents: more than 5,000 events');
    expect(verdict).toBe('fail');
    expect(result.stopped!.atUs).toBeLessThan(10_000_000);
  });

  it('events that keep coming at one instant are stopped too (the run never returns otherwise)', () => {
    const loaded = parseScenario(withLimits('maxEvents: 20000'));
    loaded.scenario.routing.loadReportInterval = 0; // refused in a file; forced here to make a storm at one instant
    const result = runScenario(loaded);
    expect(result.stopped).toMatchObject({ cause: 'limit', limit: 'maxEvents', atUs: 0 });
    expect(result.eventsProcessed).toBe(20_001);
  });

  it('maxOpenSessions: counted over the sessions started and not ended', () => {
    const result = runScenario(parseScenario(withLimits('maxOpenSessions: 50')));
    expect(result.stopped).toMatchObject({ cause: 'limit', limit: 'maxOpenSessions' });
    const { sessions } = renderReport(result, []).summary;
    expect(sessions.open).toBe(51);
  });

  it('a stopped run is deterministic: same limit, same partial summary', () => {
    const once = () => renderReport(runScenario(parseScenario(withLimits('maxEvents: 20000'))), []).files.get('summary.json');
    expect(once()).toBe(once());
  });

  it('maxHeapMb: a scenario that would exhaust memory stops with a clear error and exit code 1, not a crash', () => {
    const directory = mkdtempSync(join(tmpdir(), 'clustersim-limits-'));
    const file = join(directory, 'runaway.yaml');
    writeFileSync(
      file,
      `name: runaway
duration: 1h
cluster:
  nodes: { count: 2, servers: 2 }
  server: { threads: 1000, queue: 100000 }
workload:
  http: { rate: 20000/s, requests: 100, thinkTime: { constant: 10m }, service: { constant: 1ms } }
limits: { maxOpenSessions: 100000000, maxHeapMb: 80 }
`,
    );
    const out = join(directory, 'out');
    const result = spawnSync(process.execPath, ['--max-old-space-size=192', 'bin/clustersim.mjs', 'run', file, '--out', out], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain('the run exceeded limits.maxHeapMb');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { incomplete: boolean; incompleteReason: string; verdict: string };
    expect(summary).toMatchObject({ incomplete: true, verdict: 'fail' });
    expect(summary.incompleteReason).toContain('maxHeapMb');
  });

  it('limits are checked by the schema', () => {
    expect(() => parseScenario(withLimits('maxEvents: 0'))).toThrow('must be at least 1, got 0');
    expect(() => parseScenario(withLimits('maxHeap: 100'))).toThrow('did you mean "maxHeapMb"');
  });
});
