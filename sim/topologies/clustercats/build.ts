import { ClusterCatsMember } from '../../../nodes/clustercats/member.js';
import { LanSegment } from '../../../nodes/clustercats/lan-segment.js';
import { ClusterCatsService, type NodeActor } from '../../../nodes/messages.js';
import { FaultyNetwork } from '../../network/link-faults.js';
import { ScenarioNetwork } from '../../network/scenario-network.js';
import { toDistribution } from '../../scenario/distribution.js';
import { ScenarioError, type LoadedScenario, type ScenarioProblem } from '../../scenario/load.js';
import { SessionClients } from '../../workload/session-clients.js';
import { defaultRequestTimeoutUs, isDownAt, planFaults } from '../../run/faults.js';
import { TimelineActor } from '../../run/timeline-actor.js';
import { httpUsers } from '../http-clients.js';
import type { InitialEvent, Topology, TopologyKind } from '../topology.js';

/** The IP address of the k-th member (0-based), as clients and the LAN know it. */
export function memberAddress(k: number): string {
  return `10.0.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

/**
 * A ClusterCATS cluster: every server of the scenario's cluster is a member with its own IP
 * address, on one LAN; clients resolve the cluster's name to the members' addresses in turn
 * (DNS round robin) and follow HTTP redirects. Actors: the timeline, the members, the LAN, the
 * clients.
 */
export const clusterCatsTopology: TopologyKind = {
  name: 'clustercats',
  describes: (scenario) => scenario.clustercats !== undefined,
  build: buildClusterCats,
};

function buildClusterCats(loaded: LoadedScenario, seed: number): Topology {
  const scenario = loaded.scenario;
  const spec = scenario.clustercats!;
  const cluster = scenario.cluster;
  const http = scenario.workload.http;
  const problems: ScenarioProblem[] = [];
  if (http === undefined) problems.push(loaded.problemAt(['workload'], 'a ClusterCATS cluster serves HTTP: give workload.http'));

  const memberNames: string[] = [];
  const nodeServers = new Map<string, number[]>();
  const firstMember = 1;
  for (let node = 1; node <= cluster.nodes.count; node++) {
    const members: number[] = [];
    for (let server = 1; server <= cluster.nodes.servers; server++) {
      members.push(firstMember + memberNames.length);
      memberNames.push(`node${node}/${cluster.name}-${server}`);
    }
    nodeServers.set(`node${node}`, members);
  }
  const members = memberNames.map((_, index) => firstMember + index);
  const lan = firstMember + members.length;
  const client = lan + 1;
  const actorNames = ['timeline', ...memberNames, 'lan', 'clients/http'];
  const serverByName = new Map(memberNames.map((name, index) => [name, members[index]!]));

  const plan = planFaults(loaded, seed, { actorNames, crashable: serverByName, nodes: nodeServers, timeline: 0 }, true);
  const isDown = (member: number, atUs: number) => isDownAt(plan.downIntervals, member, atUs);

  const actors: NodeActor[] = [new TimelineActor()];
  const service = toDistribution(http?.service ?? { constant: 0 });
  members.forEach((self, index) => {
    actors.push(
      new ClusterCatsMember({
        name: memberNames[index]!,
        self,
        address: memberAddress(index),
        ring: members,
        lan,
        threads: cluster.server.threads,
        queueLimit: cluster.server.queue,
        service,
        gradualThresholdPercent: spec.gradualThreshold,
        peakThresholdPercent: spec.peakThreshold,
        sessionAware: spec.sessionAware,
        dynamicAddressing: spec.addressing === 'dynamic',
        heartbeatIntervalUs: spec.heartbeat.interval,
        failureTimeoutUs: spec.heartbeat.timeout,
        loadReportIntervalUs: spec.loadReportInterval,
        buddy: spec.replication === undefined || members.length < 2 ? undefined : members[(index + 1) % members.length],
        replicationCostUs: spec.replication?.cost ?? 0,
        isDown,
      }),
    );
  });
  actors.push(new LanSegment('lan', new Map(members.map((member, index) => [memberAddress(index), member]))));
  const clients: number[] = [];
  if (http !== undefined) {
    clients.push(client);
    actors.push(
      new SessionClients({
        ...httpUsers(http),
        idSlot: 0,
        entryPoints: [lan],
        stopArrivalsAtUs: scenario.duration,
        addresses: members.map((_, index) => memberAddress(index)),
        requestTimeoutUs: http.timeout ?? defaultRequestTimeoutUs,
      }),
    );
  }

  const initialEvents: InitialEvent[] = [];
  // The members start on behalf of the timeline, before its steps: a step at time zero acts on a started member.
  for (const member of members) initialEvents.push({ atUs: 0, origin: 0, target: member, message: ClusterCatsMember.start() });
  for (const index of clients) initialEvents.push({ atUs: 0, origin: index, target: index, message: SessionClients.start() });
  scenario.timeline.forEach((step, index) => {
    if (step.maintenance !== undefined) {
      problems.push(loaded.problemAt(['timeline', index, 'maintenance'], 'a ClusterCATS cluster is taken into maintenance with clustercats steps (peakThreshold, service, drainDownPeriod)'));
    }
    const admin = step.clustercats;
    if (admin === undefined) return;
    const target = serverByName.get(admin.member);
    if (target === undefined) {
      problems.push(loaded.problemAt(['timeline', index, 'clustercats', 'member'], `unknown member "${admin.member}" (members are named like ${memberNames[0] ?? 'node1/app-1'})`));
      return;
    }
    if (admin.service === 'stopped' && admin.drainDownPeriod === undefined) {
      problems.push(loaded.problemAt(['timeline', index, 'clustercats'], 'stopping the service needs a drainDownPeriod (0s fails over at once)'));
    }
    initialEvents.push({
      atUs: step.at,
      origin: 0,
      target,
      message: {
        $case: 'clustercats',
        value: {
          peakThresholdPercent: admin.peakThreshold,
          gradualThresholdPercent: admin.gradualThreshold,
          service: admin.service === 'stopped' ? ClusterCatsService.STOPPED : admin.service === 'running' ? ClusterCatsService.RUNNING : ClusterCatsService.UNSPECIFIED,
          drainDownPeriodUs: admin.drainDownPeriod ?? 0,
        },
      },
    });
  });
  if (problems.length > 0) throw new ScenarioError(problems);
  initialEvents.push(...plan.events);

  return {
    actors,
    actorNames,
    network: new FaultyNetwork(new ScenarioNetwork(toDistribution(scenario.network.latency)), plan.linkFaults, new Set([lan])),
    servers: members,
    serverByName,
    nodeServers,
    routers: [],
    routerByName: new Map(),
    routerNodes: new Map(),
    clusters: new Map([[scenario.cluster.name, members]]),
    clients,
    initialEvents,
    // A member's picture of its peers is a report interval and a failure timeout behind at most.
    clusterCats: { members, viewLagUs: spec.loadReportInterval + spec.heartbeat.timeout },
  };
}
