import { HealthController, type HealthPolicy } from '../../../nodes/health/health-controller.js';
import { MessagingEngine } from '../../../nodes/messaging/messaging-engine.js';
import { LoadPublisher } from '../../../nodes/odc/load-publisher.js';
import { Protocol, ServerState, type NodeActor } from '../../../nodes/messages.js';
import { ControllerProcess } from '../../../nodes/controller-process.js';
import { PlacementController, type DynamicClusterConfig } from '../../../nodes/placement/placement-controller.js';
import { Router } from '../../../nodes/router/router.js';
import type { WorkClassSpec } from '../../../nodes/router/work-classes.js';
import { AppServer } from '../../../nodes/server/app-server.js';
import { Sprayer } from '../../../nodes/sprayer/sprayer.js';
import type { Distribution } from '../../kernel/distributions.js';
import { GrpcRoutingPolicy } from '../../distributed/policy-client.js';
import { isPolicyModule, modulePolicy } from '../../run/policy-module.js';
import { ScenarioNetwork } from '../../network/scenario-network.js';
import { FaultyNetwork } from '../../network/link-faults.js';
import { toDistribution } from '../../scenario/distribution.js';
import { ScenarioError, type LoadedScenario } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/schema.js';
import { SessionClients } from '../../workload/session-clients.js';
import { arrivalProcess } from '../../run/arrivals.js';
import { defaultRequestTimeoutUs, injectsFaults, isDownAt, planFaults } from '../../run/faults.js';
import { TimelineActor } from '../../run/timeline-actor.js';
import { httpUsers } from '../http-clients.js';
import { timelineActor, type InitialEvent, type Topology, type TopologyKind } from '../topology.js';
import { planServers } from './servers.js';
import { modes, timelineEvents } from './timeline-steps.js';

const protocolKeys = { http: Protocol.HTTP, sip: Protocol.SIP, ejb: Protocol.EJB, jms: Protocol.JMS } as const;

/** A WebSphere cell: nodes of application servers in static and dynamic clusters, behind On Demand Routers. */
export const websphereTopology: TopologyKind = {
  name: 'websphere',
  describes: (scenario) => scenario.clustercats === undefined,
  build: buildCell,
};

