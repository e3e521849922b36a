import { describe, expect, it } from 'vitest';
import { tally } from './chaos-tally';

const snapshots = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ slot: from + i, timeSec: (from + i) / 30 }));

describe('chaos tally', () => {
  it('counts released snapshots without an estimate as gaps, from the first estimate to the last counted slot', () => {
    const estimated = new Set([12, 13, 15, 16, 19]);
    const t = tally(snapshots(10, 20), estimated, 18);
    // 12..18 are in the window: 14, 17 and 18 have no estimate.
    expect(t).toEqual({ snapshots: 7, estimated: 4, gaps: 3, gapSlots: [14, 17, 18] });
  });

  it('has no window before any estimate', () => {
    expect(tally(snapshots(1, 5), new Set(), 5)).toMatchObject({ snapshots: 0, gaps: 0 });
  });
});
