import { FrameEncodeError } from '../errors/frame-encode-error';
import { FrameFormatError } from '../errors/frame-format-error';
import type { ByteReader } from './byte-reader';
import { checkInt, type ByteWriter } from './byte-writer';
import {
  checkNumPmu,
  checkTimeBase,
  decodeFnom,
  decodeFormat,
  encodeFormat,
  writeDigitalNames,
} from './config-codec';
import type { Analog3Channel, Config3Frame, DigitalWord, Phasor3Channel, Pmu3Config } from './frame-types';

const DIGITAL_BITS = 16;
const GLOBAL_ID_BYTES = 16;

type Config3Body = Pick<Config3Frame, 'contIdx' | 'timeBase' | 'pmus' | 'dataRate'>;
type Config3Content = Omit<Config3Body, 'contIdx'>;

/** CONT_IDX: 0 for a configuration in one frame; a series runs 1, 2, ... and ends with 0xFFFF. */
export const CONT_IDX_ONLY = 0;
export const CONT_IDX_FIRST = 1;
export const CONT_IDX_LAST = 0xffff;

/** CONT_IDX .. DATA_RATE of a CFG-3 frame (C37.118.2-2011 table 10). */
export function readConfig3Body(r: ByteReader): Config3Body {
  const contIdx = r.u16('CONT_IDX');
  if (contIdx !== CONT_IDX_ONLY) {
    // One fragment holds part of a configuration: only the series together can be parsed.
    throw new FrameFormatError(
      'malformed',
      `CFG-3 fragment (CONT_IDX ${contIdx}) cannot be decoded alone; a StreamDecoder reassembles the series`,
    );
  }
  return { contIdx, ...readConfig3Content(r) };
}

/** TIME_BASE .. DATA_RATE: the part of a CFG-3 that a fragmented series splits over its frames. */
export function readConfig3Content(r: ByteReader): Config3Content {
  const timeBase = r.u32('TIME_BASE') & 0xffffff;
  checkTimeBase(timeBase);
  const numPmu = r.u16('NUM_PMU');
  checkNumPmu(numPmu);
  const pmus: Pmu3Config[] = [];
  for (let i = 0; i < numPmu; i += 1) pmus.push(readPmu3(r));
  const dataRate = r.i16('DATA_RATE');
  return { timeBase, pmus, dataRate };
}

function readPmu3(r: ByteReader): Pmu3Config {
  const stationName = r.prefixedName('STN');
  const idcode = r.u16('IDCODE');
  const globalPmuId = toHex(r.bytesOf(GLOBAL_ID_BYTES, 'G_PMU_ID'));
  const format = decodeFormat(r.u16('FORMAT'));
  const phnmr = r.u16('PHNMR');
  const annmr = r.u16('ANNMR');
  const dgnmr = r.u16('DGNMR');
  // Each name takes at least its length byte; reject impossible counts before allocating.
  const minBytes = phnmr * 13 + annmr * 9 + dgnmr * (DIGITAL_BITS + 4);
  if (minBytes > r.remaining) {
    throw new FrameFormatError(
      'size-mismatch',
      `PMU ${idcode} declares ${phnmr} phasors, ${annmr} analogs, ${dgnmr} digital words (at least ${minBytes} bytes) but only ${r.remaining} bytes remain`,
    );
  }
  const phNames = names(r, phnmr, 'phasor CHNAM');
  const anNames = names(r, annmr, 'analog CHNAM');
  const dgNames: string[][] = [];
  for (let i = 0; i < dgnmr; i += 1) dgNames.push(names(r, DIGITAL_BITS, 'digital CHNAM'));
  const phasors: Phasor3Channel[] = phNames.map((name) => ({
    name,
    modificationFlags: r.u16('PHSCALE flags'),
    typeIndication: r.u8('PHSCALE type'),
    userDesignation: r.u8('PHSCALE user byte'),
    scale: r.f32('PHSCALE scale'),
    angleOffsetRad: r.f32('PHSCALE angle offset'),
  }));
  const analogs: Analog3Channel[] = anNames.map((name) => ({
    name,
    scale: r.f32('ANSCALE scale'),
    offset: r.f32('ANSCALE offset'),
  }));
  const digitals: DigitalWord[] = dgNames.map((n) => ({
    names: n,
    normalMask: r.u16('DIGUNIT'),
    validMask: r.u16('DIGUNIT'),
  }));
  return {
    stationName,
    idcode,
    globalPmuId,
    format,
    phasors,
    analogs,
    digitals,
    latitude: r.f32('PMU_LAT'),
    longitude: r.f32('PMU_LON'),
    elevation: r.f32('PMU_ELEV'),
    serviceClass: String.fromCharCode(r.u8('SVC_CLASS')),
    windowUs: r.i32('WINDOW'),
    groupDelayUs: r.i32('GRP_DLY'),
    nominalFrequencyHz: decodeFnom(r.u16('FNOM')),
    cfgcnt: r.u16('CFGCNT'),
  };
}

