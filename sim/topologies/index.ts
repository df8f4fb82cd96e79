import type { LoadedScenario } from '../scenario/load.js';
import { clusterCatsTopology } from './clustercats/build.js';
import { kubernetesTopology } from './kubernetes/build.js';
import { loadBalancerTopology } from './load-balancer/build.js';
import type { Topology, TopologyKind } from './topology.js';
import { websphereTopology } from './websphere/build.js';

export type { InitialEvent, Topology, TopologyKind } from './topology.js';
export { timelineActor } from './topology.js';

/** Every kind of cluster a scenario can describe; the first that describes it builds it. Add a new topology here. */
export const topologyKinds: readonly TopologyKind[] = [kubernetesTopology, loadBalancerTopology, clusterCatsTopology, websphereTopology];

/** The actors of a scenario, built by the kind of topology it describes. */
export function buildTopology(loaded: LoadedScenario, seed = loaded.scenario.seed): Topology {
  const kind = topologyKinds.find((each) => each.describes(loaded.scenario));
  if (kind === undefined) throw new Error(`no topology describes scenario ${loaded.scenario.name}`);
  return kind.build(loaded, seed);
}
