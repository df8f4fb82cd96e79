import { describe, expect, it } from 'vitest';
import { ControllerProcess } from '../../nodes/controller-process.js';
import { ServerState, type Message } from '../../nodes/messages.js';
import { PlacementController, type DynamicClusterConfig, type InstanceCounts } from '../../nodes/placement/placement-controller.js';
import { Simulation } from '../../sim/kernel/simulation.js';
import type { SimRecord } from '../../sim/metrics/records.js';
import { buildTopology } from '../../sim/topologies/index.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

/** A controller that reads the document's rule wrongly: its vertical limit leaves the servers in maintenance out. */
class NaivePlacement extends PlacementController {
  protected override verticalLimit(cluster: DynamicClusterConfig, _counts: InstanceCounts, _node: string): number {
    return cluster.maxPerNode;
  }
}

/** Runs the shipped scenario, with the naive controller when asked; the placement actions and the most instances node1 ever held. */
function run(naive: boolean) {
  const loaded = loadScenarioFile('scenarios/placement-vertical-stacking.yaml');
  const topology = buildTopology(loaded);
  const placement = topology.actorNames.indexOf('placement');
  if (naive) {
    const real = (topology.actors[placement] as ControllerProcess).controller as PlacementController;
    topology.actors[placement] = new ControllerProcess(new NaivePlacement(real.config));
  }
  const node1 = new Set(topology.nodeServers.get('node1'));
  const states = new Map<number, ServerState>();
  const actions: string[] = [];
  let mostOnNode1 = 0;
  const simulation = new Simulation<Message, SimRecord>({
    seed: loaded.scenario.seed,
    actors: topology.actors,
    actorNames: topology.actorNames,
    network: topology.network,
    sink: {
      record: (_timeUs, _actor, record) => {
        if (record.type === 'placement-action') actions.push(`${record.action} ${topology.actorNames[record.server]}`);
        if (record.type !== 'server-state' || !node1.has(record.server)) return;
        states.set(record.server, record.state);
        const held = [...states.values()].filter((state) => state !== ServerState.STOPPED && state !== ServerState.FAILED).length;
        mostOnNode1 = Math.max(mostOnNode1, held);
      },
    },
  });
  for (const server of node1) states.set(server, (topology.actors[server] as unknown as { state: ServerState }).state);
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);
  simulation.runUntil(loaded.scenario.duration);
  return { actions, mostOnNode1, slotsOnNode1: node1.size };
}

describe('vertical stacking with servers in maintenance', () => {
  it('the controller creates no instance beside a server in maintenance; one that leaves it out of the limit does', () => {
    const real = run(false);
    const naive = run(true);
    // Each node has more instance slots than its vertical stacking (2): the slots never decide.
    expect(real.slotsOnNode1).toBeGreaterThan(2);
    expect(real.actions).toEqual([]);
    expect(real.mostOnNode1).toBe(2);
    // The naive one creates node1/shop-3 beside shop-1 in maintenance, and removes an instance when shop-1 is back.
    expect(naive.actions[0]).toBe('start node1/shop-3');
    expect(naive.actions.some((action) => action.startsWith('stop'))).toBe(true);
    expect(naive.mostOnNode1).toBe(3);
  });
});
