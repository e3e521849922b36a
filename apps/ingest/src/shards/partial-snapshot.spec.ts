import { describe, expect, it } from 'vitest';
import { FrameSample, type FrameValues, type PmuSample } from '../pipeline/pmu-sample';
import type { Snapshot } from '../sinks/snapshot-sink';
import { mergedSnapshot } from './merged-snapshot';
import { encodePartialSnapshot, PartialSnapshot } from './partial-snapshot';

const SLOT = 102_000_000_000;

/** Two PMUs in one frame: PMU 7 with two phasors and an analog, PMU 9 with one phasor and a digital word. */
const frame: FrameValues = {
  streamIdcode: 60_000,
  soc: 1_700_000_000,
  fracsec: 250,
  fraction: 0.25,
  timeQuality: 0,
  arrivalMs: 1_700_000_000_260,
  stat: Uint16Array.from([0, 0]),
  freqHz: Float64Array.from([60.01, 60.01]),
  rocofHzPerS: Float64Array.from([0.02, 0.02]),
  phasors: Float64Array.from([1, 0.1, 0.5, -0.2, 0.9, 0.3]),
  analogs: Float64Array.from([120.5]),
  digitals: Uint16Array.from([0xfffd]),
  phasorStart: [0, 2, 3],
  analogStart: [0, 1, 1],
  digitalStart: [0, 0, 1],
};

function sample(idcode: number, p: number): FrameSample {
  return new FrameSample(frame, p, idcode);
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
    expect([...p.sample(0).phasors]).toEqual([1, 0.1, 0.5, -0.2]);
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
});

function pick(v: PmuSample) {
  return { phasors: v.phasors, analogs: v.analogs, digitals: v.digitals };
}
