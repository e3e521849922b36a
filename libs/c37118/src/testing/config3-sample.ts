import { LOCKED_TIME } from '../codec/common';
import { encodeConfig3Series } from '../codec/config3-series';
import { encodeFrame } from '../codec/encode';
import type { Config3Frame, DataFrame, DataFormat } from '../codec/frame-types';

/**
 * A CFG-3 stream for specs: `pmuCount` PMUs of two phasors each (one
 * voltage, one current) in the chosen format, each phasor with its own
 * PHSCALE scale and angle adjustment, long enough that `splitAt` bytes per
 * frame makes it a series of several CFG-3 frames. Not exported from the barrel.
 */
export interface Config3SampleOptions {
  readonly idcode?: number;
  readonly pmuCount?: number;
  readonly format?: Partial<DataFormat>;
  /** Angle adjustment of phasor k of PMU i: (i + 1) * angleStepRad * (k ? -1 : 1). */
  readonly angleStepRad?: number;
}

export function sampleConfig3(o: Config3SampleOptions = {}): Config3Frame {
  const idcode = o.idcode ?? 7;
  const step = o.angleStepRad ?? 0.1;
  const format: DataFormat = {
    polar: false,
    phasorFloat: false,
    analogFloat: false,
    freqFloat: false,
    ...o.format,
  };
  return {
    kind: 'cfg3',
    version: 2,
    idcode,
    soc: 1_700_000_000,
    fracsec: 0,
    timeQuality: LOCKED_TIME,
    contIdx: 0,
    timeBase: 1_000_000,
    dataRate: 30,
    pmus: Array.from({ length: o.pmuCount ?? 12 }, (_, i) => ({
      stationName: `SUBSTATION ${i} WITH A LONG CFG-3 NAME`,
      idcode: idcode * 100 + i,
      globalPmuId: (idcode * 100 + i).toString(16).padStart(32, '0'),
      format,
      phasors: [
        {
          name: `BUS ${i} V1 POSITIVE SEQUENCE`,
          modificationFlags: 0x0100,
          typeIndication: 1,
          userDesignation: 0,
          scale: 0.01 * (i + 1),
          angleOffsetRad: (i + 1) * step,
        },
        {
          name: `LINE ${i} I1 POSITIVE SEQUENCE`,
          modificationFlags: 0,
          typeIndication: 9,
          userDesignation: 0,
          scale: 0.001,
          angleOffsetRad: -(i + 1) * step,
        },
      ],
      analogs: [{ name: `LINE ${i} MW`, scale: 0.5, offset: -10 }],
      digitals: [],
      latitude: 40 + i / 100,
      longitude: -75,
      elevation: 100,
      serviceClass: 'P',
      windowUs: 33_333,
      groupDelayUs: 0,
      nominalFrequencyHz: 60,
      cfgcnt: 3,
    })),
  };
}

/** The configuration's frames: a series of CFG-3 frames of at most `maxFrameBytes` each. */
export function sampleConfig3Frames(config: Config3Frame, maxFrameBytes: number): Uint8Array[] {
  return encodeConfig3Series(config, maxFrameBytes);
}

/** Data frame `i` of the configuration: wire values (int16 or float as the format says) chosen per PMU and phasor. */
export function sampleConfig3Data(config: Config3Frame, i: number): DataFrame {
  return {
    kind: 'data',
    version: 2,
    idcode: config.idcode,
    soc: 1_700_000_000 + Math.floor(i / 30),
    fracsec: (i % 30) * 33_333,
    timeQuality: LOCKED_TIME,
    pmus: config.pmus.map((p, k) => ({
      stat: 0,
      phasors: p.format.polar
        ? [1000 + k, p.format.phasorFloat ? 0.5 : 5000, 200 + i, p.format.phasorFloat ? -0.25 : -2500]
        : [1000 + k, 300 - k, 200 + i, -50],
      freq: p.format.freqFloat ? 60.01 : 10,
      dfreq: 0,
      analogs: [40 + k],
      digitals: [],
    })),
  };
}

export function encodedConfig3Data(config: Config3Frame, i: number): Uint8Array {
  return encodeFrame(sampleConfig3Data(config, i), config);
}
