import { z } from 'zod';
import { kubernetesSchemas } from './schema-kubernetes.js';
import { parseDuration, parseRate } from './units.js';
import { loadBalancerSchemas } from './schema-load-balancer.js';

/**
 * The one schema of scenario files. Validation, defaults, the shipped JSON Schema and the
 * documentation of the format all come from here.
 */

export const durationSchema = z
  .string()
  .describe('A duration with a unit: us, ms, s, m or h (e.g. 250ms, 5m)')
  .transform((text, context) => {
    if (text.trim().startsWith('-')) {
      context.addIssue({ code: 'custom', message: `"${text}" is negative: durations must be zero or more` });
      return z.NEVER;
    }
    const parsed = parseDuration(text);
    if (typeof parsed === 'string') {
      context.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

export const rateSchema = z
  .string()
  .describe('A rate with a unit: /s, /m or /h (e.g. 400/s)')
  .transform((text, context) => {
    const parsed = parseRate(text);
    if (typeof parsed === 'string') {
      context.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** A distribution over values of `value` (durations, or plain counts). Exactly one form. */
function distributionOf<Value extends z.ZodType<number, unknown>>(value: Value) {
  return z
    .strictObject({
      constant: value.optional(),
      uniform: z.strictObject({ min: value, max: value }).optional(),
      exponential: value.optional().describe('the mean'),
      lognormal: z.strictObject({ median: value, p99: value }).optional(),
      empirical: z.array(value).min(1).optional(),
    })
    .superRefine((shape, context) => {
      const forms = Object.keys(shape).filter((key) => shape[key as keyof typeof shape] !== undefined);
      if (forms.length !== 1) {
        context.addIssue({
          code: 'custom',
          message: `give exactly one of constant, uniform, exponential, lognormal, empirical (found ${forms.length === 0 ? 'none' : forms.join(', ')})`,
        });
      }
      const uniform = shape.uniform as { min: number; max: number } | undefined;
      const lognormal = shape.lognormal as { median: number; p99: number } | undefined;
      if (uniform !== undefined && uniform.min > uniform.max) {
        context.addIssue({ code: 'custom', path: ['uniform'], message: 'min is greater than max' });
      }
      if (lognormal !== undefined && !(lognormal.p99 > lognormal.median && lognormal.median > 0)) {
        context.addIssue({ code: 'custom', path: ['lognormal'], message: 'need 0 < median < p99' });
      }
    });
}

export const durationDistributionSchema = distributionOf(durationSchema);
export type DurationDistributionSpec = z.output<typeof durationDistributionSchema>;
const countSchema = z.number().int().min(1);
export const countDistributionSchema = distributionOf(countSchema);
export type CountDistributionSpec = z.output<typeof countDistributionSchema>;

const loadBalancerSchemasOf = loadBalancerSchemas(durationSchema);

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, dot, dash or underscore');

const serverDefaultsSchema = z.strictObject({
  threads: z.number().int().min(1).max(100_000).default(10).describe('threads of each application server'),
  queue: z.number().int().min(0).max(10_000_000).default(200).describe('requests that may wait for a thread before new ones are refused'),
  startup: durationSchema.optional().describe('time from a start order to taking requests (default 0)'),
});

const dynamicClusterSchema = z.strictObject({
  name,
  min: z.number().int().min(0).max(1_000_000).describe('running instances at least (servers in maintenance not counted)'),
  max: z.number().int().min(1).max(1_000_000).describe('running instances at most (servers in maintenance not counted)'),
  verticalStacking: z.number().int().min(1).max(100).default(1).describe('instances per node at most'),
  startup: durationSchema.default(30_000_000).describe('start-up time of an instance'),
  scaleUpLoad: z.number().min(0).max(100).default(0).describe('start one more instance above this mean busy-thread percentage (0: never)'),
  scaleDownLoad: z.number().min(0).max(100).default(0).describe('stop an idle instance when all are below this percentage (0: never)'),
});

const clusterSchema = z.strictObject({
  nodes: z.strictObject({
    count: z.number().int().min(1).max(100_000),
    servers: z.number().int().min(0).max(1000).describe('application servers per node'),
  }),
  name: name.default('app').describe('name of the static cluster the servers belong to'),
  server: serverDefaultsSchema.default({ threads: 10, queue: 200 }),
  routers: z.number().int().min(1).max(10_000).default(1).describe('On Demand Routers'),
  dynamicClusters: z.array(dynamicClusterSchema).default([]).describe('clusters whose instances the placement controller starts and stops'),
  sprayer: z.boolean().optional().describe('a front-end sprayer in front of the ODRs (default: when there are several)'),
});

const networkSchema = z.strictObject({
  latency: durationDistributionSchema.default({ constant: 300 }).describe('one-way latency of every link'),
  minLatency: durationSchema.optional().describe('no link is faster than this; the lookahead of runs spread over node hosts'),
});

const rateProfileSchema = z.array(z.strictObject({ at: durationSchema, rate: rateSchema })).min(1);
// A plain rate is read as { constant: rate }, so that a bad rate is reported as a rate problem.
export const arrivalRateSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { constant: value } : value),
  z
    .strictObject({ constant: rateSchema.optional(), steps: rateProfileSchema.optional(), linear: rateProfileSchema.optional() })
    .refine((rate) => [rate.constant, rate.steps, rate.linear].filter((form) => form !== undefined).length === 1, { message: 'give a rate (400/s), or exactly one of steps, linear' }),
);
const burstSchema = z.strictObject({ at: durationSchema, duration: durationSchema, rate: rateSchema.describe('extra arrivals during the burst') });
/** Fields every protocol's workload shares: arrivals, service, target cluster. */
const arrivalFields = {
  rate: arrivalRateSchema.describe('arrivals per unit of time (Poisson): a rate, or { steps: [...] } / { linear: [...] } of { at, rate }'),
  bursts: z.array(burstSchema).default([]),
  service: durationDistributionSchema.describe('service time of one request on a server thread'),
  cluster: name.optional().describe('cluster the requests go to (default: the first dynamic cluster, else the static one)'),
};

const sipWorkloadSchema = z.strictObject({
  ...arrivalFields,
  inDialog: z.number().int().min(0).default(2).describe('in-dialog requests between INVITE and BYE'),
  hold: durationDistributionSchema.default({ exponential: 120_000_000 }).describe('holding time of a call'),
  replicated: z.boolean().default(false).describe('dialog state replicated: a dialog can fail over'),
});

const ejbWorkloadSchema = z.strictObject({
  ...arrivalFields,
  calls: z.union([countSchema, countDistributionSchema]).default(5).describe('calls per client conversation'),
  thinkTime: durationDistributionSchema.default({ exponential: 1_000_000 }),
});

const jmsWorkloadSchema = z.strictObject({
  ...arrivalFields,
  destination: name.default('orders'),
  maxDepth: z.number().int().min(1).default(100_000).describe('messages a destination may hold'),
});

const httpWorkloadSchema = z.strictObject({
  rate: arrivalRateSchema.describe('new sessions per unit of time (Poisson): a rate, or { steps: [...] } / { linear: [...] } of { at, rate }'),
  bursts: z.array(burstSchema).default([]),
  cluster: name.optional().describe('cluster the requests go to (default: the first dynamic cluster, else the static one)'),
  uris: z
    .array(z.strictObject({ uri: z.string(), weight: z.number().positive(), method: z.string().regex(/^[A-Z]+$/, 'an HTTP method in capitals, e.g. POST').optional().describe("the HTTP method of the session's requests (default GET)") }))
    .optional()
    .describe('URIs drawn per session by weight'),
  replicated: z.boolean().default(false).describe('session state replicated (memory-to-memory): a session can fail over'),
  requests: z.union([countSchema, countDistributionSchema]).default(5).describe('requests per session'),
  thinkTime: durationDistributionSchema.default({ exponential: 2_000_000 }),
  service: durationDistributionSchema.describe('service time of one request on a server thread'),
  uri: z.string().default('/'),
  timeout: durationSchema.optional().describe('a request unanswered this long ends its session dropped (cause timeout); default 30s when the scenario injects faults or runs ClusterCATS'),
});

const workloadSchema = z.strictObject({
  http: httpWorkloadSchema.optional(),
  sip: sipWorkloadSchema.optional(),
  ejb: ejbWorkloadSchema.optional(),
  jms: jmsWorkloadSchema.optional(),
});

const routingSchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).default(3).describe('attempts per request, the first included'),
  loadReportInterval: durationSchema.default(1_000_000).describe('how often servers report their load to routers and controllers'),
  policy: z
    .string()
    .regex(/^(grpc:\/\/[^/\s]+:\d+|(?!grpc:)[^\n]*\.(js|mjs|ts|mts))$/, 'name a policy module (a path ending in .js, .mjs, .ts or .mts) or write grpc://HOST:PORT')
    .optional()
    .describe(
      'what chooses the server for every request of the routers: an external RoutingPolicyService (grpc://HOST:PORT), or a module whose default export has choose(question, random), by a path relative to the scenario file',
    ),
  policyTimeout: durationSchema.default(2_000_000).describe('how long a router waits for the policy before the run fails'),
  advisor: z
    .strictObject({
      interval: durationSchema.default(2_000_000).describe('how often the sprayer probes each ODR'),
      timeout: durationSchema.default(1_000_000).describe('a probe unanswered this long is a failure'),
      failures: z.number().int().min(1).max(100).default(2).describe('failures in a row that mark an ODR down (one answer marks it up)'),
    })
    .default({ interval: 2_000_000, timeout: 1_000_000, failures: 2 })
    .describe("the sprayer's health check of its ODRs (a crashed ODR answers no probe)"),
});

const workClassSchema = z.strictObject({
  name,
  match: z
    .strictObject({
      protocol: z.enum(['http', 'sip', 'ejb', 'jms']).optional(),
      uri: z.string().optional().describe('pattern, * matches anything'),
      method: z.string().optional(),
    })
    .default({}),
  action: z.enum(['permit', 'permitsticky', 'permitMM', 'permitstickyMM', 'reject', 'redirect']),
  cluster: name.optional(),
  redirectTo: z.string().optional(),
});

const placementSchema = z.strictObject({
  interval: durationSchema.default(5_000_000).describe('time between decisions of the placement controller'),
});

const healthPolicySchema = z.strictObject({
  name,
  servers: z.array(z.string()).optional().describe('servers watched (default: every application server)'),
  responseTime: z.strictObject({ above: durationSchema }).optional(),
  errorRate: z.strictObject({ above: z.number().min(0).max(100).describe('percent') }).optional(),
  for: durationSchema.describe('how long the condition must hold (and then be clear) before acting'),
  mode: z.enum(['affinity', 'break', 'stop']).default('affinity'),
  supervised: z.boolean().default(false).describe('only ask an operator, change nothing'),
});

const maintenanceStepSchema = z.strictObject({
  server: z.string().optional(),
  node: z.string().optional(),
  odr: z.string().optional(),
  mode: z.enum(['affinity', 'break', 'stop']).default('affinity'),
  exit: z.boolean().default(false).describe('take the target out of maintenance'),
});

const groupsSchema = z.array(z.array(z.string()).min(1)).min(2).describe('groups of actor or node names; links between two groups are cut');

/** Fault injection on the timeline: at `at`, or at a random time in [at, at + within) from the seeded stream. */
const faultStepShape = {
  within: durationSchema.optional().describe('draw the fault time uniformly in [at, at + within) from a seeded stream'),
  crash: z.string().optional().describe('a server, ODR, ClusterCATS member or controller by name, or a node (all its servers)'),
  restart: z.string().optional(),
  slow: z.strictObject({ target: z.string(), factor: z.number().positive().describe('service time multiplier; 1 restores') }).optional(),
  partition: z.strictObject({ name: name.default('partition'), groups: groupsSchema }).optional(),
  degrade: z
    .strictObject({
      name: name.default('degraded'),
      between: z.array(z.array(z.string()).min(1)).length(2).optional().describe('two groups; default every link'),
      latency: durationSchema.default(0).describe('added to each message on the links'),
      loss: z.number().min(0).max(1).default(0).describe('probability that a message on the links is lost'),
    })
    .optional(),
  heal: z.strictObject({ name: name.optional().describe('the partition or degradation to end; default all') }).optional(),
};
const faultActions = ['crash', 'restart', 'slow', 'partition', 'degrade', 'heal'] as const;

const percentSchema = z.number().int().min(0).max(100);

/** An administrator's step on one ClusterCATS member: thresholds (Explorer) or service status (Server Administrator). */
const clusterCatsStepSchema = z.strictObject({
  member: z.string(),
  peakThreshold: percentSchema.optional().describe('percent; 0 redirects every new request to the most available member'),
  gradualThreshold: percentSchema.optional(),
  service: z.enum(['running', 'stopped']).optional(),
  drainDownPeriod: durationSchema.optional().describe('with service: stopped, how long current users may finish'),
});

/** A ClusterCATS cluster: every server of `cluster` is a member reached by its own IP address. */
const clusterCatsSchema = z.strictObject({
  gradualThreshold: percentSchema.default(10).describe('percent load above which a growing share of new requests is redirected'),
  peakThreshold: percentSchema.default(90).describe('percent load above which every new request is redirected'),
  sessionAware: z.boolean().default(true).describe('users who hold a session stay on their member'),
  addressing: z.enum(['dynamic', 'static']).default('dynamic'),
  heartbeat: z.strictObject({ interval: durationSchema.default(500_000), timeout: durationSchema.default(2_000_000) }).default({ interval: 500_000, timeout: 2_000_000 }),
  loadReportInterval: durationSchema.default(1_000_000),
  replication: z
    .strictObject({ cost: durationSchema.default(1_000).describe('added to the service time of each request whose session is copied to the buddy') })
    .optional()
    .describe('memory-to-memory session replication to the next member'),
});

const kubernetes = kubernetesSchemas(durationSchema, durationDistributionSchema);

const timelineStepSchema = z
  .strictObject({
    at: durationSchema,
    maintenance: maintenanceStepSchema.optional(),
    control: z
      .strictObject({
        server: z.string(),
        action: z.enum(['start', 'stop', 'restart']).describe('an operator starts, stops or restarts the server (a slow server is the `slow` fault)'),
      })
      .optional(),
    ...faultStepShape,
    clustercats: clusterCatsStepSchema.optional(),
    loadBalancer: loadBalancerSchemasOf.step.optional().describe("an admin action on one backend of the scenario's load balancer, or on the balancer itself"),
    kubernetes: kubernetes.step.optional().describe('a Kubernetes rollout, kubectl drain or node crash'),
  })
  .superRefine((step, context) => {
    const actions = Object.keys(step).filter((key) => key !== 'at' && key !== 'within');
    if (step.within !== undefined && !faultActions.some((action) => step[action] !== undefined)) {
      context.addIssue({ code: 'custom', path: ['within'], message: `"within" draws a random time for a fault step only (${faultActions.join(', ')})` });
    }
    if (actions.length !== 1) {
      context.addIssue({ code: 'custom', message: `a timeline step needs exactly one action besides "at" (found ${actions.length === 0 ? 'none' : actions.join(', ')})` });
    }
  });

/** Bounds on a run, so that a runaway scenario stops with a clear error and a partial report. */
const limitsSchema = z.strictObject({
  maxEvents: z.number().int().min(1).default(1_000_000_000).describe('events the run may handle'),
  maxOpenSessions: z.number().int().min(1).default(10_000_000).describe('sessions open at once, over every protocol'),
  maxHeapMb: z.number().int().min(64).optional().describe('JavaScript heap the run may use, in MB (default: 85% of what Node allows)'),
});

// Sections read by `clustersim sweep` and `clustersim compare`; `run` ignores them.
const sweepValueSchema = z.union([z.string(), z.number(), z.boolean()]);
const sweepSchema = z.strictObject({
  params: z.record(z.string(), z.union([sweepValueSchema, z.array(sweepValueSchema).min(1)])).describe('path into this document → values: "100/s..1000/s:100/s", "4,6,8" or a list'),
  seeds: z.number().int().min(1).max(1000).default(3).describe('runs per grid point, seeds counted up from the scenario seed'),
  find: z.string().optional().describe('a capacity question, e.g. "min cluster.nodes.count where sessions.dropped == 0"'),
});
const compareSchema = z.strictObject({
  seeds: z.number().int().min(2).max(1000).default(20),
  tolerances: z.array(z.string()).default([]).describe('how much worse the candidate may be, e.g. "latency.http.p99 <= +5%"'),
});

/** Step kinds `clustersim explore` draws from; their targets are found in sim/explore/space.ts, drawn in sim/explore/draw.ts. */
export const exploreStepKinds = [
  'maintenance-server',
  'maintenance-node',
  'maintenance-odr',
  'maintenance-exit',
  'control-start',
  'control-stop',
  'control-restart',
  'crash-server',
  'crash-node',
  'crash-odr',
  'crash-member',
  'crash-controller',
  'restart',
  'slow',
  'partition',
  'heal',
  'clustercats-threshold',
  'clustercats-service',
  'kubernetes-rollout',
  'kubernetes-drain',
  'kubernetes-crash-node',
  'lb-action',
] as const;

// Read by `clustersim explore`; `run` ignores it.
const exploreSchema = z.strictObject({
  runs: z.number().int().min(1).max(1_000_000).default(100).describe('schedules drawn when no --runs or --budget is given'),
  steps: z
    .strictObject({ min: z.number().int().min(1).max(50).default(1), max: z.number().int().min(1).max(50).default(6) })
    .default({ min: 1, max: 6 })
    .describe('steps per drawn schedule'),
  window: z
    .strictObject({ from: durationSchema.optional(), to: durationSchema.optional() })
    .optional()
    .describe('when the drawn steps happen (default: from a tenth of the run to four fifths)'),
  kinds: z.array(z.enum(exploreStepKinds)).min(1).optional().describe('step kinds drawn from (default: every kind the topology has targets for)'),
  modes: z.array(z.enum(['affinity', 'break', 'stop'])).min(1).default(['affinity', 'break', 'stop']).describe('maintenance modes drawn'),
  servers: z.array(z.string()).min(1).optional().describe('servers (or ClusterCATS members) steps may target (default: all)'),
  swarm: z.boolean().default(true).describe('each run enables a random subset of the step kinds'),
  expect: z.array(z.string()).default([]).describe('properties meant to hold under any schedule, e.g. "sessions.droppedByCause.maintenance == 0"'),
});

export const scenarioSchema = z.strictObject({
  name,
  description: z.string().optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  duration: durationSchema,
  cluster: clusterSchema,
  network: networkSchema.default({ latency: { constant: 300 } }),
  workload: workloadSchema,
  routing: routingSchema.default({ maxAttempts: 3, loadReportInterval: 1_000_000, policyTimeout: 2_000_000, advisor: { interval: 2_000_000, timeout: 1_000_000, failures: 2 } }),
  workClasses: z.array(workClassSchema).default([]),
  placement: placementSchema.default({ interval: 5_000_000 }),
  healthPolicies: z.array(healthPolicySchema).default([]),
  clustercats: clusterCatsSchema.optional(),
  loadBalancer: loadBalancerSchemasOf.loadBalancer.optional().describe('a load balancer of one product (HAProxy, Envoy, NGINX, AWS ALB/NLB) in front of the servers, in place of the ODRs'),
  kubernetes: kubernetes.section.optional().describe('a Kubernetes Deployment behind a Service on cluster.nodes.count nodes (README, section Kubernetes)'),
  timeline: z.array(timelineStepSchema).default([]),
  expect: z.array(z.string()).default([]).describe('thresholds on summary figures, e.g. "sessions.http.dropped == 0"'),
  limits: limitsSchema.default({ maxEvents: 1_000_000_000, maxOpenSessions: 10_000_000 }),
  sweep: sweepSchema.optional(),
  compare: compareSchema.optional(),
  explore: exploreSchema.optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
/** A scenario as written (durations and rates as text, defaults left out). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type TimelineStep = Scenario['timeline'][number];
export type ExploreSpec = z.output<typeof exploreSchema>;
export type ExploreStepKind = (typeof exploreStepKinds)[number];
export type ClusterCatsSpec = z.output<typeof clusterCatsSchema>;
export type KubernetesSpec = z.output<typeof kubernetes.section>;
export type KubernetesStep = z.output<typeof kubernetes.step>;
