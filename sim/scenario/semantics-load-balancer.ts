import type { ScenarioProblem } from './load.js';
import type { Scenario } from './schema.js';
import type { SemanticCheck } from './semantics.js';
import { actionsByProfile, balancerActions } from './schema-load-balancer.js';
import { formatDuration } from './units.js';

/**
 * The load balancer's settings: Envoy health checks have no defaults (every field is given), a
 * check has a positive interval and times out within it, timeline actions are the profile's own (on a backend, or
 * on the balancer itself for drain-listeners and stop), and settings of
 * another product's section are not silently ignored.
 */
export const loadBalancerSettings: SemanticCheck = (scenario: Scenario, problemAt) => {
  const spec = scenario.loadBalancer;
  const problems: ScenarioProblem[] = [];
  if (spec === undefined) {
    scenario.timeline.forEach((step, index) => {
      if (step.loadBalancer !== undefined) problems.push(problemAt(['timeline', index, 'loadBalancer'], 'a loadBalancer step needs a loadBalancer: section'));
    });
    return problems;
  }
  const check = spec.healthCheck;
  if (spec.profile === 'envoy' && check !== undefined) {
    for (const field of ['interval', 'timeout', 'unhealthyThreshold', 'healthyThreshold'] as const) {
      if (check[field] === undefined) problems.push(problemAt(['loadBalancer', 'healthCheck'], `Envoy health checks have no defaults: give ${field}`));
    }
  }
  for (const field of ['interval', 'timeout'] as const) {
    if (check?.[field] === 0) problems.push(problemAt(['loadBalancer', 'healthCheck', field], `${field} must be more than 0`));
  }
  if (check?.interval !== undefined && check.timeout !== undefined && check.timeout > check.interval) {
    problems.push(problemAt(['loadBalancer', 'healthCheck', 'timeout'], `timeout (${formatDuration(check.timeout)}) must be at most interval (${formatDuration(check.interval)})`));
  }
  if (spec.aws.connectionTermination && spec.profile !== 'aws-nlb') problems.push(problemAt(['loadBalancer', 'aws', 'connectionTermination'], 'connection termination is an NLB setting (profile: aws-nlb)'));
  const allowed = actionsByProfile[spec.profile];
  scenario.timeline.forEach((step, index) => {
    const admin = step.loadBalancer;
    if (admin === undefined) return;
    const where = ['timeline', index, 'loadBalancer'];
    if (!allowed.includes(admin.action)) problems.push(problemAt([...where, 'action'], `${spec.profile} has no action "${admin.action}" (its actions: ${allowed.join(', ')})`));
    const onBalancer = (balancerActions as readonly string[]).includes(admin.action);
    if (onBalancer && admin.backend !== undefined) problems.push(problemAt([...where, 'backend'], `${admin.action} acts on the balancer itself: remove backend`));
    if (!onBalancer && admin.backend === undefined) problems.push(problemAt(where, `${admin.action} acts on one backend: give backend`));
  });
  return problems;
};
