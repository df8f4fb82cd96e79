/**
 * A log-linear histogram of non-negative integers (microseconds): exact below 128, then 64
 * buckets per power of two. A percentile is interpolated between the bounds of its bucket, the
 * bucket's samples taken as spread evenly over it, so it is within 1.6% of the true value and
 * does not stick to a bucket's bound (unrelated runs reporting the same 121.855ms). Integer
 * counts and sums make it exact to merge and identical on every machine.
 */
export class Histogram {
  private counts = new Float64Array(64 * 8);
  count = 0;
  sum = 0;
  max = 0;

  add(value: number): void {
    const bucket = bucketOf(value);
    if (bucket >= this.counts.length) {
      const grown = new Float64Array(Math.max(bucket + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[bucket]!++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** The value below which a fraction `quantile` of the samples lie, interpolated within its bucket. */
  percentile(quantile: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(quantile * this.count);
    let seen = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket++) {
      const inBucket = this.counts[bucket]!;
      if (seen + inBucket >= rank) {
        const lower = lowerBoundOf(bucket);
        // The k-th of n samples spread evenly over [lower, upper] sits at (k - 1/2) / n of the way.
        const value = Math.round(lower + ((rank - seen - 0.5) / inBucket) * (upperBoundOf(bucket) - lower));
        return Math.min(value, this.max);
      }
      seen += inBucket;
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}

function bucketOf(value: number): number {
  if (value < 128) return value < 0 ? 0 : Math.floor(value);
  // Below 2^31 the highest set bit comes from one instruction (clz32), and the shift is a shift.
  if (value < 0x80000000) {
    const shift = 25 - Math.clz32(value);
    return shift * 64 + (value >>> shift);
  }
  const shift = Math.floor(Math.log2(value)) - 6;
  return shift * 64 + Math.floor(value / 2 ** shift);
}

function lowerBoundOf(bucket: number): number {
  if (bucket < 128) return bucket;
  const shift = Math.floor(bucket / 64) - 1;
  return (bucket - shift * 64) * 2 ** shift;
}

function upperBoundOf(bucket: number): number {
  if (bucket < 128) return bucket;
  const shift = Math.floor(bucket / 64) - 1;
  const mantissa = bucket - shift * 64;
  return (mantissa + 1) * 2 ** shift - 1;
}
