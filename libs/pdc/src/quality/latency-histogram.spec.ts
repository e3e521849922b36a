import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram';

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
