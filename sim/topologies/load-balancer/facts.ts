import type { LoadBalancerFacts } from '../../checkers/load-balancer.js';
import type { LoadBalancerSpec } from '../../scenario/schema-load-balancer.js';

/** What the scenario's load balancer promises, for its checker: the profile and the settings that change its promises. */
export function loadBalancerFacts(spec: LoadBalancerSpec, backends: readonly number[]): LoadBalancerFacts {
  const cutCauses: string[] = [];
  if (spec.profile === 'haproxy' && spec.haproxy.shutdownSessions) cutCauses.push('shutdown-sessions');
  // SIGTERM: Envoy exits at once, whatever is in flight (a drain first is the operator's part).
  if (spec.profile === 'envoy') cutCauses.push('balancer-exit');
  if (spec.profile === 'aws-alb' || (spec.profile === 'aws-nlb' && spec.aws.connectionTermination)) cutCauses.push('deregistration-delay');
  return { profile: spec.profile, forcePersist: spec.haproxy.forcePersist, panicThresholdPercent: spec.envoy.panicThreshold, cutCauses, nonIdempotent: spec.nginx.nonIdempotent,
    redistributesQueue: spec.profile === 'haproxy' && spec.haproxy.redispatch && !spec.haproxy.forcePersist,
    backends,
  };
}
