import { FileStoreRecordError } from '../errors/file-store-record-error';
import { MAX_USER_TIME_NS, type FileRecordInput } from './records';

/** Bounds on what one append may carry. */
export interface BatchBounds {
  readonly maxRecordBytes: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
}

/** Bytes of a record in a batch besides its data: user time (8) and length (4). */
export const RECORD_OVERHEAD_BYTES = 12;
const TWO_32 = 2 ** 32;

/** Checks the records of one append against the bounds; throws FileStoreRecordError naming the record and field. */
export function validateRecords(records: readonly FileRecordInput[], bounds: BatchBounds): number {
  if (!Array.isArray(records)) throw new FileStoreRecordError('records', 'must be an array');
  if (records.length === 0)
    throw new FileStoreRecordError('records', 'an append carries at least one record');
  if (records.length > bounds.maxBatchRecords)
    throw new FileStoreRecordError(
      'records',
      `${records.length} records in one append, at most ${bounds.maxBatchRecords} (maxBatchRecords)`,
    );
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    checkRecord(records[i], i, bounds);
    bytes += RECORD_OVERHEAD_BYTES + records[i].data.length;
  }
  if (bytes > bounds.maxBatchBytes)
    throw new FileStoreRecordError(
      'records',
      `one append of ${bytes} bytes, at most ${bounds.maxBatchBytes} (maxBatchBytes)`,
    );
  return bytes;
}

function checkRecord(record: FileRecordInput, i: number, bounds: BatchBounds): void {
  if (record === null || typeof record !== 'object')
    throw new FileStoreRecordError(`records[${i}]`, 'must be an object');
  checkUserTime(record.userTimeNs, `records[${i}].userTimeNs`);
  if (!(record.data instanceof Uint8Array))
    throw new FileStoreRecordError(`records[${i}].data`, 'must be a Uint8Array');
  if (record.data.length > bounds.maxRecordBytes)
    throw new FileStoreRecordError(
      `records[${i}].data`,
      `${record.data.length} bytes, at most ${bounds.maxRecordBytes} (maxRecordBytes)`,
    );
}

/** A time on either clock: a bigint of nanoseconds in 0..2^63-1. */
export function checkUserTime(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint')
    throw new FileStoreRecordError(field, `must be a bigint of nanoseconds, got ${typeof value}`);
  if (value < 0n || value > MAX_USER_TIME_NS)
    throw new FileStoreRecordError(field, `${value} is outside 0..2^63-1 ns`);
  return value;
}

/**
 * One append as it travels through the group, and as an HTTP client sends it (RECORD_BATCH_CONTENT_TYPE): per
 * record its user time (u64 big-endian), data length (u32 big-endian) and data. One layout end to end, so a replica
 * passes a client's body on as it came, with no object per record.
 */
export function encodeBatch(records: readonly FileRecordInput[], bytes: number): Uint8Array<ArrayBuffer> {
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const { userTimeNs, data } = records[i];
    out.writeBigUInt64BE(userTimeNs, at);
    out.writeUInt32BE(data.length, at + 8);
    out.set(data, at + RECORD_OVERHEAD_BYTES);
    at += RECORD_OVERHEAD_BYTES + data.length;
  }
  return out;
}

/** What a scan of an encoded append found. */
export interface BatchSummary {
  readonly count: number;
  readonly dataBytes: number;
  readonly minUserTimeNs: bigint;
}

/**
 * Checks an encoded append against the bounds in one pass over its headers (no object per record); throws
 * FileStoreRecordError naming the record and what is wrong.
 */
export function scanBatch(batch: Uint8Array, bounds: BatchBounds): BatchSummary {
  if (batch.length > bounds.maxBatchBytes)
    throw new FileStoreRecordError(
      'records',
      `one append of ${batch.length} bytes, at most ${bounds.maxBatchBytes} (maxBatchBytes)`,
    );
  const wire = Buffer.from(batch.buffer, batch.byteOffset, batch.length);
  let count = 0;
  let dataBytes = 0;
  let minHigh = TWO_32;
  let minLow = 0;
  for (let at = 0; at < wire.length; count++) {
    if (wire.length - at < RECORD_OVERHEAD_BYTES)
      throw new FileStoreRecordError(`records[${count}]`, `truncated at byte ${at}`);
    const high = wire.readUInt32BE(at);
    const low = wire.readUInt32BE(at + 4);
    const length = wire.readUInt32BE(at + 8);
    if (high >= 0x8000_0000)
      throw new FileStoreRecordError(`records[${count}].userTimeNs`, 'is outside 0..2^63-1 ns');
    if (length > bounds.maxRecordBytes)
      throw new FileStoreRecordError(
        `records[${count}].data`,
        `${length} bytes, at most ${bounds.maxRecordBytes} (maxRecordBytes)`,
      );
    if (at + RECORD_OVERHEAD_BYTES + length > wire.length)
      throw new FileStoreRecordError(`records[${count}]`, `runs past the end of the append at byte ${at}`);
    if (high < minHigh || (high === minHigh && low < minLow)) [minHigh, minLow] = [high, low];
    dataBytes += length;
    at += RECORD_OVERHEAD_BYTES + length;
  }
  if (count === 0) throw new FileStoreRecordError('records', 'an append carries at least one record');
  if (count > bounds.maxBatchRecords)
    throw new FileStoreRecordError(
      'records',
      `${count} records in one append, at most ${bounds.maxBatchRecords} (maxBatchRecords)`,
    );
  return { count, dataBytes, minUserTimeNs: (BigInt(minHigh) << 32n) | BigInt(minLow) };
}
