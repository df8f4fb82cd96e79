import type { Backend } from './backend.js';
import type { HealthCheckConfig } from './health-checks.js';
import { inRotation, type AnswerFailure, type BackendAction, type BalancerProfile, type Spread } from './profile.js';
import { linearRampFactor } from './slow-start.js';

export interface NginxConfig {
  maxFails: number;
  failTimeoutUs: number;
  slowStartUs: number;
  /** NGINX Plus `health_check`; open source NGINX has passive checks only. */
  healthChecks: HealthCheckConfig | undefined;
  /** `proxy_next_upstream_tries`; 0 in NGINX means every server. */
  retries: number;
  /** `proxy_next_upstream ... non_idempotent`: a POST, LOCK or PATCH already sent is passed on too. */
  nonIdempotent: boolean;
}

/** The methods NGINX does not pass to the next server once sent, unless `non_idempotent` is given. */
const nonIdempotentMethods: ReadonlySet<string> = new Set(['POST', 'LOCK', 'PATCH']);

/** NGINX Plus `health_check`: interval 5 s, fails 1, passes 1 (the timeout is the proxy's; here the interval). */
export const nginxPlusHealthCheckDefaults: HealthCheckConfig = { intervalUs: 5_000_000, timeoutUs: 5_000_000, unhealthyThreshold: 1, healthyThreshold: 1, downOnFirstBadAnswer: false };

/**
 * NGINX upstream:
 * - passive checks: `max_fails` (1) failures within `fail_timeout` (10 s) make a server
 *   unavailable for `fail_timeout`; a group of one server is never marked unavailable;
 * - `down`: no traffic; `drain`: only requests bound to the server (sticky) still come;
 * - `slow_start`: the weight ramps linearly once a server is back;
 * - `proxy_next_upstream error timeout`: a refused request goes to the next server, and so does
 *   one whose connection closed after it was sent, unless its method is POST, LOCK or PATCH
 *   (not idempotent: the server may have acted on it) and `non_idempotent` is not given.
 */
export class NginxProfile implements BalancerProfile {
  readonly name = 'nginx';
  readonly healthChecks: HealthCheckConfig | undefined;
  readonly retries: number;
  readonly retryElsewhere = true;
  readonly cutsWhenMarkedDown = false;
  /** Failure times within the current window, by server. */
  private readonly failures = new Map<number, number[]>();

  constructor(private readonly config: NginxConfig) {
    this.healthChecks = config.healthChecks;
    this.retries = config.retries;
  }

  retriesSentRequest(method: string): boolean {
    return this.config.nonIdempotent || !nonIdempotentMethods.has(method);
  }

  adminAfter(action: BackendAction): Backend['admin'] | undefined {
    if (action === 'down') return 'maint';
    if (action === 'drain') return 'drain';
    if (action === 'up') return 'active';
    return undefined;
  }

  adminAfterHealthChange(backend: Backend): Backend['admin'] {
    return backend.admin;
  }

  checks(backend: Backend): boolean {
    return backend.admin !== 'maint';
  }

  honoursPersistence(backend: Backend): boolean {
    return (backend.admin === 'active' || backend.admin === 'drain') && backend.healthy;
  }

  candidates(backends: readonly Backend[]): { backends: Backend[]; spread?: Spread } {
    return { backends: backends.filter(inRotation) };
  }

  weightFactor(backend: Backend, nowUs: number): number {
    return linearRampFactor(nowUs - backend.inServiceSinceUs, this.config.slowStartUs);
  }

  /** An unsuccessful attempt is what proxy_next_upstream counts: by default an error or a timeout, not an HTTP status. */
  observeAnswer(backend: Backend, failure: AnswerFailure, nowUs: number, backends: readonly Backend[]): number {
    if ((failure !== 'connection' && failure !== 'reset') || this.config.maxFails === 0 || backends.length === 1) return 0;
    const recent = (this.failures.get(backend.actor) ?? []).filter((atUs) => nowUs - atUs < this.config.failTimeoutUs);
    recent.push(nowUs);
    this.failures.set(backend.actor, recent);
    if (recent.length < this.config.maxFails) return 0;
    this.failures.delete(backend.actor);
    return this.config.failTimeoutUs;
  }

  returnToService(): void {}
}
