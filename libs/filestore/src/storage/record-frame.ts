import { crc32 } from 'node:zlib';
import { MAX_BATCH_BYTES_LIMIT } from '../file-store-options';
import { encodeBatch, RECORD_OVERHEAD_BYTES } from '../protocol/append-batch';
import { advanceHlc, compareHlc, nextHlc, type HlcTimestamp } from '../protocol/hlc';

/**
 * The unit on disk is a batch frame: the records of one append as the group ordered them, with consecutive seqs
 * from `firstSeq` and server times stepping from `firstStamp` (nextHlc), so neither is stored per record.
 *
 *   length of the body (u32 LE), CRC-32 of the body (u32 LE), then the body:
 *   first seq (u64 LE), first server wall ms (u64 LE), first server logical (u32 LE), record count (u32 LE),
 *   the records in the append's own layout (append-batch.ts: user time u64 BE, data length u32 BE, data).
 *
 * A replica writes an append as it came through the group behind a 32-byte header: no pass over its records besides
 * the check every append gets, and one CRC per append. A torn or damaged frame fails the length or CRC check and is
 * cut off at recovery, with every record in it (none of them was acknowledged: an append is acknowledged once all
 * of it is written).
 */
export const FRAME_HEADER_BYTES = 32;
/** A frame's length and CRC, before the body they describe. */
export const FRAME_PREFIX_BYTES = 8;
const BODY_HEADER_BYTES = FRAME_HEADER_BYTES - FRAME_PREFIX_BYTES;
/** The largest body a frame may claim: an append of the largest size any configuration allows. A damaged length
 *  field past it is refused without reading further; the bound does not depend on this replica's settings. */
export const MAX_FRAME_BODY_BYTES = BODY_HEADER_BYTES + MAX_BATCH_BYTES_LIMIT;
const TWO_32 = 2 ** 32;

export interface FrameRecord {
  readonly seq: number;
  readonly userTimeNs: bigint;
  readonly serverTime: HlcTimestamp;
  readonly data: Uint8Array;
}

/** What a run of frames holds, as the sparse index needs to know it. */
export interface FrameSpan {
  readonly count: number;
  readonly dataBytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstStamp: HlcTimestamp;
  readonly lastStamp: HlcTimestamp;
  readonly minUserTimeNs: bigint;
}

