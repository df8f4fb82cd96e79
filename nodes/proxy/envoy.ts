import type { Backend } from './backend.js';
import type { HealthCheckConfig } from './health-checks.js';
import { OutlierDetector, type OutlierDetectionConfig } from './outlier-detection.js';
import type { AnswerFailure, BackendAction, BalancerProfile, Spread } from './profile.js';
import type { DrainStrategy } from './listeners.js';
import { envoyRampFactor } from './slow-start.js';

export interface EnvoyConfig {
  /** Active health checks have no defaults in Envoy: none unless configured. */
  healthChecks: HealthCheckConfig | undefined;
  panicThresholdPercent: number;
  ignoreHealthOnHostRemoval: boolean;
  outlierDetection: OutlierDetectionConfig | undefined;
  slowStartWindowUs: number;
  slowStartAggression: number;
  slowStartMinWeightPercent: number;
  retries: number;
  /** --drain-time-s: how long `drain_listeners?graceful` discourages requests before the listeners close. */
  listenerDrainTimeUs: number;
  /** --drain-strategy: gradual (responses close their connection ever more often over the drain time) or immediate. */
  listenerDrainStrategy: DrainStrategy;
}

/**
 * Envoy, with hosts from EDS:
 * - a host gone from discovery stays while its active health checks pass (eventually consistent
 *   discovery), and leaves once they fail, unless `ignore_health_on_host_removal`; removing a
 *   host lets its requests in flight finish;
 * - a host reported DRAINING by EDS is taken as unhealthy: no new requests;
 * - an HTTP check answered with an unexpected status marks the host unhealthy at once;
 * - outlier detection ejects a host after consecutive 5xx, for base_ejection_time × times ejected;
 * - panic threshold: when fewer than 50% of the hosts are healthy, traffic goes to all hosts;
 * - slow start: weight × max(min_weight_percent, time_factor^(1/aggression));
 * - listener drain (`drain_listeners?graceful`): new connections are accepted for the drain time,
 *   then the listeners close; meanwhile responses close their client's connection (HTTP/1.1
 *   `Connection: close`, HTTP/2 GOAWAY) with a probability growing to 1 over the drain time
 *   (gradual strategy), or always (immediate); SIGTERM alone exits at once, cutting what is in flight.
 */
export class EnvoyProfile implements BalancerProfile {
  readonly name = 'envoy';
  readonly healthChecks: HealthCheckConfig | undefined;
  readonly retries: number;
  readonly retryElsewhere = true;
  readonly cutsWhenMarkedDown = false;
  readonly listenerDrainTimeUs: number;
  readonly listenerDrainStrategy: DrainStrategy;
  private readonly outliers: OutlierDetector | undefined;

  constructor(private readonly config: EnvoyConfig) {
    this.healthChecks = config.healthChecks;
    this.retries = config.retries;
    this.listenerDrainTimeUs = config.listenerDrainTimeUs;
    this.listenerDrainStrategy = config.listenerDrainStrategy;
    this.outliers = config.outlierDetection === undefined ? undefined : new OutlierDetector(config.outlierDetection);
  }

  adminAfter(action: BackendAction, backend: Backend): Backend['admin'] | undefined {
    if (action === 'add') return 'active';
    if (action === 'eds-draining') return 'drain';
    if (action !== 'remove') return undefined;
    // Without active checks there is nothing to keep the host for.
    const keptWhileHealthy = !this.config.ignoreHealthOnHostRemoval && this.healthChecks !== undefined && backend.healthy;
    return keptWhileHealthy ? 'removed' : 'gone';
  }

  adminAfterHealthChange(backend: Backend): Backend['admin'] {
    return backend.admin === 'removed' && !backend.checksPass ? 'gone' : backend.admin;
  }

  checks(backend: Backend): boolean {
    return backend.admin !== 'gone';
  }

  honoursPersistence(backend: Backend): boolean {
    return (backend.admin === 'active' || backend.admin === 'removed') && backend.healthy;
  }

  candidates(backends: readonly Backend[]): { backends: Backend[]; spread?: Spread } {
    const hosts = backends.filter((backend) => backend.admin !== 'gone');
    const healthy = hosts.filter((backend) => backend.healthy && (backend.admin === 'active' || backend.admin === 'removed'));
    if (inPanic(hosts.length, hosts.filter((backend) => backend.admin === 'drain').length, healthy.length, this.config.panicThresholdPercent)) return { backends: hosts, spread: 'panic' };
    return { backends: healthy };
  }

  weightFactor(backend: Backend, nowUs: number): number {
    return envoyRampFactor(nowUs - backend.inServiceSinceUs, this.config.slowStartWindowUs, this.config.slowStartAggression, this.config.slowStartMinWeightPercent);
  }

  /** consecutive_5xx counts error statuses and, mapped to 5xx, connection failures alike. */
  observeAnswer(backend: Backend, failure: AnswerFailure, _nowUs: number, backends: readonly Backend[]): number {
    return this.outliers?.answered(backend.actor, failure !== undefined, backends.filter((each) => each.admin !== 'gone').length) ?? 0;
  }

  returnToService(backend: Backend): void {
    this.outliers?.returnToService(backend.actor);
  }
}

/**
 * Envoy's panic mode: fewer available hosts than the threshold. Hosts excluded from load balancing
 * (EDS DRAINING) do not count in the denominator, yet stay eligible once in panic
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/excluded).
 */
export function inPanic(hosts: number, excluded: number, healthy: number, thresholdPercent: number): boolean {
  const counted = hosts - excluded;
  return counted > 0 && (100 * healthy) / counted < thresholdPercent;
}
