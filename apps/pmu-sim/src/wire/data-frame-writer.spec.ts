import {
  buildConfig,
  decodeFrameOrThrow,
  encodeFrame,
  StreamDecoder,
  type ConfigFrame,
  type DataFrameView,
} from '@gridcloud/c37118';
import { describe, expect, it } from 'vitest';
import { DataFrameWriter, type FrameValues } from './data-frame-writer';

/** Two PMUs with every optional part, in the given phasor/analog number format. */
function config(polar: boolean, float: boolean): ConfigFrame {
  const cfg = buildConfig({
    idcode: 60_001,
    dataRate: 30,
    pmus: [1, 2].map((idcode) => ({
      stationName: `PMU${idcode}`,
      idcode,
      format: { polar, phasorFloat: float, analogFloat: float, freqFloat: idcode === 1 },
      phasors: ['V1', 'I1-2'],
      analogs: ['MW', 'MVAR'],
      digitalWords: idcode,
      phunit: 5,
    })),
  });
  return cfg;
}

const VALUES: FrameValues = {
  stat: [0, 0x0400],
  phasors: [1.02, -0.1, 0.5, 0.25, 0.98, 0.2, -0.75, -0.5],
  freqHz: [60.01, 59.995],
  rocof: [0.02, -0.01],
  analogs: [101.4, -20.6, 55, 7],
  digitals: [0x8001, 0x0003, 0xfffe],
};

function decode(
  cfg: ConfigFrame,
  bytes: Uint8Array,
): { phasors: number[]; analogs: number[]; digitals: number[] } {
  const got: { phasors: number[]; analogs: number[]; digitals: number[] }[] = [];
  const decoder = new StreamDecoder(
    { maxFrameBytes: 4096 },
    {
      onData: (v: DataFrameView) =>
        got.push({ phasors: [...v.phasors], analogs: [...v.analogs], digitals: [...v.digitals] }),
      onReject: (r) => expect.fail(r.message),
    },
  );
  decoder.push(encodeFrame(cfg));
  decoder.push(bytes);
  expect(got).toHaveLength(1);
  return got[0];
}

describe('DataFrameWriter', () => {
  it.each([
    ['rectangular float', false, true, 1e-6, 1e-5],
    ['polar float', true, true, 1e-6, 1e-5],
    ['rectangular int16', false, false, 5e-5, 1],
    ['polar int16', true, false, 2e-4, 1],
  ])(
    'writes %s phasors, analogs and digital words that the codec decodes to the values given',
    (_, polar, float, phasorTolerance, analogTolerance) => {
      const cfg = config(polar, float);
      const bytes = new DataFrameWriter(cfg).write(1_700_000_000, 500_000, 0, VALUES);
      const frame = decodeFrameOrThrow(bytes, () => cfg);
      expect(frame.kind).toBe('data');
      const got = decode(cfg, bytes);
      got.phasors.forEach((x, i) => expect(Math.abs(x - VALUES.phasors[i])).toBeLessThan(phasorTolerance));
      got.analogs.forEach((x, i) => expect(Math.abs(x - VALUES.analogs[i])).toBeLessThan(analogTolerance));
      expect(got.digitals).toEqual(VALUES.digitals);
    },
  );

  it('clamps int16 values past what 16 bits hold and writes 0 for a missing value', () => {
    const cfg = config(false, false);
    const values = { ...VALUES, phasors: [10, -10, Number.NaN, 0.25, 0.98, 0.2, -0.75, -0.5] };
    const got = decode(cfg, new DataFrameWriter(cfg).write(1_700_000_000, 0, 0, values));
    expect(got.phasors.slice(0, 4)).toEqual([32_767 * 5e-5, -32_767 * 5e-5, 0, 0]);
  });
});
