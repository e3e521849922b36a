import { FrameEncodeError } from '../errors/frame-encode-error';
import type { AnyConfigFrame, DataFrame, FrameCommon, PmuData } from './frame-types';
import { LOCKED_TIME } from './common';

/** One PMU's measurements in engineering units, as a simulator produces them. */
export interface PmuMeasurements {
  readonly stat?: number;
  /** Rectangular (re, im) pairs in volts or amperes, one pair per configured phasor. */
  readonly phasors: readonly number[];
  readonly freqHz: number;
  readonly rocofHzPerS: number;
  /** Analog values in the units ANUNIT / ANSCALE describe. */
  readonly analogs?: readonly number[];
  readonly digitals?: readonly number[];
}

/**
 * Builds a data frame for `config` from engineering-unit measurements,
 * converting to the wire representation each PMU's FORMAT asks for
 * (polar or rectangular, int16 with PHUNIT/ANUNIT scaling, or float32).
 * Throws FrameEncodeError when a value does not fit its int16 field.
 */
export function dataFrameFromMeasurements(
  config: AnyConfigFrame,
  time: Pick<FrameCommon, 'soc' | 'fracsec'> & Partial<Pick<FrameCommon, 'timeQuality' | 'version'>>,
  measurements: readonly PmuMeasurements[],
): DataFrame {
  if (measurements.length !== config.pmus.length) {
    throw new FrameEncodeError(
      `${measurements.length} PMU measurement sets given; the configuration has NUM_PMU ${config.pmus.length}`,
    );
  }
  const pmus = measurements.map((m, i) => toWire(config, i, m));
  return {
    kind: 'data',
    version: time.version ?? config.version,
    idcode: config.idcode,
    soc: time.soc,
    fracsec: time.fracsec,
    timeQuality: time.timeQuality ?? LOCKED_TIME,
    pmus,
  };
}

function toWire(config: AnyConfigFrame, index: number, m: PmuMeasurements): PmuData {
  const pmu = config.pmus[index];
  const f = pmu.format;
  const phasors: number[] = [];
  for (let p = 0; p < pmu.phasors.length; p += 1) {
    const re = m.phasors[2 * p];
    const im = m.phasors[2 * p + 1];
    if (re === undefined || im === undefined)
      throw new FrameEncodeError(
        `PMU ${pmu.idcode}: phasor ${p} missing; give ${pmu.phasors.length} (re, im) pairs`,
      );
    const [a, b] = f.polar ? [Math.hypot(re, im), Math.atan2(im, re)] : [re, im];
    if (f.phasorFloat) phasors.push(a, b);
    else {
      const scale = phasorScale(config, index, p);
      phasors.push(
        toInt(a / scale, f.polar ? 0 : -0x8000, f.polar ? 0xffff : 0x7fff, `PMU ${pmu.idcode} phasor ${p}`),
      );
      phasors.push(toInt(f.polar ? b * 1e4 : b / scale, -0x8000, 0x7fff, `PMU ${pmu.idcode} phasor ${p}`));
    }
  }
  const freq = f.freqFloat
    ? m.freqHz
    : toInt((m.freqHz - pmu.nominalFrequencyHz) * 1000, -0x8000, 0x7fff, `PMU ${pmu.idcode} FREQ`);
  const dfreq = f.freqFloat
    ? m.rocofHzPerS
    : toInt(m.rocofHzPerS * 100, -0x8000, 0x7fff, `PMU ${pmu.idcode} DFREQ`);
  const analogs = (m.analogs ?? []).map((v, a) =>
    f.analogFloat
      ? v
      : toInt(analogRaw(config, index, a, v), -0x8000, 0x7fff, `PMU ${pmu.idcode} analog ${a}`),
  );
  return { stat: m.stat ?? 0, phasors, freq, dfreq, analogs, digitals: [...(m.digitals ?? [])] };
}

function phasorScale(config: AnyConfigFrame, pmu: number, p: number): number {
  const scale =
    config.kind === 'cfg3' ? config.pmus[pmu].phasors[p].scale : config.pmus[pmu].phasors[p].phunit * 1e-5;
  if (!(scale > 0))
    throw new FrameEncodeError(
      `PMU ${config.pmus[pmu].idcode} phasor ${p} has scale ${scale}; int16 phasors need a positive scale`,
    );
  return scale;
}

function analogRaw(config: AnyConfigFrame, pmu: number, a: number, value: number): number {
  if (config.kind === 'cfg3') {
    const ch = config.pmus[pmu].analogs[a];
    return (value - ch.offset) / ch.scale;
  }
  return value / config.pmus[pmu].analogs[a].anunit;
}

function toInt(x: number, min: number, max: number, what: string): number {
  const v = Math.round(x);
  if (!(v >= min && v <= max))
    throw new FrameEncodeError(
      `${what}: ${x} does not fit the int16 field [${min}, ${max}]; raise the unit scale or use float format`,
    );
  return v;
}
