import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ServerState, type Message, type NodeContext } from '../../nodes/messages.js';
import { renderReport } from '../../reports/report.js';
import { checkScenario } from '../../sim/run/check-scenario.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario } from '../../sim/scenario/load.js';

// A planted regression, switched on per test: a messaging engine that no longer sends JMS to
// servers in maintenance (it takes their load reports as if they had stopped). It never refuses
// anything and no server refuses it: only the flow itself tells.
const plant = vi.hoisted(() => ({ skipMaintenance: false }));
vi.mock('../../nodes/messaging/messaging-engine.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../nodes/messaging/messaging-engine.js')>();
  class EngineSkippingMaintenance extends original.MessagingEngine {
    override onMessage(message: Message, context: NodeContext): void {
      if (plant.skipMaintenance && message.$case === 'loadReport' && message.value.state === ServerState.MAINTENANCE) {
        return super.onMessage({ $case: 'loadReport', value: { ...message.value, state: ServerState.STOPPED } }, context);
      }
      super.onMessage(message, context);
    }
  }
  return { ...original, MessagingEngine: EngineSkippingMaintenance };
});

/** Three servers under HTTP and JMS; node1/app-1 is in break maintenance from 30 s to 90 s. */
const scenarioText = `
name: jms-to-maintenance
seed: 4
duration: 2m
cluster: { nodes: { count: 3, servers: 1 } }
workload:
  http: { rate: 20/s, requests: 4, thinkTime: { exponential: 1s }, service: { constant: 10ms } }
  jms: { rate: 30/s, service: { constant: 5ms } }
timeline:
  - { at: 30s, maintenance: { server: node1/app-1, mode: break } }
  - { at: 90s, maintenance: { server: node1/app-1, exit: true } }
expect:
  - sessions.jms.dropped == 0
`;

const outDirectory = mkdtempSync(join(tmpdir(), 'clustersim-jms-flows-'));
afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));

function run(skipMaintenance: boolean, text = scenarioText) {
  plant.skipMaintenance = skipMaintenance;
  try {
    return runScenario(parseScenario(text, 'jms-to-maintenance.yaml'));
  } finally {
    plant.skipMaintenance = false;
  }
}

describe('jms-flows watches the flow of JMS to servers in maintenance', () => {
  it('the real messaging engine keeps sending a server in maintenance its share', () => {
    const result = run(false);
    expect(renderReport(result, []).summary.protocols['jms']!.requests.routedToMaintenance).toBeGreaterThan(400);
    expect(result.checks.violations).toEqual([]);
  });

  it('an engine that skips servers in maintenance is caught, though nothing was refused', () => {
    const result = run(true);
    expect(renderReport(result, []).summary.protocols['jms']!.sessions.dropped).toBe(0);
    expect(result.checks.violationsByRule).toEqual({ 'jms-flows': 1 });
    expect(result.checks.violations[0]).toMatchObject({ timeUs: 90_000_000, rule: 'jms-flows', actor: 'node1/app-1', detail: expect.stringMatching(/^got \d+ JMS messages in maintenance from 30s to 90s/) });
  });

  it('and fails the shipped break-mode scenario under `clustersim check`', () => {
    plant.skipMaintenance = true;
    try {
      const check = checkScenario({ file: 'scenarios/maintenance-break.yaml', reportDirectory: join(outDirectory, 'maintenance-break') });
      expect(check.verdict).toBe('fail');
      expect(check.violations).toEqual([expect.stringMatching(/^\[jms-flows\] node1\/app-1: got \d+ JMS messages in maintenance/)]);
    } finally {
      plant.skipMaintenance = false;
    }
  });
});
