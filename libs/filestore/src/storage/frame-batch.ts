import { FileStoreRecordError } from '../errors/file-store-record-error';
import type { BatchBounds } from '../protocol/append-batch';
import { nextHlc, type HlcTimestamp } from '../protocol/hlc';
import { FRAME_HEADER_BYTES, sealFrame, type FrameBatch } from './record-frame';

/** Bytes of a record in an append as it travels: user time (i64), data length (u32), data. */
const WIRE_HEADER_BYTES = 12;

/**
 * Turns an append as it travels through the group into the frames written to disk, in two passes over its bytes
 * and no object per record (an append may carry thousands): the first checks it against the bounds, the second
 * writes each frame with its seq (from `firstSeq`) and server time (from `first`, one stamp after another).
 */
export function framesOfBatch(
  batch: Uint8Array,
  firstSeq: number,
  first: HlcTimestamp,
  bounds: BatchBounds,
): FrameBatch {
  const wire = Buffer.from(batch.buffer, batch.byteOffset, batch.length);
  const { count, dataBytes, minUserTimeNs } = checkWire(wire, bounds);
  const bytes = Buffer.allocUnsafe(dataBytes + count * FRAME_HEADER_BYTES);
  let stamp = first;
  let src = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) stamp = nextHlc(stamp);
    const length = wire.readUInt32LE(src + 8);
    wire.copy(bytes, at + 16, src, src + 8);
    wire.copy(bytes, at + FRAME_HEADER_BYTES, src + WIRE_HEADER_BYTES, src + WIRE_HEADER_BYTES + length);
    at = sealFrame(bytes, at, firstSeq + i, stamp, length);
    src += WIRE_HEADER_BYTES + length;
  }
  return {
    bytes,
    count,
    dataBytes,
    firstSeq,
    lastSeq: firstSeq + count - 1,
    firstStamp: first,
    lastStamp: stamp,
    minUserTimeNs,
  };
}

function checkWire(
  wire: Buffer,
  bounds: BatchBounds,
): { count: number; dataBytes: number; minUserTimeNs: bigint } {
  if (wire.length > bounds.maxBatchBytes)
    throw new FileStoreRecordError(
      'batch',
      `${wire.length} bytes, at most ${bounds.maxBatchBytes} (maxBatchBytes)`,
    );
  let count = 0;
  let dataBytes = 0;
  let minUserTimeNs = (1n << 63n) - 1n;
  for (let at = 0; at < wire.length; count++) {
    if (wire.length - at < WIRE_HEADER_BYTES)
      throw new FileStoreRecordError('batch', `truncated at byte ${at}`);
    const userTimeNs = wire.readBigInt64LE(at);
    const length = wire.readUInt32LE(at + 8);
    if (userTimeNs < 0n) throw new FileStoreRecordError(`records[${count}].userTimeNs`, 'is negative');
    if (length > bounds.maxRecordBytes)
      throw new FileStoreRecordError(
        `records[${count}].data`,
        `${length} bytes, at most ${bounds.maxRecordBytes}`,
      );
    if (at + WIRE_HEADER_BYTES + length > wire.length)
      throw new FileStoreRecordError('batch', `record at byte ${at} runs past the end`);
    if (userTimeNs < minUserTimeNs) minUserTimeNs = userTimeNs;
    dataBytes += length;
    at += WIRE_HEADER_BYTES + length;
  }
  if (count === 0) throw new FileStoreRecordError('records', 'an append carries at least one record');
  if (count > bounds.maxBatchRecords)
    throw new FileStoreRecordError(
      'records',
      `${count} records, at most ${bounds.maxBatchRecords} (maxBatchRecords)`,
    );
  return { count, dataBytes, minUserTimeNs };
}
