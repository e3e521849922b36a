import { describe, expect, it } from 'vitest';
import { LatencyHistogram, quantileOfBuckets } from './latency-histogram';

describe('LatencyHistogram.buckets', () => {
  it('lists the non-empty buckets with their counts, the highest bound capped at the maximum', () => {
    const h = new LatencyHistogram();
    for (const ms of [1, 1, 1, 20, 20.2, 37]) h.record(ms);
    const buckets = h.buckets();
    expect(buckets.reduce((n, [, c]) => n + c, 0)).toBe(6);
    expect(buckets[0][1]).toBe(3);
    expect(buckets[0][0]).toBeGreaterThanOrEqual(1);
    expect(buckets[0][0]).toBeLessThan(1.2);
    expect(buckets.at(-1)).toEqual([37, 1]);
    for (let i = 1; i < buckets.length; i += 1) expect(buckets[i][0]).toBeGreaterThan(buckets[i - 1][0]);
  });

  it('is empty for an empty histogram', () => {
    expect(new LatencyHistogram().buckets()).toEqual([]);
  });
});

describe('quantileOfBuckets', () => {
  it('over summed intervals equals the quantile of one histogram of every sample', () => {
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    for (let i = 0; i < 3000; i += 1) {
      const ms = i % 7 === 0 ? 40 + (i % 50) : 1 + (i % 13);
      whole.record(ms);
      parts[i % 3].record(ms);
    }
    // The parts' maxima equal the whole's, so their capped bounds agree.
    for (const q of [0.5, 0.9, 0.99, 1])
      expect(
        quantileOfBuckets(
          parts.map((h) => h.buckets()),
          q,
        ),
        `q ${q}`,
      ).toBe(whole.quantileMs(q));
  });

  it('is 0 with no samples', () => {
    expect(quantileOfBuckets([], 0.99)).toBe(0);
    expect(quantileOfBuckets([new LatencyHistogram().buckets()], 0.5)).toBe(0);
  });
});