function names(r: ByteReader, n: number, what: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(r.prefixedName(what));
  return out;
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{32}$/.test(hex))
    throw new FrameEncodeError(`G_PMU_ID must be 32 hex digits, got '${hex}'`);
  const out = new Uint8Array(GLOBAL_ID_BYTES);
  for (let i = 0; i < GLOBAL_ID_BYTES; i += 1) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function writeConfig3Body(w: ByteWriter, f: Config3Body): void {
  if (f.contIdx !== 0)
    throw new FrameEncodeError(
      `CONT_IDX ${f.contIdx}: encodeFrame writes a whole CFG-3 (CONT_IDX 0); split one with splitConfig3`,
    );
  w.u16(f.contIdx, 'CONT_IDX');
  writeConfig3Content(w, f);
}

/** TIME_BASE .. DATA_RATE, the part a fragmented series splits. */
export function writeConfig3Content(w: ByteWriter, f: Config3Content): void {
  checkInt(f.timeBase, 1, 0xffffff, 'TIME_BASE');
  if (f.pmus.length === 0) throw new FrameEncodeError('a configuration needs at least one PMU');
  w.u32(f.timeBase, 'TIME_BASE');
  w.u16(f.pmus.length, 'NUM_PMU');
  for (const pmu of f.pmus) writePmu3(w, pmu);
  w.i16(f.dataRate, 'DATA_RATE');
}

function writePmu3(w: ByteWriter, p: Pmu3Config): void {
  w.prefixedName(p.stationName, 'STN');
  w.u16(p.idcode, 'IDCODE');
  w.raw(fromHex(p.globalPmuId));
  w.u16(encodeFormat(p.format), 'FORMAT');
  w.u16(p.phasors.length, 'PHNMR');
  w.u16(p.analogs.length, 'ANNMR');
  w.u16(p.digitals.length, 'DGNMR');
  for (const ph of p.phasors) w.prefixedName(ph.name, 'phasor CHNAM');
  for (const an of p.analogs) w.prefixedName(an.name, 'analog CHNAM');
  for (const dg of p.digitals) writeDigitalNames(dg, (name) => w.prefixedName(name, 'digital CHNAM'));
  for (const ph of p.phasors) {
    w.u16(ph.modificationFlags, 'PHSCALE flags');
    w.u8(ph.typeIndication, 'PHSCALE type');
    w.u8(ph.userDesignation, 'PHSCALE user byte');
    w.f32(ph.scale, 'PHSCALE scale');
    w.f32(ph.angleOffsetRad, 'PHSCALE angle offset');
  }
  for (const an of p.analogs) {
    w.f32(an.scale, 'ANSCALE scale');
    w.f32(an.offset, 'ANSCALE offset');
  }
  for (const dg of p.digitals) {
    w.u16(dg.normalMask, 'DIGUNIT normal mask');
    w.u16(dg.validMask, 'DIGUNIT valid mask');
  }
  w.f32(p.latitude, 'PMU_LAT');
  w.f32(p.longitude, 'PMU_LON');
  w.f32(p.elevation, 'PMU_ELEV');
  if (p.serviceClass.length !== 1)
    throw new FrameEncodeError(`SVC_CLASS must be one character ('M' or 'P'), got '${p.serviceClass}'`);
  w.u8(p.serviceClass.charCodeAt(0), 'SVC_CLASS');
  w.i32(p.windowUs, 'WINDOW');
  w.i32(p.groupDelayUs, 'GRP_DLY');
  w.u16(p.nominalFrequencyHz === 50 ? 1 : 0, 'FNOM');
  w.u16(p.cfgcnt, 'CFGCNT');
}
