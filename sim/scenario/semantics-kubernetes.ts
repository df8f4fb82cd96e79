import { nearest } from './issues.js';
import type { LoadedScenario, ScenarioProblem } from './load.js';
import type { Scenario } from './schema.js';
import { consumerInstanceNames } from './schema-kubernetes.js';

type ProblemAt = LoadedScenario['problemAt'];

/** Timeline actions a Kubernetes scenario has no target for: its pods are changed by `kubernetes:` steps. */
const otherActions = ['maintenance', 'control', 'crash', 'restart', 'slow', 'clustercats'] as const;

/**
 * What the `kubernetes:` section and steps need beyond their schema: HTTP load, nodes that
 * exist, consumers named once, a delay for consumers with no documented one, and no steps of the
 * other topologies.
 */
export function kubernetesSemantics(scenario: Scenario, problemAt: ProblemAt): ScenarioProblem[] {
  const spec = scenario.kubernetes;
  const problems: ScenarioProblem[] = [];
  if (spec === undefined) {
    scenario.timeline.forEach((step, index) => {
      if (step.kubernetes !== undefined) problems.push(problemAt(['timeline', index, 'kubernetes'], 'a kubernetes step needs a kubernetes: section (the Deployment it acts on)'));
    });
    return problems;
  }
  if (scenario.workload.http === undefined) problems.push(problemAt(['workload'], 'a Kubernetes Service here serves HTTP: give workload.http'));
  for (const protocol of ['sip', 'ejb', 'jms'] as const) {
    if (scenario.workload[protocol] !== undefined) problems.push(problemAt(['workload', protocol], `a Kubernetes scenario serves HTTP only: remove workload.${protocol}`));
  }
  const seen = new Set<string>();
  spec.consumers.forEach((consumer, index) => {
    for (const name of consumerInstanceNames(consumer)) {
      if (seen.has(name)) problems.push(problemAt(['kubernetes', 'consumers', index, 'name'], `consumer name "${name}" is used twice`));
      seen.add(name);
    }
    if (consumer.kind !== 'kube-proxy' && consumer.delay === undefined) {
      problems.push(problemAt(['kubernetes', 'consumers', index], `give the delay of this ${consumer.kind}: from an EndpointSlice change to its routing by it (no documented default)`));
    }
  });
  const nodes = Array.from({ length: scenario.cluster.nodes.count }, (_, index) => `node${index + 1}`);
  scenario.timeline.forEach((step, index) => {
    for (const action of otherActions) {
      if (step[action] !== undefined) problems.push(problemAt(['timeline', index, action], `a Kubernetes scenario changes its pods with kubernetes steps (rollout, drain, crashNode), not ${action}`));
    }
    for (const key of ['drain', 'crashNode'] as const) {
      const node = step.kubernetes?.[key];
      if (node === undefined || nodes.includes(node)) continue;
      const suggestion = nearest(node, nodes);
      problems.push(problemAt(['timeline', index, 'kubernetes', key], `unknown node "${node}" (nodes are node1..node${nodes.length}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`})`));
    }
  });
  return problems;
}
