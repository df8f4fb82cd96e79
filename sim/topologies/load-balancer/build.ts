import { BackendAdminAction, Protocol, ServerAction, type NodeActor } from '../../../nodes/messages.js';
import { LoadBalancer } from '../../../nodes/proxy/load-balancer.js';
import { AppServer } from '../../../nodes/server/app-server.js';
import { FaultyNetwork } from '../../network/link-faults.js';
import { ScenarioNetwork } from '../../network/scenario-network.js';
import { toDistribution } from '../../scenario/distribution.js';
import { ScenarioError, type LoadedScenario, type ScenarioProblem } from '../../scenario/load.js';
import { actionsByProfile, balancerActions, type BackendActionName, type BalancerActionName } from '../../scenario/schema-load-balancer.js';
import { defaultRequestTimeoutUs, injectsFaults, planFaults } from '../../run/faults.js';
import { TimelineActor } from '../../run/timeline-actor.js';
import { SessionClients } from '../../workload/session-clients.js';
import { httpUsers } from '../http-clients.js';
import { timelineActor, type InitialEvent, type Topology, type TopologyKind } from '../topology.js';
import { profileOf } from './profiles.js';

const adminActions: Readonly<Record<BackendActionName | BalancerActionName, BackendAdminAction>> = {
  ready: BackendAdminAction.READY,
  drain: BackendAdminAction.DRAIN,
  maint: BackendAdminAction.MAINT,
  remove: BackendAdminAction.REMOVE,
  add: BackendAdminAction.ADD,
  'eds-draining': BackendAdminAction.EDS_DRAINING,
  deregister: BackendAdminAction.DEREGISTER,
  register: BackendAdminAction.REGISTER,
  down: BackendAdminAction.DOWN,
  up: BackendAdminAction.UP,
  'weight-zero': BackendAdminAction.WEIGHT_ZERO,
  'weight-restore': BackendAdminAction.WEIGHT_RESTORE,
  'agent-ready': BackendAdminAction.AGENT_READY,
  'agent-drain': BackendAdminAction.AGENT_DRAIN,
  'agent-maint': BackendAdminAction.AGENT_MAINT,
  'agent-up': BackendAdminAction.AGENT_UP,
  'agent-down': BackendAdminAction.AGENT_DOWN,
  'drain-listeners': BackendAdminAction.DRAIN_LISTENERS,
  stop: BackendAdminAction.STOP,
};

const serverActions = { start: ServerAction.START, stop: ServerAction.STOP, restart: ServerAction.RESTART } as const;

/**
 * One load balancer of a product (HAProxy, Envoy, NGINX, AWS ALB/NLB) in front of the cluster's
 * application servers, under HTTP load. Actors: the timeline, the load balancer (`lb`), the
 * servers (`node1/app-1`, ...), the HTTP clients.
 */
export const loadBalancerTopology: TopologyKind = {
  name: 'load-balancer',
  describes: (scenario) => scenario.loadBalancer !== undefined,
  build: buildLoadBalanced,
};

