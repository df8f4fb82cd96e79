import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../reports/report.js';
import { runDistributed } from '../../sim/distributed/coordinator.js';
import { spawnLocalHosts, type LocalHosts } from '../../sim/distributed/spawn.js';
import type { Message } from '../../nodes/messages.js';
import { Simulation } from '../../sim/kernel/simulation.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { runScenario } from '../../sim/run/run.js';
import { parseScenario, ScenarioError } from '../../sim/scenario/load.js';
import { shippedScenarioFile, shortenedScenario } from './scenario-text.js';

/** Every record of an in-process run, in the order the collector receives them. */
function recordsInProcess(scenarioText: string): string[] {
  const topology = buildTopology(parseScenario(scenarioText, file));
  const lines: string[] = [];
  const simulation = new Simulation<Message, SimRecord>({
    seed: parseScenario(scenarioText, file).scenario.seed,
    actors: topology.actors,
    actorNames: topology.actorNames,
    network: topology.network,
    sink: { record: (timeUs, actor, record) => lines.push(`${timeUs} ${actor} ${JSON.stringify(record)}`) },
  });
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);
  simulation.runUntil(parseScenario(scenarioText, file).scenario.duration);
  return lines;
}

const file = shippedScenarioFile();
const text = shortenedScenario(file, '8s');
let hosts: LocalHosts;

beforeAll(async () => {
  hosts = await spawnLocalHosts(4);
});
afterAll(async () => {
  await hosts?.stop();
});

describe(`a run over node hosts is byte-identical to the run in-process (${file})`, () => {
  const inProcess = renderReport(runScenario(parseScenario(text, file)), []).files;

  for (const hostCount of [1, 2, 4]) {
    it(`on ${hostCount} host${hostCount === 1 ? '' : 's'}: summary.json and every SVG`, async () => {
      const result = await runDistributed(parseScenario(text, file), { hosts: hosts.addresses.slice(0, hostCount), scenarioText: text });
      const files = renderReport(result, []).files;
      expect([...files.keys()].sort()).toEqual([...inProcess.keys()].sort());
      for (const [name, content] of inProcess) expect(files.get(name), name).toBe(content);
      expect(result.eventsProcessed).toBeGreaterThan(3000);
      if (hostCount > 1) expect(result.exchange.crossHostItems).toBeGreaterThan(500);
    });
  }

  it('on 2 hosts the collector receives every record in the in-process order', async () => {
    const expected = recordsInProcess(text);
    const received: string[] = [];
    const result = await runDistributed(parseScenario(text, file), {
      hosts: hosts.addresses.slice(0, 2),
      scenarioText: text,
      recordSink: { record: (timeUs, actor, record) => received.push(`${timeUs} ${actor} ${JSON.stringify(record)}`) },
    });
    expect(result.exchange.crossHostItems).toBeGreaterThan(500);
    expect(received.length).toBe(expected.length);
    const firstDifference = received.findIndex((line, index) => line !== expected[index]);
    expect(firstDifference, `first record out of order: ${received[firstDifference]} instead of ${expected[firstDifference]}`).toBe(-1);
  });

  it('another seed on hosts gives another summary (the comparison can fail)', async () => {
    const result = await runDistributed(parseScenario(text, file), { hosts: hosts.addresses.slice(0, 1), scenarioText: text, seed: 7 });
    expect(renderReport(result, []).files.get('summary.json')).not.toBe(inProcess.get('summary.json'));
  });

  it('refuses a network that allows zero latency between hosts, pointing at network', async () => {
    const zero = text.replace(/\n\s*minLatency: \S+/, '');
    const run = runDistributed(parseScenario(zero, file), { hosts: hosts.addresses.slice(0, 2), scenarioText: zero });
    await expect(run).rejects.toThrow(ScenarioError);
    await expect(run).rejects.toThrow(/minimum latency between hosts.*network\.minLatency.* at network$/);
  });
});
