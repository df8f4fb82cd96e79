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

// The standard normal by the ziggurat method (Marsaglia and Tsang, 128 layers), with the layer
// and the position taken from separate bits of one 32-bit draw (Doornik's improvement). Most
// samples cost one draw and a comparison; Box-Muller costs two draws, a logarithm, a root and a
// cosine. Extra draws in the wedges and the tail depend only on the stream's own numbers, so
// streams stay aligned between runs whose distributions differ (common random numbers).
const layerCount = 128;
const tailStartX = 3.442619855899;
const layerArea = 9.91256303526217e-3;
/** Right edge of each layer, from the bottom (whose width spreads the tail's area) up to 0. */
const layerX = new Float64Array(layerCount + 1);
/** Share of each layer that lies wholly under the curve: a position below it is accepted at once. */
const layerInnerShare = new Float64Array(layerCount);
{
  let density = Math.exp(-0.5 * tailStartX * tailStartX);
  layerX[0] = layerArea / density;
  layerX[1] = tailStartX;
  for (let layer = 2; layer < layerCount; layer++) {
    layerX[layer] = Math.sqrt(-2 * Math.log(layerArea / layerX[layer - 1]! + density));
    density = Math.exp(-0.5 * layerX[layer]! * layerX[layer]!);
  }
  layerX[layerCount] = 0;
  for (let layer = 0; layer < layerCount; layer++) layerInnerShare[layer] = layerX[layer + 1]! / layerX[layer]!;
}

export function standardNormal(random: RandomStream): number {
  for (;;) {
    // seedrandom's alea yields multiples of 2^-32: 32 independent bits.
    const bits = (random() * 4294967296) >>> 0;
    const layer = bits & 127;
    const position = ((bits >>> 7) + 0.5) / 16777216 - 1; // in (-1, 1), from the other 25 bits
    if (Math.abs(position) < layerInnerShare[layer]!) return position * layerX[layer]!;
    if (layer === 0) return normalTail(random, position < 0);
    const x = position * layerX[layer]!;
    const outer = Math.exp(-0.5 * (layerX[layer]! * layerX[layer]! - x * x));
    const inner = Math.exp(-0.5 * (layerX[layer + 1]! * layerX[layer + 1]! - x * x));
    if (inner + random() * (outer - inner) < 1) return x;
  }
}

/** Beyond the bottom layer's edge: Marsaglia's exact method for the normal tail. */
function normalTail(random: RandomStream, negative: boolean): number {
  let x: number;
  let y: number;
  do {
    x = Math.log(1 - random()) / tailStartX;
    y = Math.log(1 - random());
  } while (-2 * y < x * x);
  return negative ? x - tailStartX : tailStartX - x;
}
