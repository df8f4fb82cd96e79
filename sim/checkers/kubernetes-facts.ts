import type { DisruptionBudget } from '../../nodes/kubernetes/disruption-budget.js';
import type { RollingUpdateBounds } from '../../nodes/kubernetes/rolling-update.js';

/** What the Kubernetes rules need from the scenario: the Deployment's bounds, its budget, who consumes its endpoints. */
export interface KubernetesFacts {
  bounds: RollingUpdateBounds;
  minReadyUs: number;
  budget: DisruptionBudget | undefined;
  /** Consumer actors, by index. */
  consumers: readonly number[];
}
