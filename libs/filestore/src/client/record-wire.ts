import { FileStoreRequestError } from './errors';
import { encodeBatch } from '../protocol/append-batch';
import type { FileRecordInput, StoredRecord } from '../protocol/records';

/** The binary append body: repeated [u64 BE userTimeNs][u32 BE length][length bytes]. */
export const RECORD_BATCH_CONTENT_TYPE = 'application/vnd.gridcloud.record-batch';
/**
 * The binary read stream: repeated [u16 BE path length][path UTF-8][u64 BE seq][u64 BE userTimeNs]
 * [u64 BE server wall ms][u32 BE server logical][u32 BE length][length bytes].
 */
export const STORED_RECORDS_CONTENT_TYPE = 'application/vnd.gridcloud.stored-records';
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

const BATCH_HEADER_BYTES = 12;
const STORED_FIXED_BYTES = 2 + 8 + 8 + 8 + 4 + 4;

/** Encodes records as one binary append body. */
export function encodeRecordBatch(records: readonly FileRecordInput[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const r of records) total += BATCH_HEADER_BYTES + r.data.byteLength;
  return encodeBatch(records, total);
}

/**
 * Decodes a binary append body. The records' data are views into `body` (no copy). A truncated record or more than
 * `maxRecords` of them is a FileStoreRequestError saying which record.
 */
export function decodeRecordBatch(body: Uint8Array, maxRecords: number): FileRecordInput[] {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const records: FileRecordInput[] = [];
  walkRecordBatch(view, maxRecords, (at, end) =>
    records.push({ userTimeNs: view.readBigUInt64BE(at), data: view.subarray(at + BATCH_HEADER_BYTES, end) }),
  );
  return records;
}

/** Checks a binary append body as decodeRecordBatch does, without making an object per record: a replica passes
 *  the body on as it is. Returns how many records and data bytes it holds. */
export function checkRecordBatch(
  body: Uint8Array,
  maxRecords: number,
): { records: number; dataBytes: number } {
  return walkRecordBatch(Buffer.from(body.buffer, body.byteOffset, body.byteLength), maxRecords);
}

function walkRecordBatch(
  view: Buffer,
  maxRecords: number,
  visit?: (at: number, end: number) => void,
): { records: number; dataBytes: number } {
  let records = 0;
  let dataBytes = 0;
  for (let at = 0; at < view.byteLength; records++) {
    if (records === maxRecords)
      throw new FileStoreRequestError(
        `the batch holds more than ${maxRecords} records (--max-batch-records)`,
        413,
      );
    if (view.byteLength - at < BATCH_HEADER_BYTES)
      throw new FileStoreRequestError(`record ${records}: truncated header (${view.byteLength - at} bytes)`);
    const length = view.readUInt32BE(at + 8);
    const end = at + BATCH_HEADER_BYTES + length;
    if (end > view.byteLength)
      throw new FileStoreRequestError(
        `record ${records}: says ${length} data bytes, ${view.byteLength - at - BATCH_HEADER_BYTES} remain`,
      );
    visit?.(at, end);
    dataBytes += length;
    at = end;
  }
  return { records, dataBytes };
}

/** Encodes one stored record as a frame of the binary read stream. */
export function encodeStoredRecord(record: StoredRecord): Buffer {
  const path = Buffer.from(record.path, 'utf8');
  const out = Buffer.allocUnsafe(STORED_FIXED_BYTES + path.byteLength + record.data.byteLength);
  let at = out.writeUInt16BE(path.byteLength, 0);
  at += path.copy(out, at);
  at = out.writeBigUInt64BE(BigInt(record.seq), at);
  at = out.writeBigUInt64BE(record.userTimeNs, at);
  at = out.writeBigUInt64BE(BigInt(record.serverTime.wallMs), at);
  at = out.writeUInt32BE(record.serverTime.logical, at);
  at = out.writeUInt32BE(record.data.byteLength, at);
  out.set(record.data, at);
  return out;
}

/**
 * Splits a binary read stream into records as its chunks arrive. A frame longer than `maxFrameBytes` is refused
 * before it is buffered, so a broken or hostile server cannot make the reader hold more than that.
 */
export class StoredRecordReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number) {}

  /** The records completed by `chunk`, in order. */
  push(chunk: Uint8Array): StoredRecord[] {
    this.pending = this.pending.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: StoredRecord[] = [];
    let at = 0;
    for (let size = this.frameSize(at); size !== null; size = this.frameSize(at)) {
      out.push(this.decodeAt(at));
      at += size;
    }
    this.pending = this.pending.subarray(at);
    return out;
  }

  /** Throws unless the stream ended on a frame boundary. */
  end(): void {
    if (this.pending.byteLength > 0)
      throw new Error(`the read stream ended inside a record (${this.pending.byteLength} bytes left)`);
  }

  private frameSize(at: number): number | null {
    const b = this.pending;
    if (b.byteLength - at < 2) return null;
    const pathBytes = b.readUInt16BE(at);
    if (b.byteLength - at < STORED_FIXED_BYTES + pathBytes) return null;
    const size = STORED_FIXED_BYTES + pathBytes + b.readUInt32BE(at + pathBytes + 30);
    if (size > this.maxFrameBytes)
      throw new Error(`a stored record of ${size} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`);
    return b.byteLength - at < size ? null : size;
  }

  private decodeAt(at: number): StoredRecord {
    const b = this.pending;
    const pathBytes = b.readUInt16BE(at);
    const fixed = at + 2 + pathBytes;
    const length = b.readUInt32BE(fixed + 28);
    return {
      path: b.toString('utf8', at + 2, fixed),
      seq: Number(b.readBigUInt64BE(fixed)),
      userTimeNs: b.readBigUInt64BE(fixed + 8),
      serverTime: { wallMs: Number(b.readBigUInt64BE(fixed + 16)), logical: b.readUInt32BE(fixed + 24) },
      // A copy: the record outlives the reader's buffer.
      data: new Uint8Array(b.subarray(fixed + 32, fixed + 32 + length)),
    };
  }
}
