import { AddressChecker } from './addresses.js';
import { AffinityChecker } from './affinity.js';
import type { Checker } from './checker.js';
import { answerGraceFor, ConservationChecker } from './conservation.js';
import { DrainChecker } from './drain.js';
import { HealthLivenessChecker, type HealthLivenessOptions } from './health-liveness.js';
import { JmsFlowChecker } from './jms-flows.js';
import { LoadBalancerChecker, type LoadBalancerFacts } from './load-balancer.js';
import { ExitedEndpointChecker } from './kubernetes-endpoints.js';
import type { KubernetesFacts } from './kubernetes-facts.js';
import { KubernetesRolloutChecker } from './kubernetes-rollout.js';
import { MaintenanceAdmissionChecker, type ClusterCatsMembers } from './maintenance-admission.js';
import { PlacementChecker, type ClusterMember } from './placement.js';
import { PlacementLivenessChecker, type PlacementLivenessOptions } from './placement-liveness.js';

/** What the rules need from the scenario: the dynamic clusters as configured and the health policies. */
export interface ScenarioFacts {
  placement: PlacementLivenessOptions;
  health: HealthLivenessOptions;
  /** The ClusterCATS members and their views' lag, when the topology is one. */
  clusterCats?: ClusterCatsMembers;
  /** The longest time a client waits for an answer before it gives up, when clients give up at all. */
  requestTimeoutUs?: number;
  /** The load balancer's profile and what it is configured to promise, when the topology has one. */
  loadBalancer?: LoadBalancerFacts;
  /** A Kubernetes Deployment's bounds and actors, when the topology is one. */
  kubernetes?: KubernetesFacts;
}

const noScenarioFacts: ScenarioFacts = {
  placement: { clusters: [], controller: 'placement', decisionIntervalUs: 5_000_000, loadReportIntervalUs: 1_000_000 },
  health: { policies: [], controller: 'health', windowUs: 1_000_000 },
};

/** Every invariant checked on every run. */
export function standardCheckers(actorNames: readonly string[], clusterMembers?: ReadonlyMap<string, readonly ClusterMember[]>, facts: ScenarioFacts = noScenarioFacts): Checker[] {
  return [
    new ConservationChecker(answerGraceFor(facts.requestTimeoutUs)),
    new MaintenanceAdmissionChecker(facts.clusterCats),
    new AffinityChecker(facts.clusterCats?.viewLagUs),
    new JmsFlowChecker(),
    new PlacementChecker(actorNames, clusterMembers, {
      configuredPerNode: new Map(facts.placement.clusters.map((cluster) => [cluster.name, cluster.verticalStacking])),
      reportDelayUs: facts.placement.loadReportIntervalUs,
    }),
    new PlacementLivenessChecker(facts.placement),
    new HealthLivenessChecker(facts.health),
    new AddressChecker(facts.clusterCats?.viewLagUs),
    new DrainChecker(),
    ...(facts.loadBalancer === undefined ? [] : [new LoadBalancerChecker(facts.loadBalancer)]),
    ...(facts.kubernetes === undefined ? [] : [new ExitedEndpointChecker(), new KubernetesRolloutChecker(facts.kubernetes)]),
  ];
}
