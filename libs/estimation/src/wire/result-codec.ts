import type { AreaResult } from '../engine/area-result';
import { WireFormatError } from '../errors/wire-format-error';
import { sectionsBytes, SectionReader, SectionWriter } from './sections';
import { headerBytesOf, type PathStamps } from './stamps';

const MAGIC = 0x52534347; // 'GCSR' read little-endian
/**
 * Version 2 adds the path stamps (received, released, delivered, computed) to the header; version 3 the
 * de-energized buses (a count in the header, a section last); version 4 the critical measurements and critical
 * pairs (two counts in the header, four sections last). Versions 1 to 3 are still read.
 */
const VERSION = 4;
const HEADER_BYTES_BY_VERSION: Readonly<Record<number, number>> = { 1: 80, 2: 112, 3: 120, 4: 128 };
const NONE = new Int32Array(0);
const NO_ROWS = new Uint16Array(0);
const HEADER_BYTES = HEADER_BYTES_BY_VERSION[VERSION];
const NO_STAMPS: PathStamps = {
  receivedAtMs: Number.NaN,
  releasedAtMs: Number.NaN,
  deliveredAtMs: Number.NaN,
  computedAtMs: Number.NaN,
};
/** Keeps a corrupt header from asking for gigabytes before the length check. */
const MAX_ENTRIES = 4_000_000;
const MAX_AREAS = 65_535;

/**
 * Encodes one area result in one Uint8Array: an 80-byte header, then 8-aligned
 * sections (vRe, vIm f64; buses, unobservable, openBranches i32; removed IDCODE
 * and channel u16; own u8), little-endian. Layout in libs/estimation/README.md.
 */
export function encodeAreaResult(r: AreaResult): Uint8Array {
  const sections = [
    r.vRe,
    r.vIm,
    r.buses,
    r.unobservable,
    r.openBranches,
    r.removedIdcode,
    r.removedChannel,
    r.own,
    r.deEnergized ?? NONE,
    r.criticalIdcode ?? NO_ROWS,
    r.criticalChannel ?? NO_ROWS,
    r.criticalPairIdcode ?? NO_ROWS,
    r.criticalPairChannel ?? NO_ROWS,
  ];
  const critical = (r.criticalIdcode ?? NO_ROWS).length;
  const pairEnds = (r.criticalPairIdcode ?? NO_ROWS).length;
  if (
    (r.criticalChannel ?? NO_ROWS).length !== critical ||
    (r.criticalPairChannel ?? NO_ROWS).length !== pairEnds
  )
    throw new RangeError('critical IDCODE and channel lists must have the same length');
  if (pairEnds % 2 !== 0) throw new RangeError(`critical pairs need two entries each, got ${pairEnds}`);
  const w = new SectionWriter(sectionsBytes(HEADER_BYTES, sections), HEADER_BYTES);
  const h = w.header;
  h.setUint32(0, MAGIC, true);
  h.setUint8(4, VERSION);
  h.setUint8(5, r.badDataRemains ? 1 : 0);
  h.setUint16(6, r.area, true);
  h.setFloat64(8, r.slot, true);
  h.setFloat64(16, r.timeSec, true);
  h.setFloat64(24, r.cost, true);
  h.setFloat64(32, r.computeMs, true);
  h.setUint32(40, r.areaCount, true);
  h.setUint32(44, r.busCount, true);
  h.setUint32(48, r.catalogVersion, true);
  h.setInt32(52, r.degreesOfFreedom, true);
  h.setUint32(56, r.buses.length, true);
  h.setUint32(60, r.unobservable.length, true);
  h.setUint32(64, r.removedIdcode.length, true);
  h.setUint32(68, r.openBranches.length, true);
  h.setUint32(72, r.measurementsUsed, true);
  const t = r.stamps ?? NO_STAMPS;
  h.setFloat64(80, t.receivedAtMs, true);
  h.setFloat64(88, t.releasedAtMs, true);
  h.setFloat64(96, t.deliveredAtMs, true);
  h.setFloat64(104, t.computedAtMs, true);
  h.setUint32(112, (r.deEnergized ?? NONE).length, true);
  h.setUint32(116, critical, true);
  h.setUint32(120, pairEnds / 2, true);
  for (const s of sections) w.put(s);
  return w.finish();
}

