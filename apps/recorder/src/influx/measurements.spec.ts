import { encodeSnapshot, decodeSnapshot } from '@gridcloud/estimation';
import { describe, expect, it } from 'vitest';
import { PmuQualityWindow } from './measurements';

const snapshot = (slot: number, present: { idcode: number; stat: number }[], missing: number[]) =>
  decodeSnapshot(
    encodeSnapshot(
      {
        slot,
        timeSec: 1_700_000_000 + slot / 30,
        complete: missing.length === 0,
        values: present.map((p) => ({
          idcode: p.idcode,
          stat: p.stat,
          freqHz: 60.01,
          phasors: new Float64Array([1, 0]),
        })),
        missing,
      },
      1,
    ),
  );

describe('PmuQualityWindow', () => {
  it('tallies frames received, missing, flagged and unsynchronised per PMU, then starts a fresh window', () => {
    const w = new PmuQualityWindow(16);
    w.add(
      snapshot(
        0,
        [
          { idcode: 1, stat: 0 },
          { idcode: 2, stat: 0x2000 },
        ],
        [],
      ),
    );
    w.add(snapshot(1, [{ idcode: 1, stat: 0x8000 }], [2]));
    const points = w.drain(5_000);
    const by = Object.fromEntries(points.map((p) => [p.tags.idcode, p.fields]));
    expect(by['1']).toMatchObject({ received: 2, missing: 0, data_errors: 1, unsynced: 0, availability: 1 });
    expect(by['2']).toMatchObject({
      received: 1,
      missing: 1,
      data_errors: 0,
      unsynced: 1,
      availability: 0.5,
    });
    expect(by['1'].freq_hz).toBeCloseTo(60.01, 9);
    expect(by.all).toEqual({ snapshots: 2, complete_share: 0.5 });
    expect(points.every((p) => p.timeMs === 5_000 && p.measurement === 'pmu_quality')).toBe(true);
    expect(w.drain(6_000)).toEqual([]);
  });

  it('tallies PMUs past its bound together under other', () => {
    const w = new PmuQualityWindow(2);
    w.add(
      snapshot(
        0,
        [1, 2, 3, 4].map((idcode) => ({ idcode, stat: 0 })),
        [],
      ),
    );
    const tags = w
      .drain(0)
      .map((p) => p.tags.idcode)
      .sort();
    expect(tags).toEqual(['1', '2', 'all', 'other']);
  });
});
