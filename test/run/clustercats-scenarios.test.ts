import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../nodes/messages.js';
import { RequestKind, ServerState } from '../../nodes/messages.js';
import { renderReport } from '../../reports/report.js';
import { Simulation } from '../../sim/kernel/simulation.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { evaluateExpectations } from '../../sim/run/expectations.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../../sim/scenario/load.js';

interface Timed {
  timeUs: number;
  actor: string;
  record: SimRecord;
}

/** Runs a scenario and keeps its records, in canonical order. */
function recordsOf(loaded: LoadedScenario): Timed[] {
  const topology = buildTopology(loaded, loaded.scenario.seed);
  const kept: Timed[] = [];
  const simulation = new Simulation<Message, SimRecord>({
    seed: loaded.scenario.seed,
    actors: topology.actors,
    actorNames: topology.actorNames,
    network: topology.network,
    sink: { record: (timeUs, actor, record) => kept.push({ timeUs, actor: topology.actorNames[actor]!, record }) },
  });
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);
  simulation.runUntil(loaded.scenario.duration);
  return kept;
}

function failedExpectations(file: string): string[] {
  const loaded = loadScenarioFile(file);
  const summary = renderReport(runScenario(loaded), []).summary;
  return evaluateExpectations(loaded.scenario.expect, summary).filter((result) => !result.passed).map((result) => result.message);
}

describe('shipped ClusterCATS scenarios hold their expectations', () => {
  it.each(['maintenance', 'short-drain', 'crash-during-drain', 'partition'])('clustercats-%s', (name) => {
    expect(failedExpectations(`scenarios/clustercats-${name}.yaml`)).toEqual([]);
  });
});

describe('the maintenance procedure, step by step', () => {
  const records = recordsOf(loadScenarioFile('scenarios/clustercats-maintenance.yaml'));
  const node1 = 'node1/app-1';

  it('with the peak threshold at 0% no new user lands on node1', () => {
    const opened = records.filter(({ timeUs, actor, record }) => actor === node1 && timeUs >= 120_000_000 && timeUs < 510_000_000 && record.type === 'accepted' && record.kind === RequestKind.OPEN);
    expect(opened).toEqual([]);
    const before = records.filter(({ timeUs, actor, record }) => actor === node1 && timeUs < 120_000_000 && record.type === 'accepted' && record.kind === RequestKind.OPEN);
    expect(before.length).toBeGreaterThan(100);
  });

  it('node1 fails over at the end of its drain, and its address comes back only after Running and the threshold restored', () => {
    const address = records.filter(({ record }) => record.type === 'address-owner' && record.address === '10.0.0.1' && record.reason !== 'start');
    const steps = address.map(({ actor, record }) => (record.type === 'address-owner' ? `${record.change} ${actor} ${record.reason}` : ''));
    expect(steps[0]).toBe('release node1/app-1 failover');
    expect(steps[1]).toMatch(/^acquire node[234]\/app-1 failover$/);
    expect(steps[2]).toMatch(/^release node[234]\/app-1 give-back$/);
    expect(steps[3]).toBe('acquire node1/app-1 give-back');
    const drainEnd = records.find(({ record }) => record.type === 'drain-ended')!;
    expect(address[0]!.timeUs).toBe(drainEnd.timeUs);
    const running = records.find(({ timeUs, actor, record }) => actor === node1 && timeUs >= 480_000_000 && record.type === 'server-state' && record.state === ServerState.MAINTENANCE)!;
    const restored = records.find(({ timeUs, actor, record }) => actor === node1 && timeUs >= 480_000_000 && record.type === 'threshold' && record.peakPercent === 90)!;
    expect(running.timeUs).toBe(480_000_000);
    expect(restored.timeUs).toBe(510_000_000);
    expect(address[3]!.timeUs).toBeGreaterThan(restored.timeUs);
    expect(address[3]!.timeUs - restored.timeUs).toBeLessThan(10_000);
  });
});

describe('a drain-down period that is too short', () => {
  const records = recordsOf(loadScenarioFile('scenarios/clustercats-short-drain.yaml'));

  it('ends exactly at its deadline and every session still open is dropped with cause drain-expired', () => {
    const started = records.find(({ record }) => record.type === 'drain-started')!;
    const ended = records.find(({ record }) => record.type === 'drain-ended')!;
    expect(started.record.type === 'drain-started' && ended.timeUs).toBe(started.record.type === 'drain-started' ? started.record.deadlineUs : -1);
    const cut = ended.record.type === 'drain-ended' ? ended.record.openSessions : -1;
    const dropped = records.filter(({ record }) => record.type === 'session-ended' && record.cause === 'drain-expired');
    expect(cut).toBeGreaterThan(50);
    expect(dropped).toHaveLength(cut);
  });
});

