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
  records.forEach((record, i) => {
    checkRecord(record, i, bounds);
    bytes += RECORD_OVERHEAD_BYTES + record.data.length;
  });
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
  let at = 0;
  for (const record of records) {
    out.writeBigInt64LE(record.userTimeNs, at);
    out.writeUInt32LE(record.data.length, at + 8);
    out.set(record.data, at + RECORD_OVERHEAD_BYTES);
    at += RECORD_OVERHEAD_BYTES + record.data.length;
  }
  return out;
}

/** Decodes and re-checks a batch (a replica trusts no sender); throws FileStoreRecordError. */
export function decodeBatch(bytes: Uint8Array, bounds: BatchBounds): FileRecordInput[] {
  if (!(bytes instanceof Uint8Array)) throw new FileStoreRecordError('batch', 'must be bytes');
  if (bytes.length > bounds.maxBatchBytes)
    throw new FileStoreRecordError('batch', `${bytes.length} bytes, at most ${bounds.maxBatchBytes}`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const records: FileRecordInput[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < RECORD_OVERHEAD_BYTES)
      throw new FileStoreRecordError('batch', `truncated at byte ${at}`);
    const userTimeNs = buf.readBigInt64LE(at);
    const length = buf.readUInt32LE(at + 8);
    const end = at + RECORD_OVERHEAD_BYTES + length;
    if (end > buf.length) throw new FileStoreRecordError('batch', `record at byte ${at} runs past the end`);
    records.push({ userTimeNs, data: buf.subarray(at + RECORD_OVERHEAD_BYTES, end) });
    at = end;
  }
  validateRecords(records, bounds);
  return records;
}
