import { sectionsBytes, SectionReader, SectionWriter } from './sections';
import { headerBytesOf } from './stamps';

/** One PMU's values in an aligned snapshot, as ingest holds them. */
export interface SnapshotPmuValue {
  readonly idcode: number;
  readonly stat: number;
  readonly freqHz: number;
  /** (re, im) pairs, one per phasor channel of the PMU's configuration. */
  readonly phasors: Float64Array;
  /** When ingest received this PMU's frame (epoch ms); the latest is the snapshot's `receivedAtMs`. */
  readonly arrivalMs?: number;
  /** Analog channels of the PMU's configuration, scaled (e.g. MW, MVAr); absent: none. */
  readonly analogs?: Float64Array;
  /** The PMU's 16-bit digital status words (e.g. breaker states); absent: none. */
  readonly digitals?: Uint16Array;
}

/** An aligned snapshot as ingest releases it (ingest's AlignedSnapshot<PmuSample> fits this shape). */
export interface SnapshotInput {
  readonly slot: number;
  readonly timeSec: number;
  readonly complete: boolean;
  readonly values: readonly SnapshotPmuValue[];
  readonly missing: readonly number[];
  /** When the aligner released the snapshot (epoch ms); carried for the per-stage latency breakdown. */
  readonly releasedAtMs?: number;
}

/** A decoded snapshot: typed arrays, by PMU in the order ingest sent them. */
export interface DecodedSnapshot {
  readonly slot: number;
  readonly timeSec: number;
  readonly complete: boolean;
  /** Version of the PMU catalog the sender had when it sent the snapshot. */
  readonly catalogVersion: number;
  readonly idcodes: Uint16Array;
  readonly stat: Uint16Array;
  readonly freqHz: Float64Array;
  /** PMU p's channels are phasors[2 * phasorStart[p] .. 2 * phasorStart[p + 1]). */
  readonly phasorStart: Uint32Array;
  readonly phasors: Float64Array;
  /** IDCODEs expected but absent from this snapshot. */
  readonly missing: Uint16Array;
  /** When ingest received the snapshot's last frame and released it (epoch ms); NaN from a version 1 sender. */
  readonly receivedAtMs: number;
  readonly releasedAtMs: number;
  /** PMU p's analogs are analogs[analogStart[p] .. analogStart[p + 1]); all empty before version 3. */
  readonly analogStart: Uint32Array;
  readonly analogs: Float64Array;
  /** PMU p's digital words are digitals[digitalStart[p] .. digitalStart[p + 1]). */
  readonly digitalStart: Uint32Array;
  readonly digitals: Uint16Array;
}

const MAGIC = 0x4e534347; // 'GCSN' read little-endian
/**
 * Version 2 adds the ingest stamps (receivedAtMs, releasedAtMs) to the header; version 3 adds analog channels
 * and digital words (counts in the header, four sections after `missing`). A snapshot without any is written
 * as version 2, byte for byte what it was; versions 1 and 2 are still read.
 */
const VERSION = 3;
const HEADER_BYTES_BY_VERSION: Readonly<Record<number, number>> = { 1: 40, 2: 56, 3: 64 };
const MAX_ANALOGS = 4_000_000;
const MAX_DIGITALS = 4_000_000;
/** Bounds that keep a corrupt header from asking for gigabytes before the length check. */
const MAX_PMUS = 65_536;
const MAX_PHASORS = 4_000_000;

/**
 * Encodes a snapshot in one Uint8Array: a header, then 8-aligned sections
 * (phasors f64, freq f64, phasorStart u32, idcode u16, stat u16, missing
 * u16, and from version 3 analogs f64, analogStart u32, digitals u16,
 * digitalStart u32), little-endian. Layout in libs/estimation/README.md.
 */
