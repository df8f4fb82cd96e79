/** A node as the scheduler sees it. */
export interface SchedulableNode {
  name: string;
  ready: boolean;
  cordoned: boolean;
}

/**
 * The node for a new pod: among the Ready, schedulable nodes, the one running fewest of the
 * Deployment's pods (the default spreading of replicas), the first in order on a tie; undefined
 * when there is none (the pod stays Pending).
 */
export function chooseNode(nodes: readonly SchedulableNode[], podsOnNode: (node: string) => number): string | undefined {
  let best: SchedulableNode | undefined;
  for (const node of nodes) {
    if (!node.ready || node.cordoned) continue;
    if (best === undefined || podsOnNode(node.name) < podsOnNode(best.name)) best = node;
  }
  return best?.name;
}
