import { ScenarioError } from '../../scenario/load.js';
import { instanceSlotsPerNode } from '../../scenario/semantics.js';
import type { Scenario } from '../../scenario/schema.js';

/** An application server to build: its name, node, cluster and how it starts. */
export interface ServerPlan {
  name: string;
  node: string;
  cluster: string;
  startsRunning: boolean;
  startupUs: number;
}

/** Servers node by node: the static cluster's, then each dynamic cluster's instance slots (the first `min` running). */
export function planServers(scenario: Scenario, problem: (path: (string | number)[], message: string) => ScenarioError): ServerPlan[] {
  const cluster = scenario.cluster;
  const nodeCount = cluster.nodes.count;
  const names = new Set<string>([cluster.name]);
  cluster.dynamicClusters.forEach((spec, index) => {
    if (names.has(spec.name)) throw problem(['cluster', 'dynamicClusters', index, 'name'], `cluster name "${spec.name}" is used twice`);
    names.add(spec.name);
    if (spec.min > spec.max) throw problem(['cluster', 'dynamicClusters', index], `min (${spec.min}) is above max (${spec.max})`);
    if (spec.min > nodeCount * spec.verticalStacking) throw problem(['cluster', 'dynamicClusters', index], `min (${spec.min}) is more than the nodes can hold (${nodeCount} x ${spec.verticalStacking})`);
  });
  const plans: ServerPlan[] = [];
  for (let node = 1; node <= nodeCount; node++) {
    const nodeName = `node${node}`;
    for (let member = 1; member <= cluster.nodes.servers; member++) {
      plans.push({ name: `${nodeName}/${cluster.name}-${member}`, node: nodeName, cluster: cluster.name, startsRunning: true, startupUs: cluster.server.startup ?? 0 });
    }
    for (const spec of cluster.dynamicClusters) {
      // The slots beyond the vertical stacking stay dormant (instances not created) until placement needs them.
      for (let member = 1; member <= instanceSlotsPerNode(spec.verticalStacking); member++) {
        // Initial instances are spread over the nodes first, then stacked.
        const rank = (member - 1) * nodeCount + (node - 1);
        plans.push({ name: `${nodeName}/${spec.name}-${member}`, node: nodeName, cluster: spec.name, startsRunning: rank < spec.min, startupUs: spec.startup });
      }
    }
  }
  return plans;
}
