import { desiredHealthy } from '../../nodes/kubernetes/disruption-budget.js';
import type { Checker, CheckerHandlers } from './checker.js';
import type { KubernetesFacts } from './kubernetes-facts.js';
import { PodTracker } from './kubernetes-pods.js';

/**
 * rollout-bounds: the Deployment controller never creates a pod that brings the pods not being
 * deleted above replicas + maxSurge, and never deletes an available pod for a rollout when that
 * leaves fewer than replicas - maxUnavailable available.
 * disruption-budget: the eviction API never grants an eviction that leaves fewer healthy pods
 * than the PodDisruptionBudget requires (for a pod not healthy: when the budget is not met).
 */
export class KubernetesRolloutChecker implements Checker {
  readonly rules = ['rollout-bounds', 'disruption-budget'];
  private readonly pods = new PodTracker();

  constructor(private readonly facts: KubernetesFacts) {}

  readonly handlers: CheckerHandlers = {
    'pod-phase': (timeUs, _actor, record, context) => {
      const { replicas, maxSurge, maxUnavailable } = this.facts.bounds;
      const minReadyUs = this.facts.minReadyUs;
      const wasAvailable = this.pods.isPodReady(record.pod, timeUs, minReadyUs);
      this.pods.phase(record.pod, record.node, record.phase, timeUs);
      if (record.phase === 'pending' && record.reason === 'rollout' && this.pods.notTerminating() > replicas + maxSurge) {
        context.report({ timeUs, rule: 'rollout-bounds', actor: 'control-plane', detail: `created ${context.actorName(record.pod)}: ${this.pods.notTerminating()} pods, above replicas ${replicas} + maxSurge ${maxSurge}` });
      }
      const available = this.pods.ready(timeUs, minReadyUs);
      if (record.phase === 'terminating' && record.reason === 'rollout' && wasAvailable && available < replicas - maxUnavailable) {
        context.report({ timeUs, rule: 'rollout-bounds', actor: 'control-plane', detail: `deleted ${context.actorName(record.pod)}: ${available} pods available, below replicas ${replicas} - maxUnavailable ${maxUnavailable}` });
      }
    },
    'node-condition': (_timeUs, _actor, record) => {
      if (record.condition === 'not-ready') this.pods.nodeNotReady(record.node);
    },
    eviction: (timeUs, _actor, record, context) => {
      const budget = this.facts.budget;
      if (!record.granted || budget === undefined) return;
      const desired = desiredHealthy(budget, this.facts.bounds.replicas);
      const healthy = this.pods.ready(timeUs);
      const left = this.pods.isPodReady(record.pod, timeUs) ? healthy - 1 : healthy;
      if (left >= desired) return;
      context.report({ timeUs, rule: 'disruption-budget', actor: 'control-plane', detail: `evicted ${context.actorName(record.pod)}: ${left} healthy pods left, the budget requires ${desired}` });
    },
  };
}
