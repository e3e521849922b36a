import { describe, expect, it } from 'vitest';
import { DHT_INVARIANTS, runDhtSeed } from './dht-run';

describe('the DHT in the simulator', () => {
  it('keeps every invariant over seeds with joins, crashes and a lossy network', () => {
    const results = [1, 2, 3, 4, 5, 6].map(runDhtSeed);
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    // The runs did what they claim: keys were acknowledged, read, moved, and members crashed.
    expect(results.reduce((s, r) => s + r.stats.acked, 0)).toBeGreaterThan(100);
    expect(results.reduce((s, r) => s + r.stats.reads, 0)).toBeGreaterThan(100);
    expect(results.reduce((s, r) => s + r.stats.aggregates, 0)).toBeGreaterThan(5);
    expect(results.some((r) => r.stats.crashes > 0)).toBe(true);
  });

  it('names its invariants', () => {
    expect(DHT_INVARIANTS).toContain('dht: every acknowledged put is readable after any view change');
  });
});
