import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advanceHlc,
  compareHlc,
  hlcCutOf,
  MAX_HLC_LOGICAL,
  mergeHlc,
  nextHlc,
  stampBatch,
  tickHlc,
  type HlcTimestamp,
} from './hlc';

const stamp = fc.record({
  wallMs: fc.integer({ min: 0, max: 2 ** 45 }),
  logical: fc.integer({ min: 0, max: 1000 }),
});

describe('hybrid logical clock', () => {
  it('ticks past both the last stamp and the physical clock', () => {
    fc.assert(
      fc.property(stamp, fc.integer({ min: 0, max: 2 ** 45 }), (last, now) => {
        const t = tickHlc(last, now);
        expect(compareHlc(t, last)).toBeGreaterThan(0);
        expect(t.wallMs).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  it('merges a seen stamp: the result follows both', () => {
    fc.assert(
      fc.property(stamp, stamp, fc.integer({ min: 0, max: 2 ** 45 }), (last, seen, now) => {
        const t = mergeHlc(last, seen, now);
        expect(compareHlc(t, last)).toBeGreaterThan(0);
        expect(compareHlc(t, seen)).toBeGreaterThan(0);
      }),
    );
  });

  it('stamps a sequence of batches with growing, distinct times that depend only on the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stamp, fc.integer({ min: 1, max: 20 })), { maxLength: 40 }),
        (batches) => {
          const run = (): HlcTimestamp[] => {
            let last: HlcTimestamp = { wallMs: 0, logical: 0 };
            const all: HlcTimestamp[] = [];
            for (const [proposed, count] of batches) {
              const { first, last: end } = stampBatch(last, proposed, count);
              let t = first;
              for (let i = 0; i < count; i++, t = nextHlc(t)) all.push(t);
              expect(all[all.length - 1]).toEqual(end);
              last = end;
            }
            return all;
          };
          const stamps = run();
          for (let i = 1; i < stamps.length; i++)
            expect(compareHlc(stamps[i], stamps[i - 1])).toBeGreaterThan(0);
          expect(run()).toEqual(stamps);
        },
      ),
    );
  });

  it('takes a later proposal as it is, and carries the logical counter into the next millisecond', () => {
    expect(stampBatch({ wallMs: 5, logical: 3 }, { wallMs: 9, logical: 0 }, 2)).toEqual({
      first: { wallMs: 9, logical: 0 },
      last: { wallMs: 9, logical: 1 },
    });
    expect(stampBatch({ wallMs: 9, logical: 3 }, { wallMs: 7, logical: 0 }, 1).first).toEqual({
      wallMs: 9,
      logical: 4,
    });
    expect(nextHlc({ wallMs: 1, logical: MAX_HLC_LOGICAL })).toEqual({ wallMs: 2, logical: 0 });
    expect(() => stampBatch({ wallMs: 0, logical: 0 }, { wallMs: 0, logical: 0 }, 0)).toThrow(RangeError);
  });

  it('advances by n steps exactly as n nextHlc steps, across the end of a millisecond', () => {
    const near = fc.record({
      wallMs: fc.integer({ min: 0, max: 2 ** 45 }),
      logical: fc.oneof(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: MAX_HLC_LOGICAL - 50, max: MAX_HLC_LOGICAL }),
      ),
    });
    fc.assert(
      fc.property(near, fc.nat(200), (t, steps) => {
        let stepped: HlcTimestamp = t;
        for (let i = 0; i < steps; i++) stepped = nextHlc(stepped);
        expect(advanceHlc(t, steps)).toEqual(stepped);
      }),
    );
  });

  it('cuts at the end of the millisecond holding a nanosecond time', () => {
    expect(hlcCutOf(1_999_999n)).toEqual({ wallMs: 1, logical: MAX_HLC_LOGICAL });
    expect(compareHlc({ wallMs: 1, logical: 70 }, hlcCutOf(1_000_000n))).toBeLessThan(0);
    expect(compareHlc({ wallMs: 2, logical: 0 }, hlcCutOf(1_999_999n))).toBeGreaterThan(0);
  });
});
