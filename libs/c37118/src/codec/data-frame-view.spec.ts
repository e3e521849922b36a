import { describe, expect, it } from 'vitest';
import { buildConfig } from './config-builder';
import { DataFrameView } from './data-frame-view';
import { DataLayout } from './data-layout';
import { encodeFrame } from './encode';
import { dataFrameFromMeasurements } from './measurements';
import { LOCKED_TIME } from './common';
import type { DataFrame } from './frame-types';

const config = buildConfig({
  idcode: 5,
  timeBase: 1000,
  dataRate: 50,
  pmus: [
    {
      stationName: 'INT RECT',
      idcode: 1,
      format: { polar: false, phasorFloat: false, analogFloat: false, freqFloat: false },
      phasors: ['VA'],
      analogs: ['P'],
      digitalWords: 1,
      phunit: 1000,
      nominalFrequencyHz: 50,
    },
    {
      stationName: 'INT POLAR',
      idcode: 2,
      format: { polar: true, phasorFloat: false, analogFloat: true, freqFloat: false },
      phasors: ['VB'],
      phunit: 2000,
    },
    {
      stationName: 'FLOAT POLAR',
      idcode: 3,
      format: { polar: true, phasorFloat: true, analogFloat: true, freqFloat: true },
      phasors: ['VC'],
    },
  ],
});

describe('DataFrameView', () => {
  it('decodes wire values into engineering units: rectangular phasors, absolute Hz, scaled analogs', () => {
    const frame: DataFrame = {
      kind: 'data',
      version: 2,
      idcode: 5,
      soc: 1000,
      fracsec: 250,
      timeQuality: { ...LOCKED_TIME, code: 5 },
      pmus: [
        { stat: 0x2000, phasors: [1000, -2000], freq: -25, dfreq: 12, analogs: [-7], digitals: [0xbeef] },
        { stat: 0, phasors: [500, 15708], freq: 10, dfreq: 0, analogs: [], digitals: [] },
        { stat: 1, phasors: [100, Math.PI], freq: 60.5, dfreq: -0.5, analogs: [], digitals: [] },
      ],
    };
    const layout = new DataLayout(config);
    const view = new DataFrameView(layout);
    const bytes = encodeFrame(frame, config);
    expect(layout.frameSize).toBe(bytes.length);
    view.decode(bytes, 0);
    expect(view.idcode).toBe(5);
    expect(view.frameBytes()).toEqual(bytes);
    expect(view.time).toBeCloseTo(1000.25, 9);
    expect(view.timeQualityCode).toBe(5);
    expect(Array.from(view.stat)).toEqual([0x2000, 0, 1]);
    // int16 rectangular: raw * PHUNIT * 1e-5.
    expect(view.phasors[0]).toBeCloseTo(10, 9);
    expect(view.phasors[1]).toBeCloseTo(-20, 9);
    // int16 polar: magnitude 500 * 0.02 = 10 at angle 1.5708 rad.
    expect(view.phasors[2]).toBeCloseTo(10 * Math.cos(1.5708), 6);
    expect(view.phasors[3]).toBeCloseTo(10 * Math.sin(1.5708), 6);
    // float polar: 100 at pi.
    expect(view.phasors[4]).toBeCloseTo(-100, 4);
    expect(view.phasors[5]).toBeCloseTo(0, 4);
    expect(Array.from(view.freq)).toEqual([49.975, 60.01, 60.5]);
    expect(Array.from(view.dfreq)).toEqual([0.12, 0, -0.5]);
    expect(Array.from(view.analogs)).toEqual([-7]);
    expect(Array.from(view.digitals)).toEqual([0xbeef]);
  });

  it('agrees with dataFrameFromMeasurements for every format', () => {
    const phasors = [
      [120.5, -35.25],
      [-60, 80],
      [0.5, 230],
    ];
    const frame = dataFrameFromMeasurements(
      config,
      { soc: 1, fracsec: 0 },
      phasors.map((p, i) => ({
        phasors: p,
        freqHz: 59.95 + i * 0.01,
        rocofHzPerS: 0.25,
        analogs: i === 0 ? [42] : [],
        digitals: i === 0 ? [3] : [],
      })),
    );
    const view = new DataFrameView(new DataLayout(config));
    view.decode(encodeFrame(frame, config), 0);
    phasors.forEach(([re, im], i) => {
      // int16 quantisation is one PHUNIT step (0.01 or 0.02); float32 keeps ~7 digits.
      expect(Math.abs(view.phasors[2 * i] - re)).toBeLessThan(0.03);
      expect(Math.abs(view.phasors[2 * i + 1] - im)).toBeLessThan(0.03);
      expect(view.freq[i]).toBeCloseTo(59.95 + i * 0.01, 3);
      expect(view.dfreq[i]).toBeCloseTo(0.25, 3);
    });
    expect(view.analogs[0]).toBe(42);
  });
});
