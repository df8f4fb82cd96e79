import type { RandomStream } from './random.js';

/** A distribution of non-negative durations or counts. Samples are integers (microseconds). */
export interface Distribution {
  sample(random: RandomStream): number;
  /** Mean of the distribution, used for capacity figures and Erlang-C checks. */
  readonly mean: number;
  describe(): string;
}

// The 0.99 quantile of the standard normal distribution.
const normalQuantile99 = 2.3263478740408408;

export function constant(value: number): Distribution {
  const rounded = Math.round(value);
  return { sample: () => rounded, mean: value, describe: () => `constant(${value})` };
}

export function uniform(min: number, max: number): Distribution {
  const span = max - min;
  return {
    sample: (random) => Math.round(min + random() * span),
    mean: (min + max) / 2,
    describe: () => `uniform(${min}, ${max})`,
  };
}

export function exponential(mean: number): Distribution {
  return {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    sample: (random) => Math.round(-mean * Math.log(1 - random())),
    mean,
    describe: () => `exponential(mean ${mean})`,
  };
}

/** Lognormal given its median and 99th percentile, the way latencies are usually quoted. */
export function lognormal(median: number, p99: number): Distribution {
  const mu = Math.log(median);
  const sigma = (Math.log(p99) - mu) / normalQuantile99;
  return {
    sample: (random) => Math.round(Math.exp(mu + sigma * standardNormal(random))),
    mean: Math.exp(mu + (sigma * sigma) / 2),
    describe: () => `lognormal(median ${median}, p99 ${p99})`,
  };
}

/** Draws uniformly from a list of observed values. */
export function empirical(values: readonly number[]): Distribution {
  const copy = values.map((value) => Math.round(value));
  const mean = copy.reduce((sum, value) => sum + value, 0) / copy.length;
  return {
    sample: (random) => copy[Math.floor(random() * copy.length)]!,
    mean,
    describe: () => `empirical(${copy.length} values)`,
  };
}

/** Scales every sample (a slow server multiplies its service times). */
export function scaled(distribution: Distribution, factor: number): Distribution {
  return {
    sample: (random) => Math.round(distribution.sample(random) * factor),
    mean: distribution.mean * factor,
    describe: () => `${distribution.describe()} x ${factor}`,
  };
}

// Box-Muller with both uniforms drawn each time: no cached second value, so a stream's state
// depends only on how many samples were taken.
function standardNormal(random: RandomStream): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