export function encodeSnapshot(s: SnapshotInput, catalogVersion: number): Uint8Array {
  const pmuCount = s.values.length;
  const phasorStart = new Uint32Array(pmuCount + 1);
  for (let p = 0; p < pmuCount; p += 1) phasorStart[p + 1] = phasorStart[p] + s.values[p].phasors.length / 2;
  const phasorCount = phasorStart[pmuCount];
  const phasors = new Float64Array(2 * phasorCount);
  const freq = new Float64Array(pmuCount);
  const idcodes = new Uint16Array(pmuCount);
  const stat = new Uint16Array(pmuCount);
  let receivedAtMs = Number.NaN;
  for (let p = 0; p < pmuCount; p += 1) {
    const v = s.values[p];
    phasors.set(v.phasors, 2 * phasorStart[p]);
    freq[p] = v.freqHz;
    idcodes[p] = v.idcode;
    stat[p] = v.stat;
    if (v.arrivalMs !== undefined && (Number.isNaN(receivedAtMs) || v.arrivalMs > receivedAtMs))
      receivedAtMs = v.arrivalMs;
  }
  const missing = Uint16Array.from(s.missing);
  const extra = analogsAndDigitals(s.values);
  const version = extra === undefined ? 2 : VERSION;
  const headerBytes = HEADER_BYTES_BY_VERSION[version];
  const sections = [phasors, freq, phasorStart, idcodes, stat, missing, ...(extra?.sections ?? [])];
  const w = new SectionWriter(sectionsBytes(headerBytes, sections), headerBytes);
  const h = w.header;
  h.setUint32(0, MAGIC, true);
  h.setUint8(4, version);
  h.setUint8(5, s.complete ? 1 : 0);
  h.setFloat64(8, s.slot, true);
  h.setFloat64(16, s.timeSec, true);
  h.setUint32(24, pmuCount, true);
  h.setUint32(28, phasorCount, true);
  h.setUint32(32, missing.length, true);
  h.setUint32(36, catalogVersion, true);
  h.setFloat64(40, receivedAtMs, true);
  h.setFloat64(48, s.releasedAtMs ?? Number.NaN, true);
  if (extra !== undefined) {
    h.setUint32(56, extra.analogCount, true);
    h.setUint32(60, extra.digitalCount, true);
  }
  for (const section of sections) w.put(section);
  return w.finish();
}

/** The version 3 sections (analogs f64, analogStart u32, digitals u16, digitalStart u32); undefined when no PMU has any. */
function analogsAndDigitals(values: readonly SnapshotPmuValue[]):
  | {
      analogCount: number;
      digitalCount: number;
      sections: [Float64Array, Uint32Array, Uint16Array, Uint32Array];
    }
  | undefined {
  const n = values.length;
  const analogStart = new Uint32Array(n + 1);
  const digitalStart = new Uint32Array(n + 1);
  for (let p = 0; p < n; p += 1) {
    analogStart[p + 1] = analogStart[p] + (values[p].analogs?.length ?? 0);
    digitalStart[p + 1] = digitalStart[p] + (values[p].digitals?.length ?? 0);
  }
  if (analogStart[n] === 0 && digitalStart[n] === 0) return undefined;
  const analogs = new Float64Array(analogStart[n]);
  const digitals = new Uint16Array(digitalStart[n]);
  for (let p = 0; p < n; p += 1) {
    if (values[p].analogs !== undefined) analogs.set(values[p].analogs!, analogStart[p]);
    if (values[p].digitals !== undefined) digitals.set(values[p].digitals!, digitalStart[p]);
  }
  return {
    analogCount: analogStart[n],
    digitalCount: digitalStart[n],
    sections: [analogs, analogStart, digitals, digitalStart],
  };
}

