import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { processKey, type ProcessId } from '../protocol';
import { itemsOf, splitWork, WorkSplitError } from './work-split';

const memberLists = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 9 });

describe('splitWork', () => {
  it('gives every item min(r, n) distinct holders, loads within one, the same split at every member', () => {
    fc.assert(
      fc.property(
        memberLists,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        (members, items, r) => {
          const split = splitWork(members, items, r);
          expect(splitWork([...members], items, r)).toEqual(split);
          const load = new Map(members.map((m) => [m, 0]));
          for (const list of split.holders) {
            expect(list).toHaveLength(Math.min(r, members.length));
            expect(new Set(list).size).toBe(list.length);
            for (const m of list) load.set(m, load.get(m)! + 1);
          }
          const loads = [...load.values()];
          expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
          const covered = members.flatMap((m) => itemsOf(split, m).map((x) => x.item));
          expect(covered.length).toBe(items * Math.min(r, members.length));
        },
      ),
    );
  });

  it('splits a view of ProcessIds by key, and each member finds its own items and ranks', () => {
    const a: ProcessId = { address: 'a:1', incarnation: 1 };
    const b: ProcessId = { address: 'b:1', incarnation: 2 };
    const split = splitWork([a, b], 3, 2, processKey);
    expect(itemsOf(split, { address: 'b:1', incarnation: 2 }, processKey)).toEqual([
      { item: 0, rank: 1 },
      { item: 1, rank: 1 },
      { item: 2, rank: 1 },
    ]);
    expect(() => splitWork([a, { ...a }], 1, 1, processKey)).toThrow(/distinct/);
  });

  it('refuses bad counts with a typed error', () => {
    expect(() => splitWork(['a'], 0, 1)).toThrow(WorkSplitError);
    expect(() => splitWork(['a'], 1, 1.5)).toThrow(/replicas/);
  });
});