function buildCell(loaded: LoadedScenario, seed: number): Topology {
  const scenario = loaded.scenario;
  const cluster = scenario.cluster;
  const workload = scenario.workload;
  const problem = (path: (string | number)[], message: string) => new ScenarioError([loaded.problemAt(path, message)]);

  // Plan first: every actor's index is known before any is constructed.
  const serverPlans = planServers(scenario, problem);
  const routerCount = cluster.routers;
  const useSprayer = cluster.sprayer ?? routerCount > 1;
  const firstRouter = 1;
  const routers = Array.from({ length: routerCount }, (_, index) => firstRouter + index);
  const sprayer = useSprayer ? firstRouter + routerCount : -1;
  const firstServer = firstRouter + routerCount + (useSprayer ? 1 : 0);
  const servers = serverPlans.map((_, index) => firstServer + index);
  let next = firstServer + servers.length;
  const engine = workload.jms !== undefined ? next++ : -1;
  const placement = cluster.dynamicClusters.length > 0 ? next++ : -1;
  const health = scenario.healthPolicies.length > 0 ? next++ : -1;
  const publisher = next++;

  const serverByName = new Map<string, number>();
  const nodeServers = new Map<string, number[]>();
  const clusters = new Map<string, number[]>();
  serverPlans.forEach((plan, index) => {
    const actor = servers[index]!;
    serverByName.set(plan.name, actor);
    pushTo(nodeServers, plan.node, actor);
    pushTo(clusters, plan.cluster, actor);
  });
  const defaultClusterName = cluster.dynamicClusters[0]?.name ?? cluster.name;
  const defaultCluster = new Map<Protocol, string>();
  for (const key of ['http', 'sip', 'ejb', 'jms'] as const) {
    const named = workload[key]?.cluster;
    if (named !== undefined && !clusters.has(named)) throw problem(['workload', key, 'cluster'], `unknown cluster "${named}" (clusters: ${[...clusters.keys()].join(', ')})`);
    defaultCluster.set(protocolKeys[key], named ?? defaultClusterName);
  }

  const actors: NodeActor[] = [new TimelineActor()];
  const serverFacts = serverPlans.map((plan, index) => ({ actor: servers[index]!, threads: cluster.server.threads, state: plan.startsRunning ? ServerState.RUNNING : ServerState.STOPPED }));
  const workClasses = scenario.workClasses.map((spec, index): WorkClassSpec => {
    if (spec.cluster !== undefined && !clusters.has(spec.cluster)) throw problem(['workClasses', index, 'cluster'], `unknown cluster "${spec.cluster}"`);
    if (spec.action === 'redirect' && spec.redirectTo === undefined) throw problem(['workClasses', index], 'a redirect work class needs redirectTo');
    return {
      name: spec.name,
      protocol: spec.match.protocol === undefined ? undefined : protocolKeys[spec.match.protocol],
      uri: spec.match.uri,
      method: spec.match.method,
      action: spec.action,
      cluster: spec.cluster,
      redirectTo: spec.redirectTo,
    };
  });
  const loadReportIntervalUs = scenario.routing.loadReportInterval;
  // Names are looked up when the policy is asked, once every actor exists.
  const policyUrl = scenario.routing.policy;
  const nameOf = (index: number) => actors[index]?.name ?? `#${index}`;
  const policy =
    policyUrl === undefined
      ? undefined
      : isPolicyModule(policyUrl)
        ? modulePolicy(loaded, policyUrl, nameOf)
        : new GrpcRoutingPolicy(policyUrl, scenario.routing.policyTimeout / 1000, nameOf);
  routers.forEach((_, index) =>
    actors.push(
      new Router({
        name: `odr${index + 1}`,
        servers: serverFacts,
        clusters,
        defaultCluster,
        workClasses,
        maxAttempts: scenario.routing.maxAttempts,
        stateSubscribers: useSprayer ? [sprayer] : [],
        stateReportIntervalUs: loadReportIntervalUs,
        ...(policy === undefined ? {} : { policy }),
      }),
    ),
  );
  // The fault plan comes last; the sprayer reads it only to label its verdicts.
  let downIntervals: ReadonlyMap<number, readonly [number, number][]> = new Map();
  if (useSprayer) {
    const advisor = scenario.routing.advisor;
    actors.push(
      new Sprayer({
        name: 'sprayer',
        routers,
        advisor: { intervalUs: advisor.interval, timeoutUs: advisor.timeout, failuresToMarkDown: advisor.failures },
        isDown: (router, atUs) => isDownAt(downIntervals, router, atUs),
      }),
    );
  }

  const service = new Map<Protocol, Distribution>();
  for (const key of ['http', 'sip', 'ejb', 'jms'] as const) {
    const spec = workload[key];
    if (spec !== undefined) service.set(protocolKeys[key], toDistribution(spec.service));
  }
  const loadSubscribers = [publisher, ...[engine, placement, health].filter((actor) => actor >= 0)];
  for (const plan of serverPlans) {
    actors.push(
      new AppServer({
        name: plan.name,
        threads: cluster.server.threads,
        queueLimit: cluster.server.queue,
        service,
        loadSubscribers,
        loadReportIntervalUs,
        startupUs: plan.startupUs,
        startsRunning: plan.startsRunning,
      }),
    );
  }
  if (engine >= 0) {
    const jms = workload.jms!;
    const consumers = clusters.get(defaultCluster.get(Protocol.JMS)!) ?? servers;
    const consumerFacts = serverFacts.filter((fact) => consumers.includes(fact.actor));
    actors.push(new MessagingEngine({ name: 'messaging/me1', destinations: [jms.destination], consumers: consumerFacts, maxDepth: jms.maxDepth }));
  }
  if (placement >= 0) {
    const dynamic = cluster.dynamicClusters.map(
      (spec): DynamicClusterConfig => ({
        name: spec.name,
        servers: serverPlans.flatMap((plan, index) => (plan.cluster === spec.name ? [{ actor: servers[index]!, node: plan.node, startsRunning: plan.startsRunning }] : [])),
        minInstances: spec.min,
        maxInstances: spec.max,
        maxPerNode: spec.verticalStacking,
        scaleUpLoadPercent: spec.scaleUpLoad,
        scaleDownLoadPercent: spec.scaleDownLoad,
      }),
    );
    actors.push(new ControllerProcess(new PlacementController({ name: 'placement', clusters: dynamic, decisionIntervalUs: scenario.placement.interval })));
  }
  if (health >= 0) actors.push(new ControllerProcess(new HealthController('health', healthPolicies(scenario, serverByName, servers, problem))));
  actors.push(new ControllerProcess(new LoadPublisher({ name: 'odc', routers, publishIntervalUs: loadReportIntervalUs })));
  if (actors.length !== publisher + 1) throw new Error('actor indexes planned and built differ');

  const entryPoints = useSprayer ? [sprayer] : routers;
  const clients: number[] = [];
  const addClients = (config: Omit<ConstructorParameters<typeof SessionClients>[0], 'idSlot'>) =>
    clients.push(actors.push(new SessionClients({ ...config, idSlot: clients.length })) - 1);
  // Without faults no request can vanish, so clients wait as long as it takes.
  const requestTimeoutUs = injectsFaults(scenario.timeline) ? defaultRequestTimeoutUs : undefined;
  const common = { stopArrivalsAtUs: scenario.duration, entryPoints, requestTimeoutUs };
  const http = workload.http;
  if (http !== undefined) {
    addClients({
      ...common,
      ...httpUsers(http),
      requestTimeoutUs: http.timeout ?? requestTimeoutUs,
      uris: http.uris,
      replicated: http.replicated,
    });
  }
  const sip = workload.sip;
  if (sip !== undefined) {
    addClients({
      ...common,
      name: 'clients/sip',
      protocol: Protocol.SIP,
      arrivals: arrivalProcess(sip.rate, sip.bursts),
      requests: toDistribution(sip.inDialog + 2),
      thinkTime: toDistribution(0),
      holdTime: toDistribution(sip.hold),
      service: toDistribution(sip.service),
      uri: 'sip:service',
      replicated: sip.replicated,
    });
  }
  const ejb = workload.ejb;
  if (ejb !== undefined) {
    addClients({
      ...common,
      name: 'clients/ejb',
      protocol: Protocol.EJB,
      arrivals: arrivalProcess(ejb.rate, ejb.bursts),
      requests: toDistribution(ejb.calls),
      thinkTime: toDistribution(ejb.thinkTime),
      service: toDistribution(ejb.service),
      uri: 'ejb:service',
    });
  }
  const jms = workload.jms;
  if (jms !== undefined) {
    addClients({
      ...common,
      entryPoints: [engine],
      name: 'clients/jms',
      protocol: Protocol.JMS,
      arrivals: arrivalProcess(jms.rate, jms.bursts),
      requests: toDistribution(1),
      thinkTime: toDistribution(0),
      uri: `jms:${jms.destination}`,
      destination: jms.destination,
      service: toDistribution(jms.service),
    });
  }

  const initialEvents: InitialEvent[] = [];
  for (const client of clients) initialEvents.push({ atUs: 0, origin: client, target: client, message: SessionClients.start() });
  for (const server of servers) {
    initialEvents.push({ atUs: 0, origin: server, target: server, message: { $case: 'timer', value: { tag: 'load-report', ref: 0 } } });
  }
  if (useSprayer) {
    for (const router of routers) initialEvents.push({ atUs: 0, origin: router, target: router, message: { $case: 'timer', value: { tag: 'router-state', ref: 0 } } });
    initialEvents.push({ atUs: scenario.routing.advisor.interval, origin: sprayer, target: sprayer, message: Sprayer.start() });
  }
  initialEvents.push({ atUs: 0, origin: publisher, target: publisher, message: LoadPublisher.start() });
  if (placement >= 0) initialEvents.push({ atUs: scenario.placement.interval, origin: placement, target: placement, message: PlacementController.start() });

  const routerByName = new Map(routers.map((router, index) => [`odr${index + 1}`, router]));
  const routerNodes = new Map(routers.map((router, index) => [`odrnode${index + 1}`, [router]]));
  const topology: Topology = {
    actors,
    actorNames: actors.map((actor) => actor.name),
    network: new ScenarioNetwork(toDistribution(scenario.network.latency), minimumLatencyUs(scenario.network)),
    servers,
    serverByName,
    nodeServers,
    routers,
    routerByName,
    routerNodes,
    clusters,
    clients,
    initialEvents,
  };
  scenario.timeline.forEach((step, index) => initialEvents.push(...timelineEvents(step, index, topology, loaded)));
  const crashable = new Map([...serverByName, ...routerByName]);
  // `controller`: the cell's controllers together (placement, health, load publisher).
  const controllers = [placement, health, publisher].filter((actor) => actor >= 0);
  const crashGroups = new Map([...nodeServers, ['controller', controllers]]);
  const faults = planFaults(loaded, seed, { actorNames: topology.actorNames, crashable, nodes: crashGroups, timeline: timelineActor }, false);
  initialEvents.push(...faults.events);
  downIntervals = faults.downIntervals;
  if (faults.linkFaults.length > 0) topology.network = new FaultyNetwork(topology.network, faults.linkFaults);
  return topology;
}