/** Decodes bytes from encodeAreaResult; anything else throws WireFormatError naming what was wrong. */
export function decodeAreaResult(bytes: Uint8Array): AreaResult {
  const headerBytes = headerBytesOf(bytes, HEADER_BYTES_BY_VERSION);
  const r = new SectionReader('result', bytes, headerBytes);
  const h = r.header;
  if (h.getUint32(0, true) !== MAGIC) r.fail('bad magic (not a GridCloud area result)');
  const version = h.getUint8(4);
  if (HEADER_BYTES_BY_VERSION[version] === undefined) r.fail(`version ${version}, expected 1 to ${VERSION}`);
  const [n, u, removed, open] = [56, 60, 64, 68].map((at) => h.getUint32(at, true));
  const dead = version >= 3 ? h.getUint32(112, true) : 0;
  const [critical, pairs] = version >= 4 ? [h.getUint32(116, true), h.getUint32(120, true)] : [0, 0];
  if (Math.max(n, u, removed, open, dead, critical, 2 * pairs) > MAX_ENTRIES)
    r.fail(`a section count is over ${MAX_ENTRIES}`);
  if (version === 3 && h.getUint32(116, true) !== 0) r.fail('version 3 header bytes 116-119 must be 0');
  if (version >= 4 && h.getUint32(124, true) !== 0) r.fail('header bytes 124-127 must be 0');
  const area = h.getUint16(6, true);
  const areaCount = h.getUint32(40, true);
  const busCount = h.getUint32(44, true);
  if (areaCount < 1 || areaCount > MAX_AREAS || area >= areaCount) r.fail(`area ${area} of ${areaCount}`);
  const shape = [8, 8, 4, 4, 4, 2, 2, 1, 4, 2, 2, 2, 2].map((size, i) => ({
    BYTES_PER_ELEMENT: size,
    length: [n, n, n, u, open, removed, removed, n, dead, critical, critical, 2 * pairs, 2 * pairs][i],
  }));
  r.expectTotal(sectionsBytes(headerBytes, shape));
  const [slot, timeSec] = [h.getFloat64(8, true), h.getFloat64(16, true)];
  if (!Number.isFinite(slot) || !Number.isFinite(timeSec)) r.fail('slot or time is not a finite number');
  const vRe = r.f64(n);
  const vIm = r.f64(n);
  const buses = r.i32(n);
  const unobservable = r.i32(u);
  for (const list of [buses, unobservable])
    for (const b of list) if (b < 0 || b >= busCount) r.fail(`bus index ${b} outside 0..${busCount - 1}`);
  const openBranches = r.i32(open);
  const removedIdcode = r.u16(removed);
  const removedChannel = r.u16(removed);
  const own = r.u8(n);
  const deEnergized = r.i32(dead);
  for (const b of deEnergized)
    if (b < 0 || b >= busCount) r.fail(`bus index ${b} outside 0..${busCount - 1}`);
  const criticalIdcode = r.u16(critical);
  const criticalChannel = r.u16(critical);
  const criticalPairIdcode = r.u16(2 * pairs);
  const criticalPairChannel = r.u16(2 * pairs);
  return {
    slot,
    timeSec,
    area,
    areaCount,
    busCount,
    catalogVersion: h.getUint32(48, true),
    buses,
    own,
    vRe,
    vIm,
    unobservable,
    removedIdcode,
    removedChannel,
    openBranches,
    deEnergized,
    criticalIdcode,
    criticalChannel,
    criticalPairIdcode,
    criticalPairChannel,
    cost: h.getFloat64(24, true),
    degreesOfFreedom: h.getInt32(52, true),
    badDataRemains: (h.getUint8(5) & 1) === 1,
    measurementsUsed: h.getUint32(72, true),
    computeMs: h.getFloat64(32, true),
    ...(version === 1 ? {} : { stamps: stampsOf(h) }),
  };
}

function stampsOf(h: DataView): PathStamps {
  return {
    receivedAtMs: h.getFloat64(80, true),
    releasedAtMs: h.getFloat64(88, true),
    deliveredAtMs: h.getFloat64(96, true),
    computedAtMs: h.getFloat64(104, true),
  };
}

/**
 * The (slot, area) of an encoded result from its header alone: what a worker needs to skip a queued area another
 * replica already published, without decoding (and validating) every bus of every copy. Throws WireFormatError
 * for bytes that are not an area result header.
 */
export function peekAreaResult(bytes: Uint8Array): { readonly slot: number; readonly area: number } {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER_BYTES_BY_VERSION[1])
    throw new WireFormatError('result', 'shorter than an area result header');
  const h = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES_BY_VERSION[1]);
  if (h.getUint32(0, true) !== MAGIC)
    throw new WireFormatError('result', 'bad magic (not a GridCloud area result)');
  if (HEADER_BYTES_BY_VERSION[h.getUint8(4)] === undefined)
    throw new WireFormatError('result', `version ${h.getUint8(4)}, expected 1 to ${VERSION}`);
  const slot = h.getFloat64(8, true);
  if (!Number.isFinite(slot)) throw new WireFormatError('result', 'slot is not a finite number');
  return { slot, area: h.getUint16(6, true) };
}
