import { MaintenanceMode, Protocol, type Message, type NodeActor } from '../../nodes/messages.js';
import { Router } from '../../nodes/router/router.js';
import { AppServer } from '../../nodes/server/app-server.js';
import type { Network } from '../kernel/network.js';
import { GrpcRoutingPolicy } from '../distributed/policy-client.js';
import { ScenarioNetwork } from '../network/scenario-network.js';
import { toDistribution } from '../scenario/distribution.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';
import type { Scenario, TimelineStep } from '../scenario/schema.js';
import { SessionClients } from '../workload/session-clients.js';
import { TimelineActor } from './timeline-actor.js';

/** A delivery scheduled before the run starts: first arrivals, first load reports, the timeline. */
export interface InitialEvent {
  atUs: number;
  origin: number;
  target: number;
  message: Message;
}

/** The actors of a scenario and what the runner and the reports need to know about them. */
export interface Topology {
  actors: NodeActor[];
  actorNames: string[];
  network: Network;
  /** Application servers, by actor index. */
  servers: number[];
  serverByName: Map<string, number>;
  /** Servers of each node, by node name. */
  nodeServers: Map<string, number[]>;
  routers: number[];
  clients: number[];
  initialEvents: InitialEvent[];
}

export const timelineActor = 0;
const loadReportIntervalUs = 1_000_000;

export function buildTopology(loaded: LoadedScenario): Topology {
  const scenario = loaded.scenario;
  const actors: NodeActor[] = [new TimelineActor()];
  const add = <A extends NodeActor>(actor: A): number => actors.push(actor) - 1;

  const cluster = scenario.cluster;
  const routerNames = Array.from({ length: cluster.routers }, (_, index) => `odr${index + 1}`);
  // Indexes are known before construction: routers first, then servers, then clients.
  const firstRouter = actors.length;
  const routers = routerNames.map((_, index) => firstRouter + index);
  const firstServer = firstRouter + routers.length;
  const serverCount = cluster.nodes.count * cluster.nodes.servers;
  const servers = Array.from({ length: serverCount }, (_, index) => firstServer + index);

  // Names are looked up when the policy is asked, once every actor exists.
  const routing = scenario.routing;
  const policy = routing?.policy === undefined ? undefined : new GrpcRoutingPolicy(routing.policy, routing.timeout / 1000, (index) => actors[index]?.name ?? `#${index}`);
  for (const routerName of routerNames) add(new Router({ name: routerName, servers, maxAttempts: 3, ...(policy === undefined ? {} : { policy }) }));

  const service = new Map<Protocol, ReturnType<typeof toDistribution>>();
  if (scenario.workload.http !== undefined) service.set(Protocol.HTTP, toDistribution(scenario.workload.http.service));

  const serverByName = new Map<string, number>();
  const nodeServers = new Map<string, number[]>();
  for (let node = 1; node <= cluster.nodes.count; node++) {
    const nodeName = `node${node}`;
    const members: number[] = [];
    for (let member = 1; member <= cluster.nodes.servers; member++) {
      const name = `${nodeName}/${cluster.name}-${member}`;
      const index = add(
        new AppServer({
          name,
          threads: cluster.server.threads,
          queueLimit: cluster.server.queue,
          service,
          loadSubscribers: routers,
          loadReportIntervalUs,
        }),
      );
      serverByName.set(name, index);
      members.push(index);
    }
    nodeServers.set(nodeName, members);
  }

  const clients: number[] = [];
  const http = scenario.workload.http;
  if (http !== undefined) {
    clients.push(
      add(
        new SessionClients({
          name: 'clients/http',
          protocol: Protocol.HTTP,
          ratePerSecond: http.rate,
          requests: toDistribution(http.requests),
          thinkTime: toDistribution(http.thinkTime),
          uri: http.uri,
          entryPoints: routers,
          stopArrivalsAtUs: scenario.duration,
        }),
      ),
    );
  }

  const initialEvents: InitialEvent[] = [];
  for (const client of clients) initialEvents.push({ atUs: 0, origin: client, target: client, message: SessionClients.start() });
  for (const server of servers) {
    initialEvents.push({ atUs: 0, origin: server, target: server, message: { $case: 'timer', value: { tag: 'load-report', ref: 0 } } });
  }
  const topology: Topology = {
    actors,
    actorNames: actors.map((actor) => actor.name),
    network: new ScenarioNetwork(toDistribution(scenario.network.latency), minimumLatencyUs(scenario.network)),
    servers,
    serverByName,
    nodeServers,
    routers,
    clients,
    initialEvents,
  };
  scenario.timeline.forEach((step, index) => initialEvents.push(...timelineEvents(step, index, topology, loaded)));
  return topology;
}

const modes = { affinity: MaintenanceMode.AFFINITY, break: MaintenanceMode.BREAK, stop: MaintenanceMode.STOP } as const;

function timelineEvents(step: TimelineStep, index: number, topology: Topology, loaded: LoadedScenario): InitialEvent[] {
  const maintenance = step.maintenance;
  if (maintenance === undefined) return [];
  const targets = resolveTargets(maintenance, index, topology, loaded);
  return targets.map((target) => ({
    atUs: step.at,
    origin: timelineActor,
    target,
    message: { $case: 'maintenance', value: { targets: [target], enter: !maintenance.exit, mode: modes[maintenance.mode], reason: `timeline step ${index + 1}` } },
  }));
}

function resolveTargets(
  target: { server?: string | undefined; node?: string | undefined },
  index: number,
  topology: Topology,
  loaded: LoadedScenario,
): number[] {
  const problem = (message: string) => new ScenarioError([loaded.problemAt(['timeline', index, 'maintenance'], message)]);
  if (target.server !== undefined) {
    const server = topology.serverByName.get(target.server);
    if (server === undefined) throw problem(`unknown server "${target.server}" (servers are named like ${[...topology.serverByName.keys()][0] ?? 'node1/app-1'})`);
    return [server];
  }
  if (target.node !== undefined) {
    const members = topology.nodeServers.get(target.node);
    if (members === undefined) throw problem(`unknown node "${target.node}"`);
    return members;
  }
  throw problem('name a server or a node');
}

/** The smallest latency a link can have: the stated floor, or what the distribution allows. */
function minimumLatencyUs(network: Scenario['network']): number {
  const latency = network.latency;
  const lowest = latency.constant ?? latency.uniform?.min ?? (latency.empirical === undefined ? 0 : Math.min(...latency.empirical));
  return Math.max(network.minLatency ?? 0, Math.round(lowest));
}
