import { describe, expect, it } from 'vitest';
import { DICTIONARY_INVARIANTS, runDictionarySeed } from './dictionary-run';

describe('replicated dictionary with state transfer in the simulator', () => {
  it('keeps every invariant over seeds with joins, crashes of senders and a lossy network', () => {
    const results = [1, 2, 3, 4, 5, 9].map(runDictionarySeed);
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    // The runs did what they claim: state moved, and some sender died under a transfer.
    expect(results.reduce((sum, r) => sum + r.stats.transfers, 0)).toBeGreaterThan(10);
    expect(results.some((r) => r.stats.resumed > 0)).toBe(true);
  });

  it('names its invariants', () => {
    expect(DICTIONARY_INVARIANTS).toContain('state transfer: no update lost or doubled');
  });
});