function healthPolicies(
  scenario: Scenario,
  serverByName: ReadonlyMap<string, number>,
  servers: readonly number[],
  problem: (path: (string | number)[], message: string) => ScenarioError,
): HealthPolicy[] {
  return scenario.healthPolicies.map((spec, index) => {
    if (spec.responseTime === undefined && spec.errorRate === undefined) throw problem(['healthPolicies', index], 'give a condition: responseTime or errorRate');
    const watched = (spec.servers ?? []).map((serverName, serverIndex) => {
      const actor = serverByName.get(serverName);
      if (actor === undefined) throw problem(['healthPolicies', index, 'servers', serverIndex], `unknown server "${serverName}"`);
      return actor;
    });
    return {
      name: spec.name,
      servers: spec.servers === undefined ? servers : watched,
      responseTimeAboveUs: spec.responseTime?.above ?? 0,
      errorPercentAbove: spec.errorRate?.above ?? 0,
      forUs: spec.for,
      mode: modes[spec.mode],
      supervised: spec.supervised,
    };
  });
}

function pushTo(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The smallest latency a link can have: the stated floor, or what the distribution allows. */
function minimumLatencyUs(network: Scenario['network']): number {
  const latency = network.latency;
  const lowest = latency.constant ?? latency.uniform?.min ?? (latency.empirical === undefined ? 0 : Math.min(...latency.empirical));
  return Math.max(network.minLatency ?? 0, Math.round(lowest));
}
