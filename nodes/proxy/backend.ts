/**
 * Where a backend stands in its load balancer's configuration, whatever the product calls it:
 * - active: in rotation (HAProxy ready, Envoy in discovery, AWS registered, NGINX up);
 * - drain: no new sessions, the sticky ones still come (HAProxy/NGINX drain), or none at all
 *   (Envoy EDS DRAINING, ALB deregistering: their rules say which);
 * - maint: no traffic (HAProxy maint, NGINX down);
 * - removed: gone from Envoy's discovery, kept while its health checks pass;
 * - gone: out of the pool (Envoy removal complete, AWS target unused).
 */
export type AdminState = 'active' | 'drain' | 'maint' | 'removed' | 'gone';

/** A load balancer's picture of one backend. */
export interface Backend {
  readonly actor: number;
  readonly name: string;
  admin: AdminState;
  /** Healthy as the balancer sees it: its active checks pass and no passive detector took it out. */
  healthy: boolean;
  checksPass: boolean;
  /** Its agent (HAProxy agent-check) last said `down`: down whatever the health checks say, until the agent says `up`. */
  agentDown: boolean;
  passiveOut: boolean;
  /** Requests forwarded to it and not yet answered. */
  inFlight: number;
  /** Sessions bound to it (cookie, stick table, connection). */
  boundSessions: number;
  /** When it came (back) into service; slow start ramps its weight from here. */
  inServiceSinceUs: number;
  /** Smooth weighted round robin's running score. */
  score: number;
}

export function newBackend(actor: number, name: string): Backend {
  return { actor, name, admin: 'active', healthy: true, checksPass: true, agentDown: false, passiveOut: false, inFlight: 0, boundSessions: 0, inServiceSinceUs: Number.NEGATIVE_INFINITY, score: 0 };
}

/**
 * Smooth weighted round robin (NGINX's, and HAProxy's roundrobin in effect): each pick adds every
 * candidate's weight to its score, takes the highest score, and takes the total off the winner.
 * Deterministic, and spreads picks evenly by weight. Ties go to the first candidate.
 */
export function pickWeighted(candidates: readonly Backend[], weightOf: (backend: Backend) => number): Backend | undefined {
  let total = 0;
  let best: Backend | undefined;
  for (const backend of candidates) {
    const weight = weightOf(backend);
    total += weight;
    backend.score += weight;
    if (best === undefined || backend.score > best.score) best = backend;
  }
  if (best === undefined || total <= 0) return candidates[0];
  best.score -= total;
  return best;
}
