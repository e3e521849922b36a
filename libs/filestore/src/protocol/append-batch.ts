import { FileStoreRecordError } from '../errors/file-store-record-error';
import { MAX_USER_TIME_NS, type FileRecordInput } from './records';

/** Bounds on what one append may carry. */
export interface BatchBounds {
  readonly maxRecordBytes: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
}

/** Bytes of a record in a batch besides its data: user time (8) and length (4). */
const RECORD_OVERHEAD_BYTES = 12;

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

/** One append as it travels through the group: per record its user time (i64), data length (u32) and data. */
export function encodeBatch(records: readonly FileRecordInput[], bytes: number): Uint8Array {
  const out = Buffer.allocUnsafe(bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const { userTimeNs, data } = records[i];
    view.setBigInt64(at, userTimeNs, true);
    view.setUint32(at + 8, data.length, true);
    out.set(data, at + RECORD_OVERHEAD_BYTES);
    at += RECORD_OVERHEAD_BYTES + data.length;
  }
  return out;
}
