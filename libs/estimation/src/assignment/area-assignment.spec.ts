import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EstimationConfigError } from '../errors/estimation-config-error';
import { areasOf, assignAreas } from './area-assignment';

const workerLists = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 9 });

describe('assignAreas', () => {
  it('gives every area min(r, n) distinct workers and loads that differ by at most one', () => {
    fc.assert(
      fc.property(
        workerLists,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (workers, areas, r) => {
          const a = assignAreas(workers, areas, r);
          const load = new Map(workers.map((w) => [w, 0]));
          for (const list of a.holders) {
            expect(list).toHaveLength(Math.min(r, workers.length));
            expect(new Set(list).size).toBe(list.length);
            for (const w of list) load.set(w, load.get(w)! + 1);
          }
          const loads = [...load.values()];
          expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('is the same at every member given the same view order, and each worker finds its own areas in it', () => {
    fc.assert(
      fc.property(
        workerLists,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (workers, areas, r) => {
          const seen = workers.map(() => assignAreas([...workers], areas, r));
          for (const other of seen) expect(other).toEqual(seen[0]);
          const covered = new Map<number, number>();
          for (const w of workers)
            for (const { area } of areasOf(seen[0], w)) covered.set(area, (covered.get(area) ?? 0) + 1);
          for (let area = 0; area < areas; area += 1)
            expect(covered.get(area)).toBe(Math.min(r, workers.length));
        },
      ),
    );
  });

  it('after a view change without a worker, no area is left to it and every area is still r-covered', () => {
    const before = assignAreas(['a', 'b', 'c'], 3, 2);
    expect(before.holders).toEqual([
      ['a', 'b'],
      ['c', 'a'],
      ['b', 'c'],
    ]);
    const after = assignAreas(['a', 'c'], 3, 2);
    for (const list of after.holders) expect([...list].sort()).toEqual(['a', 'c']);
    expect(areasOf(after, 'b')).toEqual([]);
  });

  it('one area with r = members is plain active replication', () => {
    expect(assignAreas(['x', 'y', 'z'], 1, 3).holders).toEqual([['x', 'y', 'z']]);
  });

  it('refuses a bad argument with a typed error', () => {
    expect(() => assignAreas(['a'], 0, 1)).toThrow(EstimationConfigError);
    expect(() => assignAreas(['a', 'a'], 1, 1)).toThrow(/distinct/);
  });
});