describe('a crash of the member that is draining', () => {
  it('ends its drain: no drain-deadline violation, the crash is counted as a fault', () => {
    const text = readFileSync('scenarios/clustercats-crash-during-drain.yaml', 'utf8').replace('crash: node3', 'crash: node1').replace('restart: node3', 'restart: node1');
    const result = runScenario(parseScenario(text, 'crash-of-the-draining-member'));
    expect(result.checks.violations.filter((violation) => violation.rule === 'drain-deadline')).toEqual([]);
    expect(renderReport(result, []).summary.faults.injected).toEqual({ crash: 1, restart: 1 });
  });
});

describe('a partition of the interconnect', () => {
  const records = recordsOf(loadScenarioFile('scenarios/clustercats-partition.yaml'));

  it('makes false suspicions and two live members claim one address; healing restores one owner each', () => {
    const owners = new Map<string, Set<string>>();
    let maxOwners = 0;
    for (const { actor, record } of records) {
      if (record.type !== 'address-owner') continue;
      const set = owners.get(record.address) ?? new Set<string>();
      owners.set(record.address, set);
      if (record.change === 'acquire') set.add(actor);
      else set.delete(actor);
      maxOwners = Math.max(maxOwners, set.size);
    }
    expect(maxOwners).toBe(2);
    expect([...owners.values()].map((set) => set.size)).toEqual([1, 1, 1]);
    const suspicions = records.filter(({ record }) => record.type === 'suspicion' && record.suspected);
    expect(suspicions.length).toBeGreaterThan(0);
    expect(suspicions.every(({ record }) => record.type === 'suspicion' && !record.correct)).toBe(true);
  });

  it('is deterministic: the same seed gives the same summary bytes', () => {
    const run = () => renderReport(runScenario(loadScenarioFile('scenarios/clustercats-partition.yaml')), []).files.get('summary.json');
    expect(run()).toBe(run());
  });
});

describe('fault injection on the WebSphere topology', () => {
  const scenario = (timeline: string) =>
    parseScenario(`
name: faults
seed: 4
duration: 3m
cluster: { nodes: { count: 3, servers: 1 }, server: { threads: 20 }, routers: 2 }
workload:
  http: { rate: 20/s, requests: 5, thinkTime: { exponential: 2s }, service: { constant: 20ms }, timeout: 5s }
timeline:
${timeline}
`);
  const summaryOf = (timeline: string) => renderReport(runScenario(scenario(timeline)), []).summary;

  it('a node crash loses work in flight and sessions; nothing answers, so clients time out', () => {
    const summary = summaryOf(`  - { at: 1m, crash: node1 }\n  - { at: 2m, restart: node1 }`);
    expect(summary.faults.injected).toEqual({ crash: 1, restart: 1 });
    expect(summary.faults.lostSessions.crash).toBeGreaterThan(0);
    expect(summary.sessions.droppedByCause.timeout).toBeGreaterThan(0);
    expect(summary.servers['node1/app-1']!.states.map((state) => state.state)).toEqual(['failed', 'running']);
  });

  it('an ODR crash loses the requests it was forwarding, and the sprayer marks it down; a slow server takes longer', () => {
    const crashed = summaryOf(`  - { at: 1m, crash: odr1 }`);
    expect(crashed.faults.lostRequests.crash ?? 0).toBeGreaterThan(0);
    expect(crashed.detection.detections).toBe(1);
    const slow = summaryOf(`  - { at: 0s, slow: { target: node2/app-1, factor: 10 } }`);
    const normal = summaryOf(`  - { at: 0s, slow: { target: node2/app-1, factor: 1 } }`);
    expect(slow.protocols.http!.latency.maxUs).toBeGreaterThan(150_000);
    expect(normal.protocols.http!.latency.maxUs).toBeLessThan(50_000);
  });

  it('a fault at a random time is drawn from the seed, the same on every run', () => {
    const times = (seed: number) =>
      recordsOf({ ...scenario(`  - { at: 30s, within: 60s, crash: node2 }`), scenario: { ...scenario(`  - { at: 30s, within: 60s, crash: node2 }`).scenario, seed } })
        .filter(({ record }) => record.type === 'fault')
        .map(({ timeUs }) => timeUs);
    const first = times(4);
    expect(first).toHaveLength(1);
    expect(first[0]).toBeGreaterThanOrEqual(30_000_000);
    expect(first[0]).toBeLessThan(90_000_000);
    expect(times(4)).toEqual(first);
    expect(times(5)).not.toEqual(first);
  });

  it('an unknown target is a scenario problem located at its step', () => {
    expect(() => buildTopology(scenario(`  - { at: 1m, crash: node9 }`))).toThrow(/<scenario>:\d+:\d+: unknown target "node9".*timeline\.0\.crash/);
  });
});
