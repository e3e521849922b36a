import { buildConfig } from '../codec/config-builder';
import { commandFrame, encodeFrame } from '../codec/encode';
import type { ConfigFrame, DataFrame } from '../codec/frame-types';
import { LOCKED_TIME } from '../codec/common';

/**
 * A small valid session (header, CFG-2, data frames) used by the stream
 * decoder specs and the fuzz spec. Not exported from the package barrel.
 */
export const sampleConfig: ConfigFrame = buildConfig({
  idcode: 42,
  dataRate: 30,
  pmus: [
    { stationName: 'SUB A', idcode: 42, phasors: ['VA', 'VB', 'VC', 'IA'], analogs: ['MW'], digitalWords: 1 },
    {
      stationName: 'SUB B',
      idcode: 43,
      format: { polar: true, phasorFloat: false, analogFloat: false, freqFloat: false },
      phasors: ['V1'],
    },
  ],
});

export function sampleData(i: number): DataFrame {
  return {
    kind: 'data',
    version: 2,
    idcode: 42,
    soc: 1_700_000_000 + Math.floor(i / 30),
    fracsec: (i % 30) * 33_333,
    timeQuality: LOCKED_TIME,
    pmus: [
      {
        stat: 0,
        phasors: [1, 2, 3, 4, 5, 6, 7, 8],
        freq: 60 + i / 1000,
        dfreq: 0,
        analogs: [i],
        digitals: [i & 0xffff],
      },
      { stat: 0, phasors: [1000 + i, -100], freq: i % 100, dfreq: 1, analogs: [], digitals: [] },
    ],
  };
}

export const encodedConfig = encodeFrame(sampleConfig);
export const encodedHeader = encodeFrame({
  kind: 'header',
  version: 2,
  idcode: 42,
  soc: 1_700_000_000,
  fracsec: 0,
  timeQuality: LOCKED_TIME,
  text: 'sample PMU',
});
export const encodedCommand = encodeFrame(commandFrame(42, 'start', { soc: 1_700_000_000, fracsec: 0 }));

export function encodedData(i: number): Uint8Array {
  return encodeFrame(sampleData(i), sampleConfig);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
