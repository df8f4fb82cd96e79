import { buildTopology } from '../topologies/index.js';
import { parseExpectation } from '../run/expectations.js';
import type { LoadedScenario } from '../scenario/load.js';
import { exploreStepKinds, type ExploreSpec, type ExploreStepKind, type Scenario } from '../scenario/schema.js';
import { actionsByProfile, backendActions, type BackendActionName } from '../scenario/schema-load-balancer.js';

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
  /** Kubernetes nodes (drained, crashed); empty outside a Kubernetes scenario. */
  kubernetesNodes: string[];
  /** Whether the Deployment can roll out: a Kubernetes scenario. */
  rollout: boolean;
  /** The load balancer profile's actions on one backend (a server); empty without a load balancer. */
  backendActions: BackendActionName[];
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
  // Behind a load balancer, servers leave through the balancer's actions, not WebSphere maintenance.
  const websphere = !clusterCats && space.backendActions.length === 0;
  // A Kubernetes scenario changes its pods with its own steps only (the semantic checks refuse the others).
  const kubernetes = space.rollout;
  const has: Record<ExploreStepKind, boolean> = {
    'maintenance-server': websphere && space.servers.length > 0,
    'maintenance-node': websphere && space.nodes.length > 0,
    'maintenance-odr': websphere && space.odrs.length > 0,
    'maintenance-exit': websphere && space.servers.length > 0,
    'control-start': space.servers.length > 0,
    'control-stop': space.servers.length > 0,
    'control-restart': space.servers.length > 0,
    'crash-server': space.servers.length > 0,
    'crash-node': space.nodes.length > 0,
    'crash-odr': space.odrs.length > 0,
    'crash-member': clusterCats,
    'crash-controller': space.controller,
    restart: !kubernetes,
    slow: !kubernetes,
    partition: clusterCats ? space.members.length > 1 : space.nodes.length > 1,
    heal: !kubernetes,
    'clustercats-threshold': clusterCats,
    'clustercats-service': clusterCats,
    'kubernetes-rollout': space.rollout,
    'kubernetes-drain': space.kubernetesNodes.length > 0,
    'kubernetes-crash-node': space.kubernetesNodes.length > 0,
    'lb-action': space.backendActions.length > 0 && space.servers.length > 0,
  };
  return new Set(exploreStepKinds.filter((kind) => has[kind]));
}

/** The profile's actions on a backend (its actions on the balancer itself, which stop all traffic, are not drawn). */
function backendActionsOf(scenario: Scenario): BackendActionName[] {
  if (scenario.loadBalancer === undefined) return [];
  const onBackend = new Set<string>(backendActions);
  return actionsByProfile[scenario.loadBalancer.profile].filter((action): action is BackendActionName => onBackend.has(action));
}

/** The schedule space of a scenario, from its `explore:` section (defaults when it has none). */
export function scheduleSpace(loaded: LoadedScenario): ScheduleSpace {
  const scenario = loaded.scenario;
  const spec = scenario.explore ?? defaultExplore;
  const topology = buildTopology(loaded);
  const clusterCats = scenario.clustercats !== undefined;
  const kubernetes = scenario.kubernetes !== undefined;
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
    // A load balancer or a Kubernetes control plane is no WebSphere controller.
    controller: !clusterCats && !kubernetes && scenario.loadBalancer === undefined,
    kubernetesNodes: kubernetes ? Array.from({ length: scenario.cluster.nodes.count }, (_, index) => `node${index + 1}`) : [],
    rollout: kubernetes,
    backendActions: backendActionsOf(scenario),
    expect: spec.expect,
  };
  const applicable = applicableKinds(partial);
  const kinds = spec.kinds ?? exploreStepKinds.filter((kind) => applicable.has(kind));
  const impossible = kinds.filter((kind) => !applicable.has(kind));
  if (impossible.length > 0) throw new ExploreError(`${loaded.file}: explore.kinds has ${impossible.join(', ')}, which this topology has no target for (it has: ${[...applicable].join(', ')})`);
  return { ...partial, kinds: [...new Set(kinds)] };
}
