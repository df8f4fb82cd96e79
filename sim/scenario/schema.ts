import { z } from 'zod';
import { parseDuration, parseRate } from './units.js';

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

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, dot, dash or underscore');

const serverDefaultsSchema = z.strictObject({
  threads: z.number().int().min(1).default(10).describe('threads of each application server'),
  queue: z.number().int().min(0).default(200).describe('requests that may wait for a thread before new ones are refused'),
});

const clusterSchema = z.strictObject({
  nodes: z.strictObject({
    count: z.number().int().min(1).max(100_000),
    servers: z.number().int().min(0).max(1000).describe('application servers per node'),
  }),
  name: name.default('app').describe('name of the static cluster the servers belong to'),
  server: serverDefaultsSchema.default({ threads: 10, queue: 200 }),
  routers: z.number().int().min(1).max(10_000).default(1).describe('On Demand Routers'),
});

const networkSchema = z.strictObject({
  latency: durationDistributionSchema.default({ constant: 300 }).describe('one-way latency of every link'),
});

const httpWorkloadSchema = z.strictObject({
  rate: rateSchema.describe('new sessions per unit of time (Poisson arrivals)'),
  requests: z.union([countSchema, countDistributionSchema]).default(5).describe('requests per session'),
  thinkTime: durationDistributionSchema.default({ exponential: 2_000_000 }),
  service: durationDistributionSchema.describe('service time of one request on a server thread'),
  uri: z.string().default('/'),
});

const workloadSchema = z.strictObject({
  http: httpWorkloadSchema.optional(),
});

const maintenanceStepSchema = z.strictObject({
  server: z.string().optional(),
  node: z.string().optional(),
  mode: z.enum(['affinity', 'break', 'stop']).default('affinity'),
  exit: z.boolean().default(false).describe('take the target out of maintenance'),
});

const timelineStepSchema = z
  .strictObject({
    at: durationSchema,
    maintenance: maintenanceStepSchema.optional(),
  })
  .superRefine((step, context) => {
    const actions = Object.keys(step).filter((key) => key !== 'at');
    if (actions.length !== 1) {
      context.addIssue({ code: 'custom', message: `a timeline step needs exactly one action besides "at" (found ${actions.length === 0 ? 'none' : actions.join(', ')})` });
    }
  });

/** Bounds on a run, so that a runaway scenario stops with a clear error and a partial report. */
const limitsSchema = z.strictObject({
  maxEvents: z.number().int().min(1).default(1_000_000_000).describe('events the run may handle'),
  maxOpenSessions: z.number().int().min(1).default(1_000_000).describe('sessions open at once, over every protocol'),
  maxHeapMb: z.number().int().min(64).optional().describe('JavaScript heap the run may use, in MB (default: three quarters of what Node allows)'),
});

export const scenarioSchema = z.strictObject({
  name,
  description: z.string().optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  duration: durationSchema,
  cluster: clusterSchema,
  network: networkSchema.default({ latency: { constant: 300 } }),
  workload: workloadSchema,
  timeline: z.array(timelineStepSchema).default([]),
  expect: z.array(z.string()).default([]).describe('thresholds on summary figures, e.g. "sessions.http.dropped == 0"'),
  limits: limitsSchema.default({ maxEvents: 1_000_000_000, maxOpenSessions: 1_000_000 }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type TimelineStep = Scenario['timeline'][number];
