import type { Network } from '../kernel/network.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { ClusterCatsMembers } from '../checkers/maintenance-admission.js';
import type { KubernetesFacts } from '../checkers/kubernetes-facts.js';
import type { Message, NodeActor } from '../../nodes/messages.js';

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
  /** ODRs by name (`odr1`), and the ODR of each ODR node (`odrnode1`). */
  routerByName: Map<string, number>;
  routerNodes: Map<string, number[]>;
  /** Servers of each cluster (static and dynamic), by cluster name. */
  clusters: Map<string, number[]>;
  clients: number[];
  initialEvents: InitialEvent[];
  /** A ClusterCATS cluster's members, and how far behind the truth a member's view of its peers may be. */
  clusterCats?: ClusterCatsMembers;
  /** A Kubernetes Deployment's bounds and actors, for its rules and its summary. */
  kubernetes?: KubernetesFacts;
}

export const timelineActor = 0;

/**
 * A kind of cluster a scenario can describe (WebSphere cells behind ODRs, ClusterCATS clusters,
 * ...): whether a scenario is one, and how its actors are built. The kernel, the workload, the
 * checkers and the reports are shared; each kind keeps its logic as actors in nodes/.
 */
export interface TopologyKind {
  name: string;
  describes(scenario: Scenario): boolean;
  build(loaded: LoadedScenario, seed: number): Topology;
}
