import { scaledValue } from './scaled-value.js';

/** A Deployment's rolling-update bounds, resolved against its replicas. */
export interface RollingUpdateBounds {
  replicas: number;
  /** Pods the rollout may create above `replicas`. */
  maxSurge: number;
  /** Available pods the rollout may go below `replicas`. */
  maxUnavailable: number;
}

/**
 * maxSurge rounds up and maxUnavailable rounds down; when both come to zero, maxUnavailable is
 * one, or no rollout could ever make progress (the Deployment controller's ResolveFenceposts).
 */
export function resolveRollingUpdate(replicas: number, maxSurge: number | string, maxUnavailable: number | string): RollingUpdateBounds {
  const surge = scaledValue(maxSurge, replicas, true);
  const unavailable = scaledValue(maxUnavailable, replicas, false);
  return { replicas, maxSurge: surge, maxUnavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

/** A pod the Deployment owns and has not deleted, as its controller counts it. */
export interface OwnedPod {
  pod: number;
  revision: number;
  /** Ready for minReadySeconds. */
  available: boolean;
  ready: boolean;
  started: boolean;
  createdAtUs: number;
}

/** What the controller does in one sync: create pods of the current revision, or delete old ones. */
export interface RolloutStep {
  create: number;
  delete: number[];
}

/**
 * One sync of the Deployment controller's RollingUpdate strategy (pkg/controller/deployment/
 * rolling.go): scale the new ReplicaSet up as far as replicas + maxSurge allow, and when it did
 * not scale up, scale the old ones down as far as replicas - maxUnavailable available pods
 * allow, unavailable old pods first. Pods being deleted are not counted (the ReplicaSets' sizes
 * are what count), so terminating pods may exceed the surge. With no old pods this is the
 * ReplicaSet replacing lost pods.
 */
export function nextRolloutStep(pods: readonly OwnedPod[], revision: number, bounds: RollingUpdateBounds): RolloutStep {
  const { replicas, maxSurge, maxUnavailable } = bounds;
  const current = pods.filter((pod) => pod.revision === revision);
  const old = pods.filter((pod) => pod.revision !== revision);
  const create = Math.max(0, Math.min(replicas + maxSurge - pods.length, replicas - current.length));
  if (create > 0) return { create, delete: [] };

  const minAvailable = replicas - maxUnavailable;
  const currentUnavailable = current.filter((pod) => !pod.available).length;
  const maxScaledDown = pods.length - minAvailable - currentUnavailable;
  if (maxScaledDown <= 0 || old.length === 0) return { create: 0, delete: [] };
  const ordered = scaleDownOrder(old);
  const unhealthy = ordered.filter((pod) => !pod.available).slice(0, maxScaledDown);
  const availableCount = pods.filter((pod) => pod.available).length;
  const healthyToRemove = Math.max(0, availableCount - minAvailable);
  const healthy = ordered.filter((pod) => pod.available).slice(0, healthyToRemove);
  return { create: 0, delete: [...unhealthy, ...healthy].map((pod) => pod.pod) };
}

/** The ReplicaSet's order for deletion: not started, then not ready, then the newest; the pod index breaks ties. */
function scaleDownOrder(pods: readonly OwnedPod[]): OwnedPod[] {
  const rank = (pod: OwnedPod) => (pod.started ? 1 : 0) + (pod.ready ? 1 : 0);
  return [...pods].sort((a, b) => rank(a) - rank(b) || b.createdAtUs - a.createdAtUs || b.pod - a.pod);
}
