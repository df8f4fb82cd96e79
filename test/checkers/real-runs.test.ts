import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { MaintenanceMode, ServerState, type Request } from '../../nodes/messages.js';
import { AppServer } from '../../nodes/server/app-server.js';
import { renderReport } from '../../reports/report.js';
import { main } from '../../sim/cli/main.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

const directory = mkdtempSync(join(tmpdir(), 'clustersim-checkers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const scenarioText = `
name: keep-affinity-window
seed: 11
duration: 60s
cluster: { nodes: { count: 2, servers: 2 } }
workload:
  http: { rate: 30/s, requests: { uniform: { min: 3, max: 8 } }, thinkTime: { exponential: 1s }, service: { lognormal: { median: 10ms, p99: 80ms } } }
timeline:
  - at: 20s
    maintenance: { server: node1/app-1, mode: affinity }
  - at: 40s
    maintenance: { server: node1/app-1, exit: true }
expect:
  - sessions.http.dropped == 0
`;

/** A regression: the server refuses every request while in maintenance, the keep-affinity mode ignored. */
function breakKeepAffinity(): void {
  const prototype = AppServer.prototype as unknown as { admissionRefusal(request: Request): string | undefined };
  const original = prototype.admissionRefusal;
  vi.spyOn(prototype, 'admissionRefusal').mockImplementation(function (this: AppServer, request: Request) {
    if (this.state === ServerState.MAINTENANCE && this.mode === MaintenanceMode.AFFINITY) return 'maintenance';
    return original.call(this, request);
  });
}

describe('checkers on real runs', () => {
  it('the real router and servers keep every invariant through keep-affinity maintenance', () => {
    const result = runScenario(parseScenario(scenarioText, 'keep-affinity-window.yaml'));
    expect(result.checks.violations).toEqual([]);
    expect(result.checks.rules).toContain('keep-affinity');
    expect(result.checks.notes['sessions-open-at-end']).toBeGreaterThan(0);
    const summary = renderReport(result, []).summary;
    expect(summary.protocols['http']!.requests.routedToMaintenance).toBeGreaterThan(0);
  });

  it('a server that refuses its existing sessions in keep-affinity maintenance is caught, with time, actor and session', () => {
    breakKeepAffinity();
    const result = runScenario(parseScenario(scenarioText, 'keep-affinity-window.yaml'));
    expect(result.checks.violationCount).toBeGreaterThan(0);
    expect(Object.keys(result.checks.violationsByRule)).toEqual(['keep-affinity']);
    const first = result.checks.violations[0]!;
    expect(first).toMatchObject({ rule: 'keep-affinity', actor: 'node1/app-1', detail: expect.stringContaining('refused (maintenance)') });
    expect(first.timeUs).toBeGreaterThanOrEqual(20_000_000);
    expect(first.timeUs).toBeLessThan(40_000_000);
    expect(first.session).toBeGreaterThan(0);
    expect(first.request).toBeGreaterThan(0);
    expect(renderReport(result, []).verdict).toBe('fail');
  });

  it('a violation makes `clustersim run` exit 1, print it and the command that reproduces the run', async () => {
    breakKeepAffinity();
    const file = join(directory, 'keep-affinity-window.yaml');
    writeFileSync(file, scenarioText);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const code = await main(['run', file, '--out', join(directory, 'out')]);
    expect(code).toBe(1);
    const text = out.join('');
    expect(text).toMatch(/violation at [\d.]+s: \[keep-affinity\] node1\/app-1 session \d+ request \d+: http request refused \(maintenance\)/);
    expect(text).toContain(`reproduce: npx clustersim run ${file} --seed 11`);
    const summary = JSON.parse(readFileSync(join(directory, 'out', 'summary.json'), 'utf8'));
    expect(summary.verdict).toBe('fail');
    expect(summary.violations.count).toBeGreaterThan(0);
    expect(summary.violations.first[0]).toMatchObject({ rule: 'keep-affinity', actor: 'node1/app-1' });
  });
});