/** Decodes bytes from encodeSnapshot; anything else throws WireFormatError naming what was wrong. */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const headerBytes = headerBytesOf(bytes, HEADER_BYTES_BY_VERSION);
  const r = new SectionReader('snapshot', bytes, headerBytes);
  const h = r.header;
  if (h.getUint32(0, true) !== MAGIC) r.fail('bad magic (not a GridCloud snapshot)');
  const version = h.getUint8(4);
  if (HEADER_BYTES_BY_VERSION[version] === undefined) r.fail(`version ${version}, expected 1 to ${VERSION}`);
  const pmuCount = h.getUint32(24, true);
  const phasorCount = h.getUint32(28, true);
  const missingCount = h.getUint32(32, true);
  if (pmuCount > MAX_PMUS || missingCount > MAX_PMUS)
    r.fail(`pmu count ${pmuCount} / missing ${missingCount} over ${MAX_PMUS}`);
  if (phasorCount > MAX_PHASORS) r.fail(`phasor count ${phasorCount} over ${MAX_PHASORS}`);
  const analogCount = version >= 3 ? h.getUint32(56, true) : 0;
  const digitalCount = version >= 3 ? h.getUint32(60, true) : 0;
  if (analogCount > MAX_ANALOGS || digitalCount > MAX_DIGITALS)
    r.fail(`analog count ${analogCount} / digital count ${digitalCount} over ${MAX_ANALOGS}`);
  const shape = [
    { BYTES_PER_ELEMENT: 8, length: 2 * phasorCount },
    { BYTES_PER_ELEMENT: 8, length: pmuCount },
    { BYTES_PER_ELEMENT: 4, length: pmuCount + 1 },
    { BYTES_PER_ELEMENT: 2, length: pmuCount },
    { BYTES_PER_ELEMENT: 2, length: pmuCount },
    { BYTES_PER_ELEMENT: 2, length: missingCount },
    ...(version >= 3
      ? [
          { BYTES_PER_ELEMENT: 8, length: analogCount },
          { BYTES_PER_ELEMENT: 4, length: pmuCount + 1 },
          { BYTES_PER_ELEMENT: 2, length: digitalCount },
          { BYTES_PER_ELEMENT: 4, length: pmuCount + 1 },
        ]
      : []),
  ];
  r.expectTotal(sectionsBytes(headerBytes, shape));
  const slot = h.getFloat64(8, true);
  const timeSec = h.getFloat64(16, true);
  if (!Number.isFinite(slot) || !Number.isFinite(timeSec)) r.fail('slot or time is not a finite number');
  const phasors = r.f64(2 * phasorCount);
  const freqHz = r.f64(pmuCount);
  const phasorStart = r.u32(pmuCount + 1);
  if (phasorStart[0] !== 0 || phasorStart[pmuCount] !== phasorCount)
    r.fail('phasor ranges do not cover the phasors');
  for (let p = 0; p < pmuCount; p += 1)
    if (phasorStart[p + 1] < phasorStart[p]) r.fail(`phasor range of PMU ${p} is negative`);
  const idcodes = r.u16(pmuCount);
  const stat = r.u16(pmuCount);
  const missing = r.u16(missingCount);
  return {
    slot,
    timeSec,
    complete: (h.getUint8(5) & 1) === 1,
    catalogVersion: h.getUint32(36, true),
    phasors,
    freqHz,
    phasorStart,
    idcodes,
    stat,
    missing,
    receivedAtMs: version === 1 ? Number.NaN : h.getFloat64(40, true),
    releasedAtMs: version === 1 ? Number.NaN : h.getFloat64(48, true),
    ...readAnalogsAndDigitals(r, version, pmuCount, analogCount, digitalCount),
  };
}

/** The version 3 sections, each start array checked to cover its values; empty ones before version 3. */
function readAnalogsAndDigitals(
  r: SectionReader,
  version: number,
  pmuCount: number,
  analogCount: number,
  digitalCount: number,
): Pick<DecodedSnapshot, 'analogStart' | 'analogs' | 'digitalStart' | 'digitals'> {
  if (version < 3)
    return {
      analogStart: new Uint32Array(pmuCount + 1),
      analogs: new Float64Array(0),
      digitalStart: new Uint32Array(pmuCount + 1),
      digitals: new Uint16Array(0),
    };
  const analogs = r.f64(analogCount);
  const analogStart = r.u32(pmuCount + 1);
  const digitals = r.u16(digitalCount);
  const digitalStart = r.u32(pmuCount + 1);
  checkRanges(r, 'analog', analogStart, analogCount);
  checkRanges(r, 'digital', digitalStart, digitalCount);
  return { analogStart, analogs, digitalStart, digitals };
}

function checkRanges(r: SectionReader, what: string, start: Uint32Array, count: number): void {
  const last = start.length - 1;
  if (start[0] !== 0 || start[last] !== count) r.fail(`${what} ranges do not cover the ${what} values`);
  for (let p = 0; p < last; p += 1)
    if (start[p + 1] < start[p]) r.fail(`${what} range of PMU ${p} is negative`);
}
