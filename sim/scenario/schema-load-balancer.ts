import { z } from 'zod';

/** The schema of durations (schema.ts's), passed in so that this module does not import schema.ts back. */
type DurationSchema = z.ZodType<number, string>;

/**
 * A load balancer in front of the cluster's servers, with the drain, health-check, persistence,
 * slow-start and retry semantics of one product. Every default is the product's documented
 * default (README, "Load balancer profiles"); an unset `healthCheck` means the profile's.
 */
export const loadBalancerProfiles = ['haproxy', 'envoy', 'nginx', 'aws-alb', 'aws-nlb'] as const;
export type LoadBalancerProfileName = (typeof loadBalancerProfiles)[number];

/** Admin actions on one backend, by profile: what its operator or control plane can do. */
export const backendActions = ['ready', 'drain', 'maint', 'weight-zero', 'weight-restore', 'agent-ready', 'agent-drain', 'agent-maint', 'agent-up', 'agent-down', 'remove', 'add', 'eds-draining', 'deregister', 'register', 'down', 'up'] as const;
export type BackendActionName = (typeof backendActions)[number];

/** Actions on the balancer itself (no backend): Envoy's `drain_listeners?graceful`, and the process's exit on SIGTERM. */
export const balancerActions = ['drain-listeners', 'stop'] as const;
export type BalancerActionName = (typeof balancerActions)[number];

/** The `loadBalancer:` section and the timeline step, built on the scenario's duration schema. */
export function loadBalancerSchemas(durationSchema: DurationSchema) {
  const healthCheckSchema = z.strictObject({
    interval: durationSchema.optional().describe('time between two checks of a backend'),
    timeout: durationSchema.optional().describe('a check unanswered this long fails'),
    unhealthyThreshold: z.number().int().min(1).max(100).optional().describe('failures in a row that mark a backend down (HAProxy fall)'),
    healthyThreshold: z.number().int().min(1).max(100).optional().describe('successes in a row that mark it up again (HAProxy rise)'),
  });

  const loadBalancer = z.strictObject({
    profile: z.enum(loadBalancerProfiles),
    persistence: z.boolean().default(true).describe('sticky sessions: a session cookie (or stick table, or connection) keeps a user on its backend'),
    healthCheck: healthCheckSchema.optional().describe('active health checks; Envoy has none unless given'),
    slowStart: durationSchema.default(0).describe('a backend back in service ramps its weight up over this long (0: off)'),
    retries: z.number().int().min(0).max(10).optional().describe('retries of a request refused by its backend (HAProxy 3, NGINX next upstream, Envoy 0)'),
    haproxy: z
      .strictObject({
        redispatch: z.boolean().default(true).describe('option redispatch: a retry may go to another server, persistence broken'),
        forcePersist: z.boolean().default(false).describe('option persist: persistent requests still reach a server in maint'),
        shutdownSessions: z.boolean().default(false).describe('on-marked-down shutdown-sessions: a server marked down by its checks loses its requests in flight'),
        maxconn: z.number().int().min(0).default(0).describe("server maxconn: requests beyond it wait in the server's queue (persistent) or the backend's; 0: no limit"),
        agentInter: durationSchema.default(2_000_000).describe("agent-inter: how often each server's agent is polled; an agent-ready|agent-drain|agent-maint|agent-up|agent-down step is seen at the next poll"),
      })
      .default({ redispatch: true, forcePersist: false, shutdownSessions: false, maxconn: 0, agentInter: 2_000_000 }),
    envoy: z
      .strictObject({
        panicThreshold: z.number().min(0).max(100).default(50).describe('percent of healthy hosts below which traffic goes to every host'),
        ignoreHealthOnHostRemoval: z.boolean().default(false).describe('a host gone from discovery leaves at once, even if its checks pass'),
        outlierDetection: z
          .strictObject({
            consecutive5xx: z.number().int().min(1).default(5),
            interval: durationSchema.default(10_000_000),
            baseEjectionTime: durationSchema.default(30_000_000),
            maxEjectionTime: durationSchema.default(300_000_000),
            maxEjectionPercent: z.number().min(0).max(100).default(10),
          })
          .optional()
          .describe('passive ejection of hosts that answer with errors; off unless given'),
        slowStartAggression: z.number().positive().default(1),
        slowStartMinWeightPercent: z.number().min(0).max(100).default(10),
        drainTime: durationSchema.default(600_000_000).describe('--drain-time-s: after drain-listeners, new connections are still accepted this long, then the listeners close'),
        drainStrategy: z
          .enum(['gradual', 'immediate'])
          .default('gradual')
          .describe("--drain-strategy: while draining, a response closes its client's connection with a probability growing to 1 over drainTime (gradual), or always (immediate)"),
      })
      .default({ panicThreshold: 50, ignoreHealthOnHostRemoval: false, slowStartAggression: 1, slowStartMinWeightPercent: 10, drainTime: 600_000_000, drainStrategy: 'gradual' }),
    nginx: z
      .strictObject({
        maxFails: z.number().int().min(0).default(1).describe('failures within failTimeout that make a server unavailable (0: never)'),
        failTimeout: durationSchema.default(10_000_000).describe('the window that counts failures, and how long the server is then unavailable'),
        nonIdempotent: z.boolean().default(false).describe('proxy_next_upstream non_idempotent: a POST, LOCK or PATCH already sent is passed to the next server too'),
      })
      .default({ maxFails: 1, failTimeout: 10_000_000, nonIdempotent: false }),
    aws: z
      .strictObject({
        deregistrationDelay: durationSchema.default(300_000_000).describe('how long a deregistered target drains at most'),
        connectionTermination: z.boolean().default(false).describe('NLB: connections still open at the end of the delay are closed'),
      })
      .default({ deregistrationDelay: 300_000_000, connectionTermination: false }),
  });
  const step = z.strictObject({
    backend: z.string().optional().describe('a server by name, e.g. node1/app-1; absent for an action on the balancer itself'),
    action: z
      .enum([...backendActions, ...balancerActions])
      .describe('HAProxy ready|drain|maint|weight-zero|weight-restore (runtime API, at once) and agent-ready|agent-drain|agent-maint|agent-up|agent-down (its agent-check, at the next poll); Envoy remove|add|eds-draining, and on the balancer drain-listeners|stop; NGINX down|drain|up; AWS deregister|register'),
  });
  return { loadBalancer, step };
}

export type LoadBalancerSpec = z.output<ReturnType<typeof loadBalancerSchemas>['loadBalancer']>;

export const actionsByProfile: Readonly<Record<LoadBalancerProfileName, readonly (BackendActionName | BalancerActionName)[]>> = {
  haproxy: ['ready', 'drain', 'maint', 'weight-zero', 'weight-restore', 'agent-ready', 'agent-drain', 'agent-maint', 'agent-up', 'agent-down'],
  envoy: ['remove', 'add', 'eds-draining', 'drain-listeners', 'stop'],
  nginx: ['down', 'drain', 'up'],
  'aws-alb': ['deregister', 'register'],
  'aws-nlb': ['deregister', 'register'],
};
