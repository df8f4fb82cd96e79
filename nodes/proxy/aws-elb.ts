import type { Backend } from './backend.js';
import type { HealthCheckConfig } from './health-checks.js';
import { inRotation, type BackendAction, type BalancerProfile, type Spread } from './profile.js';
import { linearRampFactor } from './slow-start.js';

export interface AwsConfig {
  kind: 'alb' | 'nlb';
  healthChecks: HealthCheckConfig;
  deregistrationDelayUs: number;
  connectionTermination: boolean;
  slowStartUs: number;
}

/** ALB target group health checks: interval 30 s, timeout 5 s, healthy threshold 5, unhealthy threshold 2. */
export const albHealthCheckDefaults: HealthCheckConfig = { intervalUs: 30_000_000, timeoutUs: 5_000_000, healthyThreshold: 5, unhealthyThreshold: 2, downOnFirstBadAnswer: false };
/** NLB target group health checks: interval 30 s, timeout 10 s, healthy threshold 5, unhealthy threshold 2. */
export const nlbHealthCheckDefaults: HealthCheckConfig = { intervalUs: 30_000_000, timeoutUs: 10_000_000, healthyThreshold: 5, unhealthyThreshold: 2, downOnFirstBadAnswer: false };

/**
 * AWS Application and Network Load Balancers, target groups:
 * - deregistering a target drains it: no new requests; the drain ends at the deregistration delay
 *   (300 s), or early once no request (ALB) or connection (NLB) is left;
 * - ALB stickiness re-binds a sticky user to another target when theirs is draining; ALB cuts
 *   what is in flight at the end of the delay;
 * - NLB keeps an established connection flowing to a deregistered target; it cuts it at the end
 *   of the delay only with connection termination on;
 * - fail-open: when no target is healthy, requests go to every registered target;
 * - ALB slow start: a linear ramp, skipped unless another healthy target is not in slow start.
 */
export class AwsProfile implements BalancerProfile {
  readonly name: string;
  readonly healthChecks: HealthCheckConfig;
  readonly retries = 0;
  readonly retryElsewhere = true;
  readonly cutsWhenMarkedDown = false;
  readonly drainDeadlineUs: number;
  readonly cutsAtDrainTimeout: boolean;

  constructor(private readonly config: AwsConfig) {
    this.name = `aws-${config.kind}`;
    this.healthChecks = config.healthChecks;
    this.drainDeadlineUs = config.deregistrationDelayUs;
    this.cutsAtDrainTimeout = config.kind === 'alb' || config.connectionTermination;
  }

  adminAfter(action: BackendAction): Backend['admin'] | undefined {
    if (action === 'deregister') return 'drain';
    if (action === 'register') return 'active';
    return undefined;
  }

  adminAfterHealthChange(backend: Backend): Backend['admin'] {
    return backend.admin;
  }

  checks(backend: Backend): boolean {
    return backend.admin === 'active';
  }

  honoursPersistence(backend: Backend): boolean {
    // A sticky user of an unhealthy target is routed to a healthy one (ALB stickiness; NLB ends
    // the connections of an unhealthy target by default).
    if (!backend.healthy) return false;
    if (backend.admin === 'active') return true;
    return this.config.kind === 'nlb' && backend.admin === 'drain';
  }

  drainIsOver(backend: Backend): boolean {
    return backend.inFlight === 0 && (this.config.kind === 'alb' || backend.boundSessions === 0);
  }

  candidates(backends: readonly Backend[]): { backends: Backend[]; spread?: Spread } {
    const registered = backends.filter((backend) => backend.admin === 'active');
    const healthy = registered.filter(inRotation);
    if (healthy.length === 0 && registered.length > 0) return { backends: registered, spread: 'fail-open' };
    return { backends: healthy };
  }

  weightFactor(backend: Backend, nowUs: number, backends: readonly Backend[]): number {
    if (this.config.kind === 'nlb') return 1;
    const warm = backends.some((other) => other !== backend && inRotation(other) && linearRampFactor(nowUs - other.inServiceSinceUs, this.config.slowStartUs) >= 1);
    return warm ? linearRampFactor(nowUs - backend.inServiceSinceUs, this.config.slowStartUs) : 1;
  }

  observeAnswer(): number {
    return 0;
  }

  returnToService(): void {}
}
