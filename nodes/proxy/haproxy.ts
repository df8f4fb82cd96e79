import type { Backend } from './backend.js';
import type { HealthCheckConfig } from './health-checks.js';
import { inRotation, type BackendAction, type BalancerProfile } from './profile.js';
import { linearRampFactor } from './slow-start.js';

export interface HaproxyConfig {
  healthChecks: HealthCheckConfig;
  slowStartUs: number;
  retries: number;
  redispatch: boolean;
  forcePersist: boolean;
  shutdownSessions: boolean;
  /** Server `maxconn`: connections a server takes at most, the rest queued; 0 (the default): no limit. */
  maxconn: number;
  /** `agent-inter`: how often each server's agent is polled (HAProxy's default 2 s). */
  agentInterUs: number;
}

/** HAProxy's documented defaults: `check inter 2s fall 3 rise 2` (timeout check defaults to inter), `retries 3`. */
export const haproxyHealthCheckDefaults: HealthCheckConfig = { intervalUs: 2_000_000, timeoutUs: 2_000_000, unhealthyThreshold: 3, healthyThreshold: 2, downOnFirstBadAnswer: false };

/**
 * HAProxy, runtime API `set server <b>/<s> state ready|drain|maint` and `weight 0`:
 * - drain: out of balancing, still checked, still takes persistent (cookie) sessions;
 * - maint: no traffic, checks paused, persistence skipped (those users rebalance) unless
 *   `option persist`/`force-persist`;
 * - `weight 0` takes the server out of balancing like drain (persistent sessions still come), but
 *   apart from the admin state: `state ready` leaves it at weight 0, restoring the weight does
 *   not end an admin drain;
 * - requests in flight survive both; `on-marked-down shutdown-sessions` cuts them when the checks
 *   mark the server down;
 * - leaving maint (or coming back up) enters `slowstart`: the weight ramps linearly, and so does
 *   `maxconn`, from 1 connection (queue.c, srv_dynamic_maxconn);
 * - a refused request is retried `retries` times; `option redispatch` sends retries elsewhere;
 * - with `maxconn`, requests beyond it wait in the server's queue (persistent) or the backend's;
 *   a server leaving rotation (drain, maint, down) has its queue balanced afresh only with
 *   `option redispatch` and without `option persist` (queue.c, pendconn_redistribute);
 * - the server's agent (agent-check) may report `ready`, `drain` or `maint` (the runtime API's
 *   admin states) or `up`/`down` (the server's operational state), applied at the next agent poll
 *   (every `agent-inter`), not at once; maint pauses the health checks, not the agent.
 */
export class HaproxyProfile implements BalancerProfile {
  readonly name = 'haproxy';
  readonly healthChecks: HealthCheckConfig;
  readonly retries: number;
  readonly retryElsewhere: boolean;
  readonly cutsWhenMarkedDown: boolean;
  readonly maxconn: number;
  readonly redistributesQueue: boolean;
  readonly agentIntervalUs: number;
  /** Servers set to drain by the admin state, and servers at weight 0: either keeps a server out of balancing. */
  private readonly drainedByState = new Set<number>();
  private readonly atWeightZero = new Set<number>();

  constructor(private readonly config: HaproxyConfig) {
    this.healthChecks = config.healthChecks;
    this.retries = config.retries;
    this.retryElsewhere = config.redispatch;
    this.cutsWhenMarkedDown = config.shutdownSessions;
    this.maxconn = config.maxconn;
    this.redistributesQueue = config.redispatch && !config.forcePersist;
    this.agentIntervalUs = config.agentInterUs;
  }

  adminAfter(action: BackendAction, backend: Backend): Backend['admin'] | undefined {
    const server = backend.actor;
    switch (action) {
      case 'ready':
        this.drainedByState.delete(server);
        return this.atWeightZero.has(server) ? 'drain' : 'active';
      case 'drain':
        this.drainedByState.add(server);
        return 'drain';
      case 'maint':
        this.drainedByState.delete(server);
        return 'maint';
      case 'weight-zero':
        this.atWeightZero.add(server);
        return backend.admin === 'active' ? 'drain' : undefined;
      case 'weight-restore':
        this.atWeightZero.delete(server);
        return backend.admin === 'drain' && !this.drainedByState.has(server) ? 'active' : undefined;
      default:
        return undefined;
    }
  }

  adminAfterHealthChange(backend: Backend): Backend['admin'] {
    return backend.admin;
  }

  checks(backend: Backend): boolean {
    return backend.admin !== 'maint';
  }

  honoursPersistence(backend: Backend): boolean {
    if (backend.admin === 'maint') return this.config.forcePersist;
    return (backend.admin === 'active' || backend.admin === 'drain') && backend.healthy;
  }

  candidates(backends: readonly Backend[]): { backends: Backend[] } {
    return { backends: backends.filter(inRotation) };
  }

  weightFactor(backend: Backend, nowUs: number): number {
    return linearRampFactor(nowUs - backend.inServiceSinceUs, this.config.slowStartUs);
  }

  maxconnNow(backend: Backend, nowUs: number): number {
    return Math.max(1, Math.floor(this.maxconn * this.weightFactor(backend, nowUs)));
  }

  observeAnswer(): number {
    return 0;
  }

  returnToService(): void {}
}
