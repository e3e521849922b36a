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

/**
 * The frames of an append already checked by scanBatch (`summary` is what it found), written into `out`, which has
 * exactly framedBytes(summary) bytes: a replica frames every append of a commit into one buffer it reuses.
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
  const wire = Buffer.from(batch.buffer, batch.byteOffset, batch.length);
  let wallMs = first.wallMs;
  let logical = first.logical;
  let src = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = wire.readUInt32BE(src + 8);
    const end = at + FRAME_HEADER_BYTES + length;
    wire.copy(
      out,
      at + FRAME_HEADER_BYTES,
      src + RECORD_OVERHEAD_BYTES,
      src + RECORD_OVERHEAD_BYTES + length,
    );
    out.writeUInt32LE(FRAME_HEADER_BYTES - BODY_AT + length, at);
    writeU64(out, at + BODY_AT, firstSeq + i);
    // The user time arrives big-endian and is stored little-endian: its 8 bytes reversed.
    for (let b = 0; b < 8; b++) out[at + USER_TIME_AT + b] = wire[src + 7 - b];
    writeU64(out, at + WALL_MS_AT, wallMs);
    out.writeUInt32LE(logical, at + LOGICAL_AT);
    out.writeUInt32LE(crc32(out.subarray(at + BODY_AT, end)), at + CRC_AT);
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
