import { crc32 } from 'node:zlib';
import type { HlcTimestamp } from '../protocol/hlc';

/**
 * A record on disk: length (u32) and CRC-32 (u32) of the body, then the body: seq (u64), user time (i64), server
 * wall ms (u64), server logical (u32), data. A torn or damaged tail fails the length or CRC check and is cut off at
 * recovery.
 */
export const FRAME_HEADER_BYTES = 36;
const BODY_HEADER_BYTES = FRAME_HEADER_BYTES - 8;
const TWO_32 = 2 ** 32;

export interface FrameRecord {
  readonly seq: number;
  readonly userTimeNs: bigint;
  readonly serverTime: HlcTimestamp;
  readonly data: Uint8Array;
}

/** Consecutive frames of one file, ready to write, with what the sparse index needs to know of them. */
export interface FrameBatch {
  readonly bytes: Buffer;
  readonly count: number;
  readonly dataBytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstStamp: HlcTimestamp;
  readonly lastStamp: HlcTimestamp;
  readonly minUserTimeNs: bigint;
}

export type ParsedFrame =
  | { readonly kind: 'record'; readonly record: FrameRecord; readonly end: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'corrupt'; readonly reason: string };

export function frameBytes(dataBytes: number): number {
  return FRAME_HEADER_BYTES + dataBytes;
}

/** Writes a frame's header fields at `at` (the data is already at at + FRAME_HEADER_BYTES, `dataBytes` long) and
 *  its CRC; returns the offset after it. The user time's 8 bytes are copied by the caller. */
export function sealFrame(
  out: Buffer,
  at: number,
  seq: number,
  stamp: HlcTimestamp,
  dataBytes: number,
): number {
  const end = at + FRAME_HEADER_BYTES + dataBytes;
  out.writeUInt32LE(BODY_HEADER_BYTES + dataBytes, at);
  writeU64(out, at + 8, seq);
  writeU64(out, at + 24, stamp.wallMs);
  out.writeUInt32LE(stamp.logical, at + 32);
  out.writeUInt32LE(crc32(out.subarray(at + 8, end)), at + 4);
  return end;
}

/** The frames of records given as objects (recovery tests, tools). */
export function frameBatchOf(records: readonly FrameRecord[]): FrameBatch {
  let size = 0;
  let dataBytes = 0;
  for (const r of records) size += frameBytes(r.data.length);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  let minUserTimeNs = records[0].userTimeNs;
  for (const r of records) {
    bytes.set(r.data, at + FRAME_HEADER_BYTES);
    bytes.writeBigInt64LE(r.userTimeNs, at + 16);
    at = sealFrame(bytes, at, r.seq, r.serverTime, r.data.length);
    dataBytes += r.data.length;
    if (r.userTimeNs < minUserTimeNs) minUserTimeNs = r.userTimeNs;
  }
  const [first, last] = [records[0], records[records.length - 1]];
  return {
    bytes,
    count: records.length,
    dataBytes,
    firstSeq: first.seq,
    lastSeq: last.seq,
    firstStamp: first.serverTime,
    lastStamp: last.serverTime,
    minUserTimeNs,
  };
}

/** Reads the frame at `at`; `maxBodyBytes` bounds what a damaged length field may claim. Data is a view of `buf`. */
export function parseFrame(buf: Buffer, at: number, maxBodyBytes: number): ParsedFrame {
  if (buf.length - at < 8) return { kind: 'incomplete' };
  const bodyBytes = buf.readUInt32LE(at);
  if (bodyBytes < BODY_HEADER_BYTES || bodyBytes > maxBodyBytes)
    return { kind: 'corrupt', reason: `length ${bodyBytes} out of range` };
  const end = at + 8 + bodyBytes;
  if (end > buf.length) return { kind: 'incomplete' };
  if (crc32(buf.subarray(at + 8, end)) !== buf.readUInt32LE(at + 4))
    return { kind: 'corrupt', reason: 'CRC mismatch' };
  const record: FrameRecord = {
    seq: readU64(buf, at + 8),
    userTimeNs: buf.readBigInt64LE(at + 16),
    serverTime: { wallMs: readU64(buf, at + 24), logical: buf.readUInt32LE(at + 32) },
    data: buf.subarray(at + FRAME_HEADER_BYTES, end),
  };
  return { kind: 'record', record, end };
}

/** The largest body a frame may have when records hold at most `maxRecordBytes`. */
export function maxBodyBytesFor(maxRecordBytes: number): number {
  return BODY_HEADER_BYTES + maxRecordBytes;
}

/** A seq or wall time (a safe integer) as u64 little-endian. */
export function writeU64(out: Buffer, at: number, value: number): void {
  out.writeUInt32LE(value % TWO_32, at);
  out.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * TWO_32;
}
