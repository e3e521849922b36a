import { describe, expect, it } from 'vitest';
import {
  buildConfig,
  dataFrameFromMeasurements,
  DataFrameView,
  DataLayout,
  encodeFrame,
} from '@gridcloud/c37118';
import { FrameSample, type PmuSample } from '../pipeline/pmu-sample';
import type { Snapshot } from '../sinks/snapshot-sink';
import { frameSampleOf } from '../testing/frames';
import { mergedSnapshot } from './merged-snapshot';
import { encodePartialSnapshot, PartialSnapshot } from './partial-snapshot';

const SLOT = 102_000_000_000;

/** Two PMUs in one frame: PMU 7 with two phasors and an analog, PMU 9 with one phasor and a digital word. */
const config = buildConfig({
  idcode: 60_000,
  dataRate: 60,
  pmus: [
    { stationName: 'P7', idcode: 7, phasors: ['V1', 'V2'], analogs: ['A1'] },
    { stationName: 'P9', idcode: 9, phasors: ['V1'], digitalWords: 1 },
  ],
});
const frame = new DataFrameView(new DataLayout(config));
frame.decode(
  encodeFrame(
    dataFrameFromMeasurements(config, { soc: 1_700_000_000, fracsec: 250_000 }, [
      { phasors: [1, 0.25, 0.5, -0.25], freqHz: 60.25, rocofHzPerS: 0.5, analogs: [120.5] },
      { phasors: [0.75, 0.5], freqHz: 60.25, rocofHzPerS: 0.5, digitals: [0xfffd] },
    ]),
    config,
  ),
  0,
);

function sample(idcode: number, p: number): FrameSample {
  return frameSampleOf(frame, p, idcode, 1_700_000_000_260);
}

function plain(idcode: number, phasors: number[]): PmuSample {
  return {
    idcode,
    streamIdcode: 60_001,
    soc: 1_700_000_000,
    fracsec: 250,
    stat: 0x2000,
    timeQuality: 3,
    freqHz: 59.9,
    rocofHzPerS: -0.1,
    phasors: Float64Array.from(phasors),
    analogs: new Float64Array(0),
    digitals: new Uint16Array(0),
    arrivalMs: 1_700_000_000_270,
  };
}

function snapshot(values: PmuSample[], missing: number[] = []): Snapshot {
  return {
    slot: SLOT,
    timeSec: SLOT / 60,
    pmuIds: values.map((v) => v.idcode),
    values,
    missing,
    complete: missing.length === 0,
    reason: missing.length === 0 ? 'complete' : 'window',
    firstArrivalMs: 1_700_000_000_255,
    lastArrivalMs: 1_700_000_000_270,
    releasedAtMs: 1_700_000_000_280,
    skippedSlotsBefore: 0,
  };
}

function fields(v: PmuSample) {
  return { ...v, phasors: [...v.phasors], analogs: [...v.analogs], digitals: [...v.digitals] };
}

describe('PartialSnapshot', () => {
  it('carries every field of every sample, from frame samples and plain ones alike', () => {
    const values = [sample(7, 0), sample(9, 1), plain(11, [1, 2])];
    const p = new PartialSnapshot(encodePartialSnapshot(snapshot(values, [13])));
    expect(p).toMatchObject({ slot: SLOT, reason: 'window', releasedAtMs: 1_700_000_000_280 });
    expect([...p.missing]).toEqual([13]);
    for (let i = 0; i < values.length; i += 1) {
      const { idcode, streamIdcode, soc, fracsec, stat, timeQuality, freqHz, rocofHzPerS, arrivalMs } =
        values[i];
      const want = { idcode, streamIdcode, soc, fracsec, stat, timeQuality, freqHz, rocofHzPerS, arrivalMs };
      expect(fields(p.sample(i))).toEqual(fields({ ...want, ...pick(values[i]) }));
    }
    expect([...p.sample(0).phasors]).toEqual([1, 0.25, 0.5, -0.25]);
    expect([...p.sample(0).analogs]).toEqual([120.5]);
    expect(p.sample(1)).toMatchObject({ streamIdcode: 60_000, fracsec: 250_000, freqHz: 60.25 });
    expect([...p.sample(1).digitals]).toEqual([0xfffd]);
  });

  it('refuses a buffer whose size does not match its header', () => {
    const bytes = encodePartialSnapshot(snapshot([sample(7, 0)]));
    expect(() => new PartialSnapshot(bytes.slice(0, bytes.byteLength - 8))).toThrow(/does not match/);
  });
});

describe('mergedSnapshot', () => {
  it('merges the parts in IDCODE order and names the PMUs of an absent part as missing', () => {
    const a = new PartialSnapshot(encodePartialSnapshot(snapshot([sample(7, 0), plain(11, [1, 2])])));
    const b = new PartialSnapshot(encodePartialSnapshot(snapshot([sample(9, 1)])));
    const m = mergedSnapshot(
      {
        slot: SLOT,
        timeSec: SLOT / 60,
        parts: [
          { part: 'a', value: a, latenessMs: 5 },
          { part: 'b', value: b, latenessMs: 6 },
        ],
        absentParts: ['c'],
        reason: 'window',
        firstArrivalMs: 1,
        releasedAtMs: 2,
        skippedSlotsBefore: 0,
      },
      (part) => (part === 'c' ? [3, 12] : []),
    );
    expect(m.pmuIds).toEqual([7, 9, 11]);
    expect(m.values.map((v) => v.idcode)).toEqual([7, 9, 11]);
    expect(m.missing).toEqual([3, 12]);
    expect(m).toMatchObject({ complete: false, reason: 'window' });
  });

  it("reports the parts' arrival times whenever the merger got them, so a slot merged again reads the same", () => {
    const part = new PartialSnapshot(encodePartialSnapshot(snapshot([sample(7, 0)])));
    const merge = (mergerFirstArrivalMs: number) =>
      mergedSnapshot(
        {
          slot: SLOT,
          timeSec: SLOT / 60,
          parts: [{ part: 'a', value: part, latenessMs: 0 }],
          absentParts: [],
          reason: 'complete',
          firstArrivalMs: mergerFirstArrivalMs,
          releasedAtMs: mergerFirstArrivalMs + 1,
          skippedSlotsBefore: 0,
        },
        () => [],
      );
    const first = merge(part.lastArrivalMs + 5);
    const again = merge(part.lastArrivalMs + 8_000);
    expect([first.firstArrivalMs, first.lastArrivalMs]).toEqual([part.firstArrivalMs, part.lastArrivalMs]);
    expect([again.firstArrivalMs, again.lastArrivalMs]).toEqual([first.firstArrivalMs, first.lastArrivalMs]);
    const none = mergedSnapshot(
      {
        slot: SLOT,
        timeSec: SLOT / 60,
        parts: [],
        absentParts: ['a'],
        reason: 'window',
        firstArrivalMs: 40,
        releasedAtMs: 50,
        skippedSlotsBefore: 0,
      },
      () => [7],
    );
    expect([none.firstArrivalMs, none.lastArrivalMs]).toEqual([40, 40]);
  });
});

function pick(v: PmuSample) {
  return { phasors: v.phasors, analogs: v.analogs, digitals: v.digitals };
}
