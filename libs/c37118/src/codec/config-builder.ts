import { LOCKED_TIME } from './common';
import type { ConfigFrame, DataFormat, PmuConfig } from './frame-types';

export interface PmuSpec {
  readonly stationName: string;
  readonly idcode: number;
  readonly format?: Partial<DataFormat>;
  /** Phasor channel names; a name starting with 'I' is a current. */
  readonly phasors: readonly string[];
  readonly analogs?: readonly string[];
  /** Number of 16-bit digital status words. */
  readonly digitalWords?: number;
  /** PHUNIT for int16 phasors, in 1e-5 V or A per bit. */
  readonly phunit?: number;
  readonly nominalFrequencyHz?: 50 | 60;
  readonly cfgcnt?: number;
}

export interface ConfigSpec {
  readonly kind?: 'cfg1' | 'cfg2';
  readonly version?: number;
  readonly idcode: number;
  readonly soc?: number;
  readonly timeBase?: number;
  readonly dataRate: number;
  readonly pmus: readonly PmuSpec[];
}

/** A CFG-1/CFG-2 frame from a short description; defaults: float rectangular, TIME_BASE 1,000,000, 2011. */
export function buildConfig(spec: ConfigSpec): ConfigFrame {
  return {
    kind: spec.kind ?? 'cfg2',
    version: spec.version ?? 2,
    idcode: spec.idcode,
    soc: spec.soc ?? 0,
    fracsec: 0,
    timeQuality: LOCKED_TIME,
    timeBase: spec.timeBase ?? 1_000_000,
    dataRate: spec.dataRate,
    pmus: spec.pmus.map(buildPmu),
  };
}

function buildPmu(p: PmuSpec): PmuConfig {
  const format: DataFormat = {
    polar: false,
    phasorFloat: true,
    analogFloat: true,
    freqFloat: true,
    ...p.format,
  };
  return {
    stationName: p.stationName,
    idcode: p.idcode,
    format,
    phasors: p.phasors.map((name) => ({ name, isCurrent: name.startsWith('I'), phunit: p.phunit ?? 1000 })),
    analogs: (p.analogs ?? []).map((name) => ({ name, kind: 1, anunit: 1 })),
    digitals: Array.from({ length: p.digitalWords ?? 0 }, (_, w) => ({
      names: Array.from({ length: 16 }, (_, b) => `D${w}.${b}`),
      normalMask: 0,
      validMask: 0xffff,
    })),
    nominalFrequencyHz: p.nominalFrequencyHz ?? 60,
    cfgcnt: p.cfgcnt ?? 1,
  };
}
