import { scaledValue } from './scaled-value.js';

/** A PodDisruptionBudget: exactly one of the two is set. */
export interface DisruptionBudget {
  minAvailable?: number | string | undefined;
  maxUnavailable?: number | string | undefined;
}

/** Healthy pods the budget requires, of `expectedPods` (the Deployment's replicas); percentages round up. */
export function desiredHealthy(budget: DisruptionBudget, expectedPods: number): number {
  if (budget.minAvailable !== undefined) return scaledValue(budget.minAvailable, expectedPods, true);
  return Math.max(0, expectedPods - scaledValue(budget.maxUnavailable ?? 0, expectedPods, true));
}

export interface EvictionDecision {
  granted: boolean;
  desiredHealthy: number;
}

/**
 * The eviction API's decision for one pod: a healthy pod may go when the others still meet the
 * budget; a pod that is not healthy may go when the budget is met without it
 * (unhealthyPodEvictionPolicy IfHealthyBudget, the default). Without a budget every eviction is granted.
 */
export function decideEviction(budget: DisruptionBudget | undefined, healthyPods: number, expectedPods: number, podHealthy: boolean): EvictionDecision {
  if (budget === undefined) return { granted: true, desiredHealthy: 0 };
  const desired = desiredHealthy(budget, expectedPods);
  const granted = podHealthy ? healthyPods - 1 >= desired : healthyPods >= desired;
  return { granted, desiredHealthy: desired };
}
