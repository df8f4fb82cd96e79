import { AwsProfile, albHealthCheckDefaults, nlbHealthCheckDefaults } from '../../../nodes/proxy/aws-elb.js';
import { EnvoyProfile } from '../../../nodes/proxy/envoy.js';
import { HaproxyProfile, haproxyHealthCheckDefaults } from '../../../nodes/proxy/haproxy.js';
import type { HealthCheckConfig } from '../../../nodes/proxy/health-checks.js';
import { NginxProfile, nginxPlusHealthCheckDefaults } from '../../../nodes/proxy/nginx.js';
import type { BalancerProfile } from '../../../nodes/proxy/profile.js';
import type { LoadBalancerSpec } from '../../scenario/schema-load-balancer.js';

/** The health checks a scenario gives, over the product's defaults (Envoy: the whole block, no defaults). */
function healthChecks(spec: LoadBalancerSpec, defaults: HealthCheckConfig): HealthCheckConfig {
  const given = spec.healthCheck;
  return {
    intervalUs: given?.interval ?? defaults.intervalUs,
    timeoutUs: given?.timeout ?? given?.interval ?? defaults.timeoutUs,
    unhealthyThreshold: given?.unhealthyThreshold ?? defaults.unhealthyThreshold,
    healthyThreshold: given?.healthyThreshold ?? defaults.healthyThreshold,
    downOnFirstBadAnswer: defaults.downOnFirstBadAnswer,
  };
}

/** Envoy requires every field of a health check; its HTTP checks fail at once on a bad status. */
const envoyHealthCheckShape: HealthCheckConfig = { intervalUs: 5_000_000, timeoutUs: 1_000_000, unhealthyThreshold: 2, healthyThreshold: 2, downOnFirstBadAnswer: true };

/** The profile of the scenario's load balancer, its defaults the product's. */
export function profileOf(spec: LoadBalancerSpec, backendCount: number): BalancerProfile {
  switch (spec.profile) {
    case 'haproxy':
      return new HaproxyProfile({
        healthChecks: healthChecks(spec, haproxyHealthCheckDefaults),
        slowStartUs: spec.slowStart,
        retries: spec.retries ?? 3,
        redispatch: spec.haproxy.redispatch,
        forcePersist: spec.haproxy.forcePersist,
        shutdownSessions: spec.haproxy.shutdownSessions,
        maxconn: spec.haproxy.maxconn,
        agentInterUs: spec.haproxy.agentInter,
      });
    case 'envoy': {
      const outliers = spec.envoy.outlierDetection;
      return new EnvoyProfile({
        healthChecks: spec.healthCheck === undefined ? undefined : healthChecks(spec, envoyHealthCheckShape),
        panicThresholdPercent: spec.envoy.panicThreshold,
        ignoreHealthOnHostRemoval: spec.envoy.ignoreHealthOnHostRemoval,
        outlierDetection:
          outliers === undefined
            ? undefined
            : { consecutive5xx: outliers.consecutive5xx, baseEjectionTimeUs: outliers.baseEjectionTime, maxEjectionTimeUs: outliers.maxEjectionTime, maxEjectionPercent: outliers.maxEjectionPercent },
        slowStartWindowUs: spec.slowStart,
        slowStartAggression: spec.envoy.slowStartAggression,
        slowStartMinWeightPercent: spec.envoy.slowStartMinWeightPercent,
        retries: spec.retries ?? 0,
        listenerDrainTimeUs: spec.envoy.drainTime,
        listenerDrainStrategy: spec.envoy.drainStrategy,
      });
    }
    case 'nginx':
      return new NginxProfile({
        maxFails: spec.nginx.maxFails,
        failTimeoutUs: spec.nginx.failTimeout,
        slowStartUs: spec.slowStart,
        healthChecks: spec.healthCheck === undefined ? undefined : healthChecks(spec, nginxPlusHealthCheckDefaults),
        retries: spec.retries ?? Math.max(0, backendCount - 1),
        nonIdempotent: spec.nginx.nonIdempotent,
      });
    case 'aws-alb':
    case 'aws-nlb': {
      const kind = spec.profile === 'aws-alb' ? 'alb' : 'nlb';
      return new AwsProfile({
        kind,
        healthChecks: healthChecks(spec, kind === 'alb' ? albHealthCheckDefaults : nlbHealthCheckDefaults),
        deregistrationDelayUs: spec.aws.deregistrationDelay,
        connectionTermination: spec.aws.connectionTermination,
        slowStartUs: spec.slowStart,
      });
    }
  }
}
