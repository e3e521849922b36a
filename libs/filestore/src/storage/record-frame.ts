import { crc32 } from 'node:zlib';
import type { HlcTimestamp } from '../protocol/hlc';

/**
 * A record on disk: length (u32) and CRC-32 (u32) of the body, then the body: seq (u48 in 8 bytes), user time
 * (i64), server wall ms (u48 in 8 bytes), server logical (u32), data. A torn or damaged tail fails the length or
 * CRC check and is cut off at recovery.
 */
export const FRAME_HEADER_BYTES = 36;
const BODY_HEADER_BYTES = FRAME_HEADER_BYTES - 8;

export interface FrameRecord {
  readonly seq: number;
  readonly userTimeNs: bigint;
  readonly serverTime: HlcTimestamp;
  readonly data: Uint8Array;
}

export type ParsedFrame =
  | { readonly kind: 'record'; readonly record: FrameRecord; readonly end: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'corrupt'; readonly reason: string };

export function frameBytes(dataBytes: number): number {
  return FRAME_HEADER_BYTES + dataBytes;
}

/** Writes one frame at `at` of `out` (which has room) and returns the offset after it. */
export function writeFrame(out: Buffer, at: number, record: FrameRecord): number {
  const bodyBytes = BODY_HEADER_BYTES + record.data.length;
  out.writeUInt32LE(bodyBytes, at);
  out.writeUIntLE(record.seq, at + 8, 6);
  out.writeUInt16LE(0, at + 14);
  out.writeBigInt64LE(record.userTimeNs, at + 16);
  out.writeUIntLE(record.serverTime.wallMs, at + 24, 6);
  out.writeUInt16LE(0, at + 30);
  out.writeUInt32LE(record.serverTime.logical, at + 32);
  out.set(record.data, at + FRAME_HEADER_BYTES);
  const end = at + 8 + bodyBytes;
  out.writeUInt32LE(crc32(out.subarray(at + 8, end)), at + 4);
  return end;
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
    seq: buf.readUIntLE(at + 8, 6),
    userTimeNs: buf.readBigInt64LE(at + 16),
    serverTime: { wallMs: buf.readUIntLE(at + 24, 6), logical: buf.readUInt32LE(at + 32) },
    data: buf.subarray(at + FRAME_HEADER_BYTES, end),
  };
  return { kind: 'record', record, end };
}

/** The largest body a frame may have when records hold at most `maxRecordBytes`. */
export function maxBodyBytesFor(maxRecordBytes: number): number {
  return BODY_HEADER_BYTES + maxRecordBytes;
}
