import { constant, empirical, exponential, lognormal, uniform, type Distribution } from '../kernel/distributions.js';
import type { CountDistributionSpec, DurationDistributionSpec } from './schema.js';

/** Turns a validated distribution of a scenario file into a sampler. */
export function toDistribution(spec: DurationDistributionSpec | CountDistributionSpec | number): Distribution {
  if (typeof spec === 'number') return constant(spec);
  if (spec.constant !== undefined) return constant(spec.constant);
  if (spec.uniform !== undefined) return uniform(spec.uniform.min, spec.uniform.max);
  if (spec.exponential !== undefined) return exponential(spec.exponential);
  if (spec.lognormal !== undefined) return lognormal(spec.lognormal.median, spec.lognormal.p99);
  if (spec.empirical !== undefined) return empirical(spec.empirical);
  throw new Error('distribution without a form (the schema should have refused it)');
}
