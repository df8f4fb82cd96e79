import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MaintenanceMode, Protocol, ServerState } from '../../nodes/messages.js';
import { renderReport } from '../../reports/report.js';
import { main } from '../../sim/cli/main.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { scenarioText } from './keep-affinity-window.js';

// A regression in the maintenance rules: keep-affinity maintenance treated like break, so the
// sessions a server holds are refused there (by the server, or dropped by the router first).
vi.mock('../../nodes/server/maintenance-rules.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../nodes/server/maintenance-rules.js')>();
  return {
    ...original,
    maintenanceRefusal: (...args: Parameters<typeof original.maintenanceRefusal>) => {
      const [state, mode, request] = args;
      if (state === ServerState.MAINTENANCE && mode === MaintenanceMode.AFFINITY && !request.maintenanceOnly && request.protocol !== Protocol.JMS) return 'maintenance';
      return original.maintenanceRefusal(...args);
    },
  };
});

const directory = mkdtempSync(join(tmpdir(), 'clustersim-regression-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a regression in the maintenance rules is caught', () => {
  it('by the keep-affinity checker, with time, actor and session', () => {
    const result = runScenario(parseScenario(scenarioText, 'keep-affinity-window.yaml'));
    expect(result.checks.violationCount).toBeGreaterThan(0);
    expect(Object.keys(result.checks.violationsByRule)).toEqual(['keep-affinity']);
    const first = result.checks.violations[0]!;
    expect(first).toMatchObject({ rule: 'keep-affinity', actor: 'node1/app-1', detail: expect.stringContaining('(maintenance)') });
    expect(first.timeUs).toBeGreaterThanOrEqual(20_000_000);
    expect(first.timeUs).toBeLessThan(40_000_000);
    expect(first.session).toBeGreaterThan(0);
    expect(renderReport(result, []).verdict).toBe('fail');
  });

  it('and makes `clustersim run` exit 1, print the violation and the command that reproduces the run', async () => {
    const file = join(directory, 'keep-affinity-window.yaml');
    writeFileSync(file, scenarioText);
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    let code: number;
    try {
      code = await main(['run', file, '--out', join(directory, 'out'), '--quiet']);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(code).toBe(1);
    const text = out.join('');
    expect(text).toContain(`reproduce: npx clustersim run ${file} --seed 11`);
    const summary = JSON.parse(readFileSync(join(directory, 'out', 'summary.json'), 'utf8'));
    expect(summary.verdict).toBe('fail');
    expect(summary.violations.count).toBeGreaterThan(0);
    expect(summary.violations.first[0]).toMatchObject({ rule: 'keep-affinity', actor: 'node1/app-1' });
  });
});