/** Frames of one file ready to write, in order: `chunks` are written as one (header and records of each frame). */
export interface FrameBatch extends FrameSpan {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

/** A frame read back: its span and a view of its records in the append layout. */
export interface BatchFrame extends FrameSpan {
  readonly records: Buffer;
}

export type ParsedFrame =
  | { readonly kind: 'frame'; readonly frame: BatchFrame; readonly end: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * The frame of one append already checked by scanBatch (`records` in the append layout, `count` of them, `dataBytes`
 * of data, smallest user time `minUserTimeNs`): a header and the records as they are, not copied.
 */
export function sealFrame(
  records: Uint8Array,
  summary: { readonly count: number; readonly dataBytes: number; readonly minUserTimeNs: bigint },
  firstSeq: number,
  firstStamp: HlcTimestamp,
): FrameBatch {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(BODY_HEADER_BYTES + records.length, 0);
  writeU64(header, 8, firstSeq);
  writeU64(header, 16, firstStamp.wallMs);
  header.writeUInt32LE(firstStamp.logical, 24);
  header.writeUInt32LE(summary.count, 28);
  header.writeUInt32LE(crc32(records, crc32(header.subarray(FRAME_PREFIX_BYTES))), 4);
  return {
    chunks: [header, records],
    byteLength: FRAME_HEADER_BYTES + records.length,
    count: summary.count,
    dataBytes: summary.dataBytes,
    firstSeq,
    lastSeq: firstSeq + summary.count - 1,
    firstStamp,
    lastStamp: advanceHlc(firstStamp, summary.count - 1),
    minUserTimeNs: summary.minUserTimeNs,
  };
}

/** The frames of records given as objects (a rewrite of older logs, tests): one frame per run of consecutive seqs
 *  and server times, each at most MAX_BATCH_BYTES_LIMIT of records (the largest an append may be). */
export function frameBatchOf(records: readonly FrameRecord[]): FrameBatch {
  if (records.length === 0) throw new RangeError('a frame batch holds at least one record');
  const frames: FrameBatch[] = [];
  let start = 0;
  let bytes = RECORD_OVERHEAD_BYTES + records[0].data.length;
  for (let i = 1; i <= records.length; i++) {
    const next = i < records.length ? RECORD_OVERHEAD_BYTES + records[i].data.length : 0;
    const continues =
      i < records.length &&
      bytes + next <= MAX_BATCH_BYTES_LIMIT &&
      records[i].seq === records[i - 1].seq + 1 &&
      compareHlc(records[i].serverTime, nextHlc(records[i - 1].serverTime)) === 0;
    if (continues) {
      bytes += next;
      continue;
    }
    frames.push(frameOfRun(records.slice(start, i)));
    start = i;
    bytes = next;
  }
  return joinFrames(frames);
}

/** Frames written one after another as one batch. */
export function joinFrames(frames: readonly FrameBatch[]): FrameBatch {
  const [first, last] = [frames[0], frames[frames.length - 1]];
  let minUserTimeNs = first.minUserTimeNs;
  let count = 0;
  let dataBytes = 0;
  let byteLength = 0;
  for (const f of frames) {
    if (f.minUserTimeNs < minUserTimeNs) minUserTimeNs = f.minUserTimeNs;
    count += f.count;
    dataBytes += f.dataBytes;
    byteLength += f.byteLength;
  }
  return {
    chunks: frames.flatMap((f) => f.chunks),
    byteLength,
    count,
    dataBytes,
    firstSeq: first.firstSeq,
    lastSeq: last.lastSeq,
    firstStamp: first.firstStamp,
    lastStamp: last.lastStamp,
    minUserTimeNs,
  };
}

function frameOfRun(run: readonly FrameRecord[]): FrameBatch {
  let bytes = 0;
  let dataBytes = 0;
  let minUserTimeNs = run[0].userTimeNs;
  for (const r of run) {
    bytes += RECORD_OVERHEAD_BYTES + r.data.length;
    dataBytes += r.data.length;
    if (r.userTimeNs < minUserTimeNs) minUserTimeNs = r.userTimeNs;
  }
  const records = encodeBatch(run, bytes);
  return sealFrame(records, { count: run.length, dataBytes, minUserTimeNs }, run[0].seq, run[0].serverTime);
}

/**
 * The records of `frame` with seq in [fromSeq, toSeq) as a frame to write: the frame as it is when it holds no
 * other, else a new frame of that part (catch-up, truncation); undefined when it holds none of them.
 */
export function sliceFrame(
  frame: BatchFrame,
  raw: Uint8Array,
  fromSeq: number,
  toSeq: number,
): FrameBatch | undefined {
  const from = Math.max(fromSeq, frame.firstSeq);
  const to = Math.min(toSeq, frame.lastSeq + 1);
  if (from >= to) return undefined;
  if (from === frame.firstSeq && to === frame.lastSeq + 1) {
    const { records: _, ...span } = frame;
    return { ...span, chunks: [raw], byteLength: raw.length };
  }
  const kept: FrameRecord[] = [];
  for (const r of recordsOf(frame)) if (r.seq >= from && r.seq < to) kept.push(r);
  return frameOfRun(kept);
}

/** Reads the frame at `at`, checking its length, CRC and record layout. Its records are a view of `buf`. */
export function parseFrame(buf: Buffer, at: number): ParsedFrame {
  if (buf.length - at < FRAME_PREFIX_BYTES) return { kind: 'incomplete' };
  const bodyBytes = buf.readUInt32LE(at);
  if (bodyBytes < BODY_HEADER_BYTES || bodyBytes > MAX_FRAME_BODY_BYTES)
    return { kind: 'corrupt', reason: `length ${bodyBytes} out of range` };
  const end = at + FRAME_PREFIX_BYTES + bodyBytes;
  if (end > buf.length) return { kind: 'incomplete' };
  if (crc32(buf.subarray(at + FRAME_PREFIX_BYTES, end)) !== buf.readUInt32LE(at + 4))
    return { kind: 'corrupt', reason: 'CRC mismatch' };
  const firstSeq = readU64(buf, at + 8);
  const firstStamp = { wallMs: readU64(buf, at + 16), logical: buf.readUInt32LE(at + 24) };
  const count = buf.readUInt32LE(at + 28);
  const records = buf.subarray(at + FRAME_HEADER_BYTES, end);
  const layout = walkRecords(records, count);
  if (typeof layout === 'string') return { kind: 'corrupt', reason: layout };
  const frame: BatchFrame = {
    records,
    count,
    dataBytes: layout.dataBytes,
    firstSeq,
    lastSeq: firstSeq + count - 1,
    firstStamp,
    lastStamp: advanceHlc(firstStamp, count - 1),
    minUserTimeNs: layout.minUserTimeNs,
  };
  return { kind: 'frame', frame, end };
}

/** The records of a frame, oldest first; their data are views of the frame's bytes. */
export function* recordsOf(frame: BatchFrame): Generator<FrameRecord> {
  const buf = frame.records;
  let stamp = frame.firstStamp;
  for (let i = 0, at = 0; i < frame.count; i++) {
    if (i > 0) stamp = nextHlc(stamp);
    const length = buf.readUInt32BE(at + 8);
    yield {
      seq: frame.firstSeq + i,
      userTimeNs: buf.readBigUInt64BE(at),
      serverTime: stamp,
      data: buf.subarray(at + RECORD_OVERHEAD_BYTES, at + RECORD_OVERHEAD_BYTES + length),
    };
    at += RECORD_OVERHEAD_BYTES + length;
  }
}

/** Checks that `count` records fill `records` exactly; their data bytes and smallest user time, or what is wrong. */
function walkRecords(records: Buffer, count: number): { dataBytes: number; minUserTimeNs: bigint } | string {
  if (count === 0) return 'a frame of no records';
  let at = 0;
  let dataBytes = 0;
  let minUserTimeNs = -1n;
  for (let i = 0; i < count; i++) {
    if (records.length - at < RECORD_OVERHEAD_BYTES) return `record ${i} of ${count} runs past the frame`;
    const length = records.readUInt32BE(at + 8);
    const userTimeNs = records.readBigUInt64BE(at);
    if (minUserTimeNs < 0n || userTimeNs < minUserTimeNs) minUserTimeNs = userTimeNs;
    dataBytes += length;
    at += RECORD_OVERHEAD_BYTES + length;
    if (at > records.length) return `record ${i} of ${count} runs past the frame`;
  }
  if (at !== records.length) return `${records.length - at} bytes after the last of ${count} records`;
  return { dataBytes, minUserTimeNs };
}

/** A seq or wall time (a safe integer) as u64 little-endian. */
export function writeU64(out: Buffer, at: number, value: number): void {
  out.writeUInt32LE(value % TWO_32, at);
  out.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

/** A u64 little-endian that holds a safe integer (a seq or wall time). */
export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * TWO_32;
}
