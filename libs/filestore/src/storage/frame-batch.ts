import { crc32 } from 'node:zlib';
import {
  RECORD_OVERHEAD_BYTES,
  scanBatch,
  type BatchBounds,
  type BatchSummary,
} from '../protocol/append-batch';
import { MAX_HLC_LOGICAL, type HlcTimestamp } from '../protocol/hlc';
import { FRAME_HEADER_BYTES, writeU64, type FrameBatch } from './record-frame';

/** Offsets in a frame (record-frame.ts): the CRC covers everything from the seq to the end of the data. */
const CRC_AT = 4;
const BODY_AT = 8;
const USER_TIME_AT = 16;
const WALL_MS_AT = 24;
const LOGICAL_AT = 32;

/** Bytes the disk frames of a checked append take: its data and one frame header per record. */
export function framedBytes(summary: BatchSummary): number {
  return summary.dataBytes + summary.count * FRAME_HEADER_BYTES;
}

/**
 * Turns an append as it travels through the group (append-batch.ts: big-endian user time and length, then data) into
 * the frames written to disk, in two passes over its bytes and no object per record (an append may carry
 * thousands): the first checks it against the bounds, the second writes each frame with its seq (from `firstSeq`)
 * and server time (from `first`, one stamp after another, as nextHlc steps).
 */
export function framesOfBatch(
  batch: Uint8Array,
  firstSeq: number,
  first: HlcTimestamp,
  bounds: BatchBounds,
): FrameBatch {
  const summary = scanBatch(batch, bounds);
  return frameBatchInto(Buffer.allocUnsafe(framedBytes(summary)), batch, summary, firstSeq, first);
}

/** Bytes a record's frame header takes beyond its header in an append (36 against 12). */
const HEADER_GROWTH_BYTES = FRAME_HEADER_BYTES - RECORD_OVERHEAD_BYTES;

/**
 * The frames of an append already checked by scanBatch (`summary` is what it found), written into `out`, which has
 * exactly framedBytes(summary) bytes: a replica frames every append of a commit into one buffer it reuses.
 *
 * The append is copied once, whole, to the tail of `out`; then each record's data moves forward to its frame within
 * `out` (copyWithin, no view or copy call per record) and its header is written in front of it. A frame is 24 bytes
 * longer than the record's header in the append, and the append starts 24 bytes per record into `out`, so a frame
 * never reaches past the start of the next record still to be read (for the last record the two meet exactly).
 */
export function frameBatchInto(
  out: Buffer,
  batch: Uint8Array,
  summary: BatchSummary,
  firstSeq: number,
  first: HlcTimestamp,
): FrameBatch {
  const { count, dataBytes, minUserTimeNs } = summary;
  if (out.length !== framedBytes(summary))
    throw new RangeError(`frames of ${framedBytes(summary)} bytes given a buffer of ${out.length}`);
  const shift = count * HEADER_GROWTH_BYTES;
  if (batch.length + shift !== out.length)
    throw new RangeError(`an append of ${batch.length} bytes does not match its scan (${count} records)`);
  out.set(batch, shift);
  let wallMs = first.wallMs;
  let logical = first.logical;
  let src = shift;
  let at = 0;
  for (let i = 0; i < count; i++) {
    // Read the record's header before anything is written: the last frame's header overlaps it.
    const high = out.readUInt32BE(src);
    const low = out.readUInt32BE(src + 4);
    const length = out.readUInt32BE(src + 8);
    const end = at + FRAME_HEADER_BYTES + length;
    out.copyWithin(
      at + FRAME_HEADER_BYTES,
      src + RECORD_OVERHEAD_BYTES,
      src + RECORD_OVERHEAD_BYTES + length,
    );
    out.writeUInt32LE(FRAME_HEADER_BYTES - BODY_AT + length, at);
    writeU64(out, at + BODY_AT, firstSeq + i);
    // The user time arrives big-endian and is stored little-endian.
    out.writeUInt32LE(low, at + USER_TIME_AT);
    out.writeUInt32LE(high, at + USER_TIME_AT + 4);
    writeU64(out, at + WALL_MS_AT, wallMs);
    out.writeUInt32LE(logical, at + LOGICAL_AT);
    const body = new Uint8Array(out.buffer, out.byteOffset + at + BODY_AT, end - at - BODY_AT);
    out.writeUInt32LE(crc32(body), at + CRC_AT);
    src += RECORD_OVERHEAD_BYTES + length;
    at = end;
    if (i + 1 === count) break;
    if (logical < MAX_HLC_LOGICAL) logical++;
    else [wallMs, logical] = [wallMs + 1, 0];
  }
  return {
    bytes: out,
    count,
    dataBytes,
    firstSeq,
    lastSeq: firstSeq + count - 1,
    firstStamp: first,
    lastStamp: { wallMs, logical },
    minUserTimeNs,
  };
}
