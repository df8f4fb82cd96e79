import type { AdminState, Backend } from './backend.js';
import type { HealthCheckConfig } from './health-checks.js';
import type { DrainStrategy } from './listeners.js';

/** An admin action on a backend, in the words of the profiles together (see each profile for its own). */
export type BackendAction = 'ready' | 'drain' | 'maint' | 'remove' | 'add' | 'eds-draining' | 'deregister' | 'register' | 'down' | 'up' | 'weight-zero' | 'weight-restore';

/** What a server's agent can report (HAProxy agent-check): the admin state it asks for, seen at the next poll. */
export type AgentReport = 'agent-ready' | 'agent-drain' | 'agent-maint' | 'agent-up' | 'agent-down';

/**
 * How an answer from a backend failed, if it did: the connection was refused (the server process
 * is down: HAProxy, NGINX and Envoy retry these); the connection closed after the request was
 * sent (the process stopped or crashed mid-request: NGINX's `error` passes it to the next server
 * unless its method is not idempotent); or the server answered with an error status (a 503 when
 * its queue is full). Envoy's outlier detection counts all three as 5xx.
 */
export type AnswerFailure = 'connection' | 'reset' | 'status' | undefined;

/** Why a request went to a backend that is not in rotation, when the profile allows it. */
export type Spread = 'panic' | 'fail-open';

/**
 * What makes a load balancer one product rather than another: what an admin action does, which
 * backends take new requests and which keep their sticky sessions, when traffic spreads over
 * unhealthy backends, how a backend warms up, how requests are retried. The actor
 * (load-balancer.ts) does the rest, the same for every product.
 */
export interface BalancerProfile {
  readonly name: string;
  /** Active health checks, or none (Envoy without health_checks, NGINX open source). */
  readonly healthChecks: HealthCheckConfig | undefined;
  /** Retries of a request whose connection its backend refused, after the first attempt. */
  readonly retries: number;
  /** A retry goes to another backend (HAProxy option redispatch, Envoy, NGINX next upstream); else to the same one. */
  readonly retryElsewhere: boolean;
  /** Whether a request the backend had already received is retried when its connection closed (NGINX); absent: never, only refused connections are. */
  retriesSentRequest?(method: string): boolean;
  /** The admin state `action` leads to; undefined leaves the backend as it is. */
  adminAfter(action: BackendAction, backend: Backend): AdminState | undefined;
  /** The admin state a change of health leads to (Envoy: a removed host leaves once its checks fail). */
  adminAfterHealthChange(backend: Backend): AdminState;
  /** Whether the balancer still checks the backend's health in its admin state. */
  checks(backend: Backend): boolean;
  /** Whether a request of a session bound to the backend still goes there. */
  honoursPersistence(backend: Backend, nowUs: number): boolean;
  /** The backends a new request may go to, and why when they are not the healthy ones in rotation. */
  candidates(backends: readonly Backend[], nowUs: number): { backends: Backend[]; spread?: Spread };
  /** The share of its weight a backend gets now (slow start), 0..1. */
  weightFactor(backend: Backend, nowUs: number, backends: readonly Backend[]): number;
  /**
   * Passive health (NGINX max_fails, Envoy outlier detection): an answer from the backend, and
   * how it failed. Returns how long the backend is out of service for, or 0.
   */
  observeAnswer(backend: Backend, failure: AnswerFailure, nowUs: number, backends: readonly Backend[]): number;
  /** The backend's time out of service (passive health) is over. */
  returnToService(backend: Backend): void;
  /** The deregistration delay, for profiles whose drain ends by itself (AWS). */
  readonly drainDeadlineUs?: number;
  /** Whether a draining backend has nothing left to drain (AWS: no request in flight, NLB: no connection either). */
  drainIsOver?(backend: Backend): boolean;
  /** Whether what is still in flight on a backend is cut when its drain times out. */
  cutsAtDrainTimeout?: boolean;
  /** Connections a backend takes at most; more requests wait in queues (HAProxy server maxconn). Absent or 0: no limit. */
  readonly maxconn?: number;
  /** The backend's maxconn now, at least 1 (HAProxy slowstart ramps it with the weight); absent: maxconn. */
  maxconnNow?(backend: Backend, nowUs: number): number;
  /** Whether a backend leaving rotation (drain, maint, marked down) has its queued requests balanced afresh (HAProxy option redispatch). */
  readonly redistributesQueue?: boolean;
  /** How long the balancer's own listeners drain before they close (Envoy --drain-time-s); undefined: the product has no listener drain here. */
  readonly listenerDrainTimeUs?: number;
  /** How a listener drain discourages requests (Envoy --drain-strategy); absent: gradual. */
  readonly listenerDrainStrategy?: DrainStrategy;
  /** How often the balancer polls each server's agent (HAProxy agent-inter); undefined: no agent checks. */
  readonly agentIntervalUs?: number;
  /** Whether requests in flight on a backend are cut when its checks mark it down (HAProxy on-marked-down shutdown-sessions). */
  readonly cutsWhenMarkedDown: boolean;
}

/** A backend that may take a new request: in rotation and healthy. */
export function inRotation(backend: Backend): boolean {
  return backend.admin === 'active' && backend.healthy;
}
