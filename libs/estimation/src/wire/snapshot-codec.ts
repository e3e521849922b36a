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
}

const MAGIC = 0x4e534347; // 'GCSN' read little-endian
/** Version 2 adds the ingest stamps (receivedAtMs, releasedAtMs) to the header; version 1 is still read. */
const VERSION = 2;
const HEADER_BYTES_BY_VERSION: Readonly<Record<number, number>> = { 1: 40, 2: 56 };
const HEADER_BYTES = HEADER_BYTES_BY_VERSION[VERSION];
/** Bounds that keep a corrupt header from asking for gigabytes before the length check. */
const MAX_PMUS = 65_536;
const MAX_PHASORS = 4_000_000;

/**
 * Encodes a snapshot in one Uint8Array: a 40-byte header, then 8-aligned
 * sections (phasors f64, freq f64, phasorStart u32, idcode u16, stat u16,
 * missing u16), little-endian. Layout in libs/estimation/README.md.
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
  const sections = [phasors, freq, phasorStart, idcodes, stat, missing];
  const w = new SectionWriter(sectionsBytes(HEADER_BYTES, sections), HEADER_BYTES);
  const h = w.header;
  h.setUint32(0, MAGIC, true);
  h.setUint8(4, VERSION);
  h.setUint8(5, s.complete ? 1 : 0);
  h.setFloat64(8, s.slot, true);
  h.setFloat64(16, s.timeSec, true);
  h.setUint32(24, pmuCount, true);
  h.setUint32(28, phasorCount, true);
  h.setUint32(32, missing.length, true);
  h.setUint32(36, catalogVersion, true);
  h.setFloat64(40, receivedAtMs, true);
  h.setFloat64(48, s.releasedAtMs ?? Number.NaN, true);
  for (const section of sections) w.put(section);
  return w.finish();
}

/** Decodes bytes from encodeSnapshot; anything else throws WireFormatError naming what was wrong. */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const headerBytes = headerBytesOf(bytes, HEADER_BYTES_BY_VERSION);
  const r = new SectionReader('snapshot', bytes, headerBytes);
  const h = r.header;
  if (h.getUint32(0, true) !== MAGIC) r.fail('bad magic (not a GridCloud snapshot)');
  const version = h.getUint8(4);
  if (HEADER_BYTES_BY_VERSION[version] === undefined) r.fail(`version ${version}, expected 1 or ${VERSION}`);
  const pmuCount = h.getUint32(24, true);
  const phasorCount = h.getUint32(28, true);
  const missingCount = h.getUint32(32, true);
  if (pmuCount > MAX_PMUS || missingCount > MAX_PMUS)
    r.fail(`pmu count ${pmuCount} / missing ${missingCount} over ${MAX_PMUS}`);
  if (phasorCount > MAX_PHASORS) r.fail(`phasor count ${phasorCount} over ${MAX_PHASORS}`);
  const shape = [
    { BYTES_PER_ELEMENT: 8, length: 2 * phasorCount },
    { BYTES_PER_ELEMENT: 8, length: pmuCount },
    { BYTES_PER_ELEMENT: 4, length: pmuCount + 1 },
    { BYTES_PER_ELEMENT: 2, length: pmuCount },
    { BYTES_PER_ELEMENT: 2, length: pmuCount },
    { BYTES_PER_ELEMENT: 2, length: missingCount },
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
  return {
    slot,
    timeSec,
    complete: (h.getUint8(5) & 1) === 1,
    catalogVersion: h.getUint32(36, true),
    phasors,
    freqHz,
    phasorStart,
    idcodes: r.u16(pmuCount),
    stat: r.u16(pmuCount),
    missing: r.u16(missingCount),
    receivedAtMs: version === 1 ? Number.NaN : h.getFloat64(40, true),
    releasedAtMs: version === 1 ? Number.NaN : h.getFloat64(48, true),
  };
}
