import { FrameEncodeError } from '../errors/frame-encode-error';
import type { ByteReader } from './byte-reader';
import type { ByteWriter } from './byte-writer';
import type { DataFormat, PmuData } from './frame-types';

export interface PmuShape {
  readonly format: DataFormat;
  readonly phasors: readonly unknown[];
  readonly analogs: readonly unknown[];
  readonly digitals: readonly unknown[];
}

/** One PMU block in wire-domain values (integers stay integers). */
export function readPmuData(r: ByteReader, shape: PmuShape): PmuData {
  const f = shape.format;
  const stat = r.u16('STAT');
  const phasors: number[] = [];
  for (let i = 0; i < shape.phasors.length; i += 1) {
    if (f.phasorFloat) phasors.push(r.f32('PHASOR'), r.f32('PHASOR'));
    else if (f.polar) phasors.push(r.u16('PHASOR magnitude'), r.i16('PHASOR angle'));
    else phasors.push(r.i16('PHASOR real'), r.i16('PHASOR imaginary'));
  }
  const freq = f.freqFloat ? r.f32('FREQ') : r.i16('FREQ');
  const dfreq = f.freqFloat ? r.f32('DFREQ') : r.i16('DFREQ');
  const analogs: number[] = [];
  for (let i = 0; i < shape.analogs.length; i += 1)
    analogs.push(f.analogFloat ? r.f32('ANALOG') : r.i16('ANALOG'));
  const digitals: number[] = [];
  for (let i = 0; i < shape.digitals.length; i += 1) digitals.push(r.u16('DIGITAL'));
  return { stat, phasors, freq, dfreq, analogs, digitals };
}

export function writePmuData(w: ByteWriter, d: PmuData, shape: PmuShape, pmuIndex: number): void {
  const f = shape.format;
  const where = `PMU block ${pmuIndex}`;
  checkCount(d.phasors.length, 2 * shape.phasors.length, `${where}: phasor values (two per phasor)`);
  checkCount(d.analogs.length, shape.analogs.length, `${where}: analog values`);
  checkCount(d.digitals.length, shape.digitals.length, `${where}: digital words`);
  w.u16(d.stat, `${where} STAT`);
  for (let i = 0; i < d.phasors.length; i += 2) {
    if (f.phasorFloat) {
      w.f32(d.phasors[i], `${where} phasor`);
      w.f32(d.phasors[i + 1], `${where} phasor`);
    } else if (f.polar) {
      w.u16(d.phasors[i], `${where} int16 phasor magnitude`);
      w.i16(d.phasors[i + 1], `${where} int16 phasor angle (1e-4 rad)`);
    } else {
      w.i16(d.phasors[i], `${where} int16 phasor real part`);
      w.i16(d.phasors[i + 1], `${where} int16 phasor imaginary part`);
    }
  }
  if (f.freqFloat) {
    w.f32(d.freq, `${where} FREQ`);
    w.f32(d.dfreq, `${where} DFREQ`);
  } else {
    w.i16(d.freq, `${where} int16 FREQ (mHz from nominal)`);
    w.i16(d.dfreq, `${where} int16 DFREQ (Hz/s x 100)`);
  }
  for (const a of d.analogs) {
    if (f.analogFloat) w.f32(a, `${where} ANALOG`);
    else w.i16(a, `${where} int16 ANALOG`);
  }
  for (const dg of d.digitals) w.u16(dg, `${where} DIGITAL`);
}

function checkCount(got: number, want: number, what: string): void {
  if (got !== want) throw new FrameEncodeError(`${what}: the config says ${want}, the frame has ${got}`);
}