function buildLoadBalanced(loaded: LoadedScenario, seed: number): Topology {
  const scenario = loaded.scenario;
  const spec = scenario.loadBalancer!;
  const cluster = scenario.cluster;
  const http = scenario.workload.http;
  const problems: ScenarioProblem[] = [];
  if (http === undefined) problems.push(loaded.problemAt(['workload'], 'a load balancer serves HTTP: give workload.http'));
  for (const key of ['sip', 'ejb', 'jms'] as const) {
    if (scenario.workload[key] !== undefined) problems.push(loaded.problemAt(['workload', key], `a load balancer scenario runs HTTP only; remove workload.${key}`));
  }
  if (cluster.dynamicClusters.length > 0) problems.push(loaded.problemAt(['cluster', 'dynamicClusters'], 'a load balancer scenario has static servers only'));
  if (scenario.clustercats !== undefined) problems.push(loaded.problemAt(['loadBalancer'], 'give either loadBalancer or clustercats, not both'));

  const balancer = 1;
  const serverNames: string[] = [];
  const nodeServers = new Map<string, number[]>();
  for (let node = 1; node <= cluster.nodes.count; node++) {
    const members: number[] = [];
    for (let server = 1; server <= cluster.nodes.servers; server++) {
      members.push(balancer + 1 + serverNames.length);
      serverNames.push(`node${node}/${cluster.name}-${server}`);
    }
    nodeServers.set(`node${node}`, members);
  }
  const servers = serverNames.map((_, index) => balancer + 1 + index);
  const serverByName = new Map(serverNames.map((name, index) => [name, servers[index]!]));
  const client = balancer + 1 + servers.length;

  const actors: NodeActor[] = [new TimelineActor()];
  actors.push(new LoadBalancer({ name: 'lb', backends: servers.map((actor, index) => ({ actor, name: serverNames[index]! })), profile: profileOf(spec, servers.length), persistence: spec.persistence }));
  const service = new Map([[Protocol.HTTP, toDistribution(http?.service ?? { constant: 0 })]]);
  for (const name of serverNames) {
    actors.push(new AppServer({ name, threads: cluster.server.threads, queueLimit: cluster.server.queue, service, loadSubscribers: [], loadReportIntervalUs: scenario.routing.loadReportInterval, startupUs: cluster.server.startup ?? 0 }));
  }
  const clients: number[] = [];
  if (http !== undefined) {
    clients.push(client);
    const requestTimeoutUs = http.timeout ?? (injectsFaults(scenario.timeline) ? defaultRequestTimeoutUs : undefined);
    actors.push(new SessionClients({ ...httpUsers(http), uris: http.uris, idSlot: 0, entryPoints: [balancer], stopArrivalsAtUs: scenario.duration, requestTimeoutUs, replicated: http.replicated }));
  }

  const initialEvents: InitialEvent[] = [{ atUs: 0, origin: balancer, target: balancer, message: LoadBalancer.start() }];
  for (const index of clients) initialEvents.push({ atUs: 0, origin: index, target: index, message: SessionClients.start() });
  const allowed = actionsByProfile[spec.profile];
  scenario.timeline.forEach((step, index) => {
    if (step.maintenance !== undefined) problems.push(loaded.problemAt(['timeline', index, 'maintenance'], 'behind a load balancer, take a server out with a loadBalancer step (drain, maint, deregister, ...)'));
    const control = step.control;
    if (control !== undefined) {
      const server = serverByName.get(control.server);
      if (server === undefined) problems.push(loaded.problemAt(['timeline', index, 'control', 'server'], `unknown server "${control.server}"`));
      else initialEvents.push({ atUs: step.at, origin: timelineActor, target: server, message: { $case: 'serverControl', value: { action: serverActions[control.action], reason: `timeline step ${index + 1}` } } });
    }
    const admin = step.loadBalancer;
    if (admin === undefined) return;
    const onBalancer = (balancerActions as readonly string[]).includes(admin.action);
    if (onBalancer !== (admin.backend === undefined)) return; // a located problem of the semantic checks
    const backend = admin.backend === undefined ? 0 : serverByName.get(admin.backend);
    if (backend === undefined) {
      problems.push(loaded.problemAt(['timeline', index, 'loadBalancer', 'backend'], `unknown backend "${admin.backend}" (servers are named like ${serverNames[0] ?? 'node1/app-1'})`));
      return;
    }
    if (!allowed.includes(admin.action)) return; // a located problem of the semantic checks
    initialEvents.push({ atUs: step.at, origin: timelineActor, target: balancer, message: { $case: 'loadBalancer', value: { backend, action: adminActions[admin.action], reason: `timeline step ${index + 1}` } } });
  });
  const actorNames = actors.map((actor) => actor.name);
  const plan = planFaults(loaded, seed, { actorNames, crashable: serverByName, nodes: nodeServers, timeline: timelineActor }, false);
  if (problems.length > 0) throw new ScenarioError(problems);
  initialEvents.push(...plan.events);

  return {
    actors,
    actorNames,
    network: new FaultyNetwork(new ScenarioNetwork(toDistribution(scenario.network.latency)), plan.linkFaults),
    servers,
    serverByName,
    nodeServers,
    // The balancer is no ODR: ODR steps (maintenance, crash) do not apply to it.
    routers: [],
    routerByName: new Map(),
    routerNodes: new Map(),
    clusters: new Map([[cluster.name, servers]]),
    clients,
    initialEvents,
  };
}
