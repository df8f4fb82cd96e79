import { buildTopology } from '../topologies/index.js';
import { parseExpectation } from '../run/expectations.js';
import type { LoadedScenario } from '../scenario/load.js';
import { exploreStepKinds, type ExploreSpec, type ExploreStepKind } from '../scenario/schema.js';

/** A scenario's `explore:` section that cannot be explored: bad input (exit 2). */
export class ExploreError extends Error {}

/**
 * What schedules may be drawn for a scenario: the step kinds and their targets, how many steps
 * and when. Targets are the names the topology has, in its order (the first is the one a
 * shrinker prefers).
 */
export interface ScheduleSpace {
  kinds: ExploreStepKind[];
  minSteps: number;
  maxSteps: number;
  fromUs: number;
  toUs: number;
  durationUs: number;
  modes: ('affinity' | 'break' | 'stop')[];
  swarm: boolean;
  servers: string[];
  nodes: string[];
  odrs: string[];
  /** ClusterCATS members (the servers of a ClusterCATS scenario); empty otherwise. */
  members: string[];
  /** The controllers crash together under this name; absent in a ClusterCATS cluster. */
  controller: boolean;
  /** `explore.expect`: properties meant to hold under any schedule. */
  expect: string[];
}

export const defaultExplore: ExploreSpec = {
  runs: 100,
  steps: { min: 1, max: 6 },
  modes: ['affinity', 'break', 'stop'],
  swarm: true,
  expect: [],
};

/** The kinds a topology has targets for. */
function applicableKinds(space: Omit<ScheduleSpace, 'kinds'>): Set<ExploreStepKind> {
  const clusterCats = space.members.length > 0;
  const has: Record<ExploreStepKind, boolean> = {
    'maintenance-server': !clusterCats,
    'maintenance-node': !clusterCats && space.nodes.length > 0,
    'maintenance-odr': !clusterCats && space.odrs.length > 0,
    'maintenance-exit': !clusterCats,
    'control-start': !clusterCats,
    'control-stop': !clusterCats,
    'control-restart': !clusterCats,
    'crash-server': !clusterCats,
    'crash-node': !clusterCats && space.nodes.length > 0,
    'crash-odr': space.odrs.length > 0,
    'crash-member': clusterCats,
    'crash-controller': space.controller,
    restart: true,
    slow: true,
    partition: clusterCats ? space.members.length > 1 : space.nodes.length > 1,
    heal: true,
    'clustercats-threshold': clusterCats,
    'clustercats-service': clusterCats,
  };
  return new Set(exploreStepKinds.filter((kind) => has[kind]));
}

/** The schedule space of a scenario, from its `explore:` section (defaults when it has none). */
export function scheduleSpace(loaded: LoadedScenario): ScheduleSpace {
  const scenario = loaded.scenario;
  const spec = scenario.explore ?? defaultExplore;
  if (scenario.kubernetes !== undefined) throw new ExploreError(`${loaded.file}: explore draws WebSphere and ClusterCATS steps; the steps of a Kubernetes scenario (rollout, drain, crashNode) are not drawn yet`);
  const topology = buildTopology(loaded);
  const clusterCats = scenario.clustercats !== undefined;
  const allServers = [...topology.serverByName.keys()];
  const unknown = (spec.servers ?? []).filter((name) => !topology.serverByName.has(name));
  if (unknown.length > 0) throw new ExploreError(`${loaded.file}: explore.servers names unknown servers: ${unknown.join(', ')} (there are ${allServers.slice(0, 6).join(', ')}${allServers.length > 6 ? ', ...' : ''})`);
  const servers = spec.servers ?? allServers;
  const chosen = new Set(servers.map((name) => topology.serverByName.get(name)));
  // A node is a target when one of the chosen servers is on it.
  const nodes = [...topology.nodeServers].filter(([, members]) => members.some((server) => chosen.has(server))).map(([name]) => name);
  const fromUs = spec.window?.from ?? Math.round(scenario.duration / 10);
  const toUs = spec.window?.to ?? Math.round((scenario.duration * 4) / 5);
  if (toUs <= fromUs) throw new ExploreError(`${loaded.file}: explore.window ends (${toUs / 1e6}s) before it starts (${fromUs / 1e6}s)`);
  if (toUs > scenario.duration) throw new ExploreError(`${loaded.file}: explore.window reaches past the end of the run`);
  for (const line of spec.expect) {
    const parsed = parseExpectation(line);
    if (typeof parsed === 'string') throw new ExploreError(`${loaded.file}: explore.expect: ${parsed}`);
  }
  if (spec.steps.min > spec.steps.max) throw new ExploreError(`${loaded.file}: explore.steps.min (${spec.steps.min}) is above max (${spec.steps.max})`);
  const partial = {
    minSteps: spec.steps.min,
    maxSteps: spec.steps.max,
    fromUs,
    toUs,
    durationUs: scenario.duration,
    modes: spec.modes,
    swarm: spec.swarm,
    servers: clusterCats ? [] : servers,
    nodes: clusterCats ? [] : nodes,
    odrs: [...topology.routerByName.keys()],
    members: clusterCats ? servers : [],
    controller: !clusterCats,
    expect: spec.expect,
  };
  const applicable = applicableKinds(partial);
  const kinds = spec.kinds ?? exploreStepKinds.filter((kind) => applicable.has(kind));
  const impossible = kinds.filter((kind) => !applicable.has(kind));
  if (impossible.length > 0) throw new ExploreError(`${loaded.file}: explore.kinds has ${impossible.join(', ')}, which this topology has no target for (it has: ${[...applicable].join(', ')})`);
  return { ...partial, kinds: [...new Set(kinds)] };
}
