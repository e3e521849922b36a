import { FrameEncodeError } from '../errors/frame-encode-error';
import { FrameFormatError } from '../errors/frame-format-error';
import type { ByteReader } from './byte-reader';
import { checkInt, type ByteWriter } from './byte-writer';
import type {
  AnalogChannel,
  ConfigFrame,
  DataFormat,
  DigitalWord,
  PhasorChannel,
  PmuConfig,
} from './frame-types';

const NAME_BYTES = 16;
const DIGITAL_BITS = 16;

export function decodeFormat(word: number): DataFormat {
  return {
    polar: (word & 1) !== 0,
    phasorFloat: (word & 2) !== 0,
    analogFloat: (word & 4) !== 0,
    freqFloat: (word & 8) !== 0,
  };
}

export function encodeFormat(f: DataFormat): number {
  return (f.polar ? 1 : 0) | (f.phasorFloat ? 2 : 0) | (f.analogFloat ? 4 : 0) | (f.freqFloat ? 8 : 0);
}

export function decodeFnom(word: number): 50 | 60 {
  return (word & 1) === 1 ? 50 : 60;
}

/** A data frame's time is SOC + FRACSEC / TIME_BASE: a zero TIME_BASE leaves every frame of the stream without a time. */
export function checkTimeBase(timeBase: number): void {
  if (timeBase === 0)
    throw new FrameFormatError(
      'malformed',
      'TIME_BASE is 0; FRACSEC counts 1/TIME_BASE of a second, so it must be at least 1',
    );
}

export function checkNumPmu(numPmu: number): void {
  if (numPmu === 0)
    throw new FrameFormatError('malformed', 'NUM_PMU is 0; a configuration describes at least one PMU');
}

/** TIME_BASE .. DATA_RATE of a CFG-1 or CFG-2 frame. */
export function readConfigBody(r: ByteReader): Pick<ConfigFrame, 'timeBase' | 'pmus' | 'dataRate'> {
  const timeBase = r.u32('TIME_BASE') & 0xffffff;
  checkTimeBase(timeBase);
  const numPmu = r.u16('NUM_PMU');
  checkNumPmu(numPmu);
  const pmus: PmuConfig[] = [];
  for (let i = 0; i < numPmu; i += 1) pmus.push(readPmuConfig(r));
  const dataRate = r.i16('DATA_RATE');
  return { timeBase, pmus, dataRate };
}

function readPmuConfig(r: ByteReader): PmuConfig {
  const stationName = r.fixedName(NAME_BYTES, 'STN');
  const idcode = r.u16('IDCODE');
  const format = decodeFormat(r.u16('FORMAT'));
  const phnmr = r.u16('PHNMR');
  const annmr = r.u16('ANNMR');
  const dgnmr = r.u16('DGNMR');
  // Check the channel counts against the bytes left before allocating, so a
  // corrupt count cannot make us build a huge array.
  const perPmuBytes = NAME_BYTES * (phnmr + annmr + DIGITAL_BITS * dgnmr) + 4 * (phnmr + annmr + dgnmr) + 4;
  if (perPmuBytes > r.remaining) {
    throw new FrameFormatError(
      'size-mismatch',
      `PMU ${idcode} declares ${phnmr} phasors, ${annmr} analogs, ${dgnmr} digital words (${perPmuBytes} bytes) but only ${r.remaining} bytes remain`,
    );
  }
  const phNames = readNames(r, phnmr, 'phasor CHNAM');
  const anNames = readNames(r, annmr, 'analog CHNAM');
  const dgNames: string[][] = [];
  for (let i = 0; i < dgnmr; i += 1) dgNames.push(readNames(r, DIGITAL_BITS, 'digital CHNAM'));
  const phasors: PhasorChannel[] = phNames.map((name) => {
    const unit = r.u32('PHUNIT');
    return { name, isCurrent: unit >>> 24 === 1, phunit: unit & 0xffffff };
  });
  const analogs: AnalogChannel[] = anNames.map((name) => {
    const unit = r.u32('ANUNIT');
    return { name, kind: unit >>> 24, anunit: (unit << 8) >> 8 };
  });
  const digitals: DigitalWord[] = dgNames.map((names) => ({
    names,
    normalMask: r.u16('DIGUNIT'),
    validMask: r.u16('DIGUNIT'),
  }));
  const nominalFrequencyHz = decodeFnom(r.u16('FNOM'));
  const cfgcnt = r.u16('CFGCNT');
  return { stationName, idcode, format, phasors, analogs, digitals, nominalFrequencyHz, cfgcnt };
}

function readNames(r: ByteReader, n: number, what: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i += 1) names.push(r.fixedName(NAME_BYTES, what));
  return names;
}

export function writeConfigBody(w: ByteWriter, f: Pick<ConfigFrame, 'timeBase' | 'pmus' | 'dataRate'>): void {
  checkInt(f.timeBase, 1, 0xffffff, 'TIME_BASE');
  if (f.pmus.length === 0) throw new FrameEncodeError('a configuration needs at least one PMU');
  w.u32(f.timeBase, 'TIME_BASE');
  w.u16(f.pmus.length, 'NUM_PMU');
  for (const pmu of f.pmus) writePmuConfig(w, pmu);
  w.i16(f.dataRate, 'DATA_RATE');
}

function writePmuConfig(w: ByteWriter, p: PmuConfig): void {
  w.fixedName(p.stationName, NAME_BYTES, 'STN');
  w.u16(p.idcode, 'IDCODE');
  w.u16(encodeFormat(p.format), 'FORMAT');
  w.u16(p.phasors.length, 'PHNMR');
  w.u16(p.analogs.length, 'ANNMR');
  w.u16(p.digitals.length, 'DGNMR');
  for (const ph of p.phasors) w.fixedName(ph.name, NAME_BYTES, 'phasor CHNAM');
  for (const an of p.analogs) w.fixedName(an.name, NAME_BYTES, 'analog CHNAM');
  for (const dg of p.digitals)
    writeDigitalNames(dg, (name) => w.fixedName(name, NAME_BYTES, 'digital CHNAM'));
  for (const ph of p.phasors) {
    checkInt(ph.phunit, 0, 0xffffff, `PHUNIT of ${ph.name}`);
    w.u32(((ph.isCurrent ? 1 : 0) << 24) + ph.phunit, 'PHUNIT');
  }
  for (const an of p.analogs) {
    checkInt(an.kind, 0, 0xff, `ANUNIT type of ${an.name}`);
    checkInt(an.anunit, -0x800000, 0x7fffff, `ANUNIT scale of ${an.name}`);
    w.u32((an.kind * 0x1000000 + (an.anunit & 0xffffff)) >>> 0, 'ANUNIT');
  }
  for (const dg of p.digitals) {
    w.u16(dg.normalMask, 'DIGUNIT normal mask');
    w.u16(dg.validMask, 'DIGUNIT valid mask');
  }
  w.u16(p.nominalFrequencyHz === 50 ? 1 : 0, 'FNOM');
  w.u16(p.cfgcnt, 'CFGCNT');
}

export function writeDigitalNames(dg: DigitalWord, write: (name: string) => void): void {
  if (dg.names.length > DIGITAL_BITS)
    throw new FrameEncodeError(`a digital word has ${dg.names.length} names; it holds 16 bits`);
  for (let bit = 0; bit < DIGITAL_BITS; bit += 1) write(dg.names[bit] ?? '');
}
