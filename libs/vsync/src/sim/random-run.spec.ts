import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster';
import { checkInvariants } from './invariants';
import { runSeed } from './random-run';

const SEEDS_PER_TEST = 50;
const BATCHES = 6;

describe('randomized simulation: invariants hold under faults', () => {
  for (let batch = 0; batch < BATCHES; batch++) {
    const first = 10_000 + batch * SEEDS_PER_TEST;
    it(`seeds ${first}..${first + SEEDS_PER_TEST - 1}`, { timeout: 120_000 }, () => {
      const failures: string[] = [];
      for (let seed = first; seed < first + SEEDS_PER_TEST; seed++) {
        const result = runSeed(seed);
        if (result.violations.length > 0)
          failures.push(`seed ${seed}: ${result.violations.slice(0, 3).join(' | ')}`);
        expect(result.stats.sent).toBeGreaterThan(0);
      }
      expect(failures).toEqual([]);
    });
  }

  it('a keyless intruder that refounds an emptied secured group keeps it to itself (seed 148)', () => {
    const result = runSeed(148);
    expect(result.stats.faults[0]).toMatch(/secured g2, intruder node4 \(none key\)/);
    expect(result.violations).toEqual([]);
  });

  it('replays a seed exactly', () => {
    const a = runSeed(4242);
    const b = runSeed(4242);
    expect(b).toEqual(a);
  });

  it('notices a broken history (the checkers are not vacuous)', () => {
    const cluster = new Cluster({ seed: 1, nodes: 3 });
    for (let i = 1; i <= 3; i++) cluster.start(i);
    cluster.runUntil(2_000);
    const h = cluster.history;
    h.sent.set('m1', { id: 'm1', sender: 'node1:7000#1', group: 'g', ordering: 'total', index: 1 });
    h.sent.set('m2', { id: 'm2', sender: 'node1:7000#1', group: 'g', ordering: 'total', index: 2 });
    h.groupViews.push({
      process: 'node1:7000#1',
      group: 'g',
      viewId: 5,
      members: ['node1:7000#1', 'node2:7000#1'],
    });
    h.groupViews.push({
      process: 'node2:7000#1',
      group: 'g',
      viewId: 5,
      members: ['node1:7000#1', 'node2:7000#1'],
    });
    const deliver = (receiver: string, id: string): void => {
      h.deliveries.push({ receiver, group: 'g', viewId: 5, sender: 'node1:7000#1', ordering: 'total', id });
    };
    deliver('node1:7000#1', 'm1');
    deliver('node1:7000#1', 'm2');
    deliver('node2:7000#1', 'm2');
    deliver('node2:7000#1', 'm1');
    deliver('node2:7000#1', 'm1');
    const violations = checkInvariants({
      history: h,
      survivors: new Set(['node1:7000#1']),
      checkLiveness: false,
      unsettled: null,
    });
    expect(violations.some((v) => v.startsWith('total order'))).toBe(true);
    expect(violations.some((v) => v.startsWith('fifo'))).toBe(true);
    expect(violations.some((v) => v.startsWith('integrity') && v.includes('twice'))).toBe(true);
  });
});
