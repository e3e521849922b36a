import { invariant } from '../errors/check';

const FIRST_BOUND_MS = 0.05;
const GROWTH = 1.2;
const BUCKETS = 80;

/** Upper bounds of the buckets, geometric from 0.05 ms, so percentiles carry at most 20% error up to ~100 s. */
const BOUNDS_MS: Float64Array = Float64Array.from(
  { length: BUCKETS },
  (_, i) => FIRST_BOUND_MS * GROWTH ** i,
);

/**
 * A fixed-size latency histogram: constant memory however many samples,
 * which is what per-PMU statistics over days of streaming need.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  sumMs = 0;
  maxMs = 0;
  minMs = Infinity;

  record(ms: number): void {
    // A negative latency means the PMU's clock runs ahead of ours; it is kept as zero for the histogram, the raw value for min.
    const v = Number.isFinite(ms) ? ms : 0;
    this.counts[bucketOf(Math.max(0, v))] += 1;
    this.count += 1;
    this.sumMs += v;
    if (v > this.maxMs) this.maxMs = v;
    if (v < this.minMs) this.minMs = v;
  }

  /** The bucket bound below which a fraction `q` of the samples fall; 0 when empty. */
  quantileMs(q: number): number {
    invariant(q >= 0 && q <= 1, 'quantile in [0, 1]');
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i += 1) {
      seen += this.counts[i];
      if (seen >= target && seen > 0) return i < BUCKETS ? Math.min(BOUNDS_MS[i], this.maxMs) : this.maxMs;
    }
    return this.maxMs;
  }

  /**
   * The non-empty buckets as [upper bound in ms, count] pairs (the overflow bucket's bound is the maximum), so
   * histograms of successive intervals can be summed into a percentile over a whole run.
   */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.counts.length; i += 1) {
      if (this.counts[i] === 0) continue;
      out.push([i < BUCKETS ? Math.min(BOUNDS_MS[i], this.maxMs) : this.maxMs, this.counts[i]]);
    }
    return out;
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }
}

/**
 * The quantile `q` over histograms summed from their `buckets()` (of successive intervals, or of several
 * processes): the smallest bucket bound below which that fraction of all their samples fall; 0 when empty.
 */
export function quantileOfBuckets(
  histograms: Iterable<readonly (readonly [number, number])[]>,
  q: number,
): number {
  invariant(q >= 0 && q <= 1, 'quantile in [0, 1]');
  const counts = new Map<number, number>();
  for (const buckets of histograms)
    for (const [boundMs, n] of buckets) counts.set(boundMs, (counts.get(boundMs) ?? 0) + n);
  const bounds = [...counts.keys()].sort((a, b) => a - b);
  let total = 0;
  for (const b of bounds) total += counts.get(b)!;
  const target = Math.ceil(q * total);
  let seen = 0;
  for (const b of bounds) {
    seen += counts.get(b)!;
    if (seen >= target && seen > 0) return b;
  }
  return 0;
}

const LOG_GROWTH = Math.log(GROWTH);

/**
 * The last latency bucketed and its bucket: every PMU of one multi-PMU frame records the same latency, so at
 * 600,000 samples/s nearly every call is answered here without a logarithm.
 */
let lastMs = -1;
let lastBucket = 0;

function bucketOf(ms: number): number {
  if (ms === lastMs) return lastBucket;
  lastMs = ms;
  lastBucket = bucketFor(ms);
  return lastBucket;
}

function bucketFor(ms: number): number {
  if (ms <= FIRST_BOUND_MS) return 0;
  const i = Math.ceil(Math.log(ms / FIRST_BOUND_MS) / LOG_GROWTH);
  return i >= BUCKETS ? BUCKETS : i;
}
