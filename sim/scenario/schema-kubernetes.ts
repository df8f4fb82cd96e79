import { z } from 'zod';
import type { durationDistributionSchema, durationSchema } from './schema.js';

/**
 * The `kubernetes:` section of a scenario and its timeline step: a Deployment behind a Service,
 * its rolling update, disruption budget and the consumers of its endpoints. Defaults are the
 * Kubernetes ones (README, section Kubernetes, cites each). Built from the scenario schema's own
 * duration types, handed in, so that both modules share them without an import cycle.
 */
export function kubernetesSchemas(duration: typeof durationSchema, durationDistribution: typeof durationDistributionSchema) {
  /** A period of something that repeats: zero would repeat it forever at one instant. */
  const period = duration.refine((value) => value > 0, 'must be more than 0');

  /** A count, or a percentage of the replicas written `25%`. */
  const countOrPercent = z.union([
    z.number().int().min(0).max(1_000_000),
    z.string().regex(/^\d{1,3}%$/, 'write a count (2) or a percentage (25%)'),
  ]);

  const probeSchema = z.strictObject({
    initialDelay: duration.default(0).describe('initialDelaySeconds: from the container start to the first probe'),
    period: period.default(10_000_000).describe('periodSeconds (default 10s)'),
    timeout: period.default(1_000_000).describe('timeoutSeconds: a probe waiting longer behind queued requests fails (default 1s)'),
    successThreshold: z.number().int().min(1).max(100).default(1).describe('successes in a row that make the pod Ready'),
    failureThreshold: z.number().int().min(1).max(100).default(3).describe('failures in a row that make it not Ready'),
  });
  const probeDefaults = { initialDelay: 0, period: 10_000_000, timeout: 1_000_000, successThreshold: 1, failureThreshold: 3 };

  const deploymentSchema = z.strictObject({
    replicas: z.number().int().min(1).max(1000),
    maxSurge: countOrPercent.default('25%').describe('pods above replicas during a rollout (a percentage rounds up)'),
    maxUnavailable: countOrPercent.default('25%').describe('pods below replicas during a rollout (a percentage rounds down)'),
    minReadySeconds: duration.default(0).describe('how long a Ready pod must stay Ready to count as available'),
    startTime: durationDistribution.optional().describe('from the pod bound to a node to its server listening (image pull, start); default constant 2s'),
    readinessProbe: probeSchema.default(probeDefaults),
    terminationGracePeriod: duration.default(30_000_000).describe('terminationGracePeriodSeconds: SIGKILL this long after deletion, preStop included'),
    preStop: z.strictObject({ sleep: duration }).optional().describe('a preStop hook that sleeps: SIGTERM waits for it'),
    onSigterm: z.enum(['graceful', 'exit']).default('graceful').describe('graceful: stop accepting, finish in-flight requests; exit: exit at once'),
    drainTimeout: duration.default(30_000_000).describe('graceful shutdown: the server exits this long after SIGTERM at the latest'),
  });

  const consumerSchema = z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    kind: z.enum(['kube-proxy', 'ingress', 'cloud-lb']),
    delay: durationDistribution.optional().describe('from an EndpointSlice published to this consumer routing by it (kube-proxy default: uniform 0s..1s, its min sync period)'),
    retries: z.number().int().min(0).max(10).default(0).describe('other pods tried after a refused connection (ingress-nginx: proxy-next-upstream-tries - 1)'),
    affinity: z.enum(['none', 'session']).default('none').describe('session: a session stays on its pod while this consumer lists it (cookie or client IP)'),
    connections: z
      .enum(['per-request', 'keep-alive'])
      .default('per-request')
      .describe('keep-alive: a session keeps its connection to the pod it was first routed to, whatever the endpoints say later (conntrack, HTTP/2, WebSocket), until the server closes it or it fails'),
    replicas: z.number().int().min(1).max(100).default(1).describe('instances, each applying the endpoints after its own delay (named <name>-1, <name>-2, ...)'),
  });

  const budgetSchema = z
    .strictObject({ minAvailable: countOrPercent.optional(), maxUnavailable: countOrPercent.optional() })
    .refine((budget) => (budget.minAvailable === undefined) !== (budget.maxUnavailable === undefined), { message: 'give exactly one of minAvailable, maxUnavailable' });

  const section = z.strictObject({
    deployment: deploymentSchema,
    podDisruptionBudget: budgetSchema.optional(),
    consumers: z
      .array(consumerSchema)
      .min(1)
      .default([{ name: 'kube-proxy', kind: 'kube-proxy', retries: 0, affinity: 'none', connections: 'per-request', replicas: 1 }])
      .describe('who routes the clients to the pods, each on its own view of the endpoints; clients are spread evenly over them'),
    proxyTerminatingEndpoints: z.boolean().default(true).describe('route to terminating, still serving pods when no pod is ready'),
    nodeMonitorPeriod: period.default(5_000_000).describe('how often the node lifecycle controller looks at the node leases'),
    nodeMonitorGracePeriod: duration.default(50_000_000).describe('a node whose lease is this old is marked NotReady'),
    nodeLeaseRenewInterval: period.default(10_000_000).describe('how often a kubelet renews its node lease'),
    unreachableTolerationSeconds: duration.default(300_000_000).describe('pods of a NotReady node are deleted this long after (DefaultTolerationSeconds)'),
    drainRetryInterval: period.default(5_000_000).describe('kubectl drain retries a refused eviction after this long'),
  });

  const step = z
    .strictObject({
      rollout: z.strictObject({}).optional().describe('a new pod template: the Deployment rolls out a new revision'),
      drain: z.string().optional().describe('kubectl drain NODE: cordon, then evict its pods (retried while a disruption budget refuses)'),
      crashNode: z.string().optional().describe('the node stops: its pods are lost, its lease is no longer renewed'),
    })
    .refine((action) => [action.rollout, action.drain, action.crashNode].filter((value) => value !== undefined).length === 1, {
      message: 'give exactly one of rollout, drain, crashNode',
    });

  return { section, step };
}

/** The names of a consumer's instances: its own name when it has one, else `<name>-1`, `<name>-2`, ... */
export function consumerInstanceNames(consumer: { name: string; replicas: number }): string[] {
  if (consumer.replicas === 1) return [consumer.name];
  return Array.from({ length: consumer.replicas }, (_, index) => `${consumer.name}-${index + 1}`);
}
