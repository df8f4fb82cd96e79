/**
 * The statistics of experiments: means, spreads and 95% confidence intervals of differences
 * (Student t), paired for common random numbers and unpaired (Welch) for independent runs.
 */

export interface Interval {
  mean: number;
  low: number;
  high: number;
  /** Half the width of the interval. */
  halfWidth: number;
  /** Degrees of freedom of the t distribution used (Infinity when the spread is zero). */
  degreesOfFreedom: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** Sample variance (n − 1 in the denominator). */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const center = mean(values);
  let total = 0;
  for (const value of values) total += (value - center) ** 2;
  return total / (values.length - 1);
}

export function standardDeviation(values: readonly number[]): number {
  return Math.sqrt(variance(values));
}

/** Mean and 95% confidence interval of a sample's mean (Student t with n − 1 degrees of freedom). */
export function meanInterval(values: readonly number[], confidence = 0.95): Interval {
  const center = mean(values);
  if (values.length < 2) return { mean: center, low: -Infinity, high: Infinity, halfWidth: Infinity, degreesOfFreedom: 0 };
  const degreesOfFreedom = values.length - 1;
  const halfWidth = studentTQuantile(0.5 + confidence / 2, degreesOfFreedom) * Math.sqrt(variance(values) / values.length);
  return { mean: center, low: center - halfWidth, high: center + halfWidth, halfWidth, degreesOfFreedom };
}

/**
 * The difference candidate − baseline over runs paired by seed. With common random numbers the
 * pairs share their arrivals, so the differences vary much less than either side alone.
 */
export function pairedDifference(baseline: readonly number[], candidate: readonly number[], confidence = 0.95): Interval {
  if (baseline.length !== candidate.length) throw new Error(`paired samples differ in size: ${baseline.length} and ${candidate.length}`);
  return meanInterval(
    candidate.map((value, index) => value - baseline[index]!),
    confidence,
  );
}

/** The difference candidate − baseline of independent samples (Welch's unequal-variance interval). */
export function welchDifference(baseline: readonly number[], candidate: readonly number[], confidence = 0.95): Interval {
  const center = mean(candidate) - mean(baseline);
  if (baseline.length < 2 || candidate.length < 2) return { mean: center, low: -Infinity, high: Infinity, halfWidth: Infinity, degreesOfFreedom: 0 };
  const a = variance(baseline) / baseline.length;
  const b = variance(candidate) / candidate.length;
  const standardError = Math.sqrt(a + b);
  if (standardError === 0) return { mean: center, low: center, high: center, halfWidth: 0, degreesOfFreedom: Infinity };
  const degreesOfFreedom = (a + b) ** 2 / (a ** 2 / (baseline.length - 1) + b ** 2 / (candidate.length - 1));
  const halfWidth = studentTQuantile(0.5 + confidence / 2, degreesOfFreedom) * standardError;
  return { mean: center, low: center - halfWidth, high: center + halfWidth, halfWidth, degreesOfFreedom };
}

/** The p-quantile of Student's t distribution with `degreesOfFreedom` (> 0, may be fractional). */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`a quantile needs 0 < p < 1, got ${p}`);
  if (!(degreesOfFreedom > 0)) throw new Error(`degrees of freedom must be positive, got ${degreesOfFreedom}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, degreesOfFreedom);
  // The CDF is monotone: bisection to double precision is simple and fast enough here.
  let low = 0;
  let high = 1;
  while (studentTCdf(high, degreesOfFreedom) < p) high *= 2;
  for (let step = 0; step < 200 && high - low > 1e-12 * high; step++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, degreesOfFreedom) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

export function studentTCdf(t: number, degreesOfFreedom: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b), by the continued fraction of Numerical Recipes (modified Lentz). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on one side of the mean; use the symmetry on the other.
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
  return (front * betaContinuedFraction(x, a, b)) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let term = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    term = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return result;
}

// Lanczos approximation (g = 7, n = 9), accurate to about 15 digits for positive arguments.
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const shifted = z - 1;
  let sum = lanczos[0]!;
  for (let index = 1; index < lanczos.length; index++) sum += lanczos[index]! / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The exact (Clopper-Pearson) one-sided upper confidence bound on a failure rate after `failures`
 * in `runs` trials: the rate p at which seeing so few failures has probability 1 − confidence.
 * With no failure it is 1 − (1 − confidence)^(1/runs): 14% after 20 of 20 at 95%.
 */
export function failureRateUpperBound(failures: number, runs: number, confidence = 0.95): number {
  if (runs <= 0 || failures >= runs) return 1;
  const alpha = 1 - confidence;
  if (failures === 0) return 1 - alpha ** (1 / runs);
  // P(X ≤ failures) falls as p grows: bisect for the p where it equals alpha.
  let low = 0;
  let high = 1;
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (binomialCdf(failures, runs, middle) > alpha) low = middle;
    else high = middle;
  }
  return high;
}

/** P(X ≤ k) for X binomial(n, p), summed in logs so that large n stay finite. */
function binomialCdf(k: number, n: number, p: number): number {
  let total = 0;
  let logChoose = 0; // log C(n, 0)
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    total += Math.exp(logChoose + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return total;
}
