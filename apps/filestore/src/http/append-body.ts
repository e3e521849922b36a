import type { IncomingMessage } from 'node:http';
import {
  checkRecordBatch,
  decodeRecordBatch,
  encodeRecordBatch,
  FileStoreRequestError,
  NDJSON_CONTENT_TYPE,
  parseTimeNs,
  RECORD_BATCH_CONTENT_TYPE,
  type FileRecordInput,
} from '@gridcloud/filestore';

/** The bounds an append body is read within. */
export interface AppendBodyLimits {
  readonly maxBodyBytes: number;
  readonly maxBatchRecords: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads a request body of at most `maxBodyBytes`: a declared Content-Length over it is refused before reading, a
 * chunked body as soon as it passes it.
 */
export async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw tooLarge(declared, maxBodyBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBodyBytes) throw tooLarge(total, maxBodyBytes);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/**
 * The records of an append, by Content-Type: the binary batch, NDJSON or a JSON array of
 * `{"userTime": TIME, "data": BASE64}` (or `"text"` instead of `"data"`), or else the whole body as one record
 * whose time is `?userTime=` or the X-User-Time header.
 */
export function decodeAppendBody(
  contentType: string | undefined,
  body: Buffer,
  singleRecordTime: string | undefined,
  limits: AppendBodyLimits,
): FileRecordInput[] {
  const type = mediaType(contentType);
  const records =
    type === RECORD_BATCH_CONTENT_TYPE
      ? decodeRecordBatch(body, limits.maxBatchRecords)
      : type === NDJSON_CONTENT_TYPE
        ? ndjsonRecords(body, limits.maxBatchRecords)
        : type === 'application/json'
          ? jsonArrayRecords(body, limits.maxBatchRecords)
          : [singleRecord(body, singleRecordTime)];
  if (records.length === 0) throw new FileStoreRequestError('the append holds no records');
  return records;
}

/** An append ready for the store: its records encoded as one batch, and what it holds. */
export interface EncodedAppend {
  readonly batch: Uint8Array;
  readonly records: number;
  readonly dataBytes: number;
}

/**
 * The append as one encoded batch. A binary body is checked and passed on as it came (no object per record: what
 * makes large appends cheap); the other forms are decoded (decodeAppendBody) and encoded.
 */
export function encodedAppendOf(
  contentType: string | undefined,
  body: Buffer,
  singleRecordTime: string | undefined,
  limits: AppendBodyLimits,
): EncodedAppend {
  if (mediaType(contentType) === RECORD_BATCH_CONTENT_TYPE) {
    const { records, dataBytes } = checkRecordBatch(body, limits.maxBatchRecords);
    if (records === 0) throw new FileStoreRequestError('the append holds no records');
    return { batch: body, records, dataBytes };
  }
  const records = decodeAppendBody(contentType, body, singleRecordTime, limits);
  let dataBytes = 0;
  for (const r of records) dataBytes += r.data.byteLength;
  return { batch: encodeRecordBatch(records), records: records.length, dataBytes };
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function singleRecord(body: Buffer, time: string | undefined): FileRecordInput {
  if (time === undefined)
    throw new FileStoreRequestError(
      `a one-record append needs its time (?userTime= or X-User-Time); batches go as ${RECORD_BATCH_CONTENT_TYPE}, ${NDJSON_CONTENT_TYPE} or application/json`,
    );
  return { userTimeNs: parseTimeNs('userTime', time), data: body };
}

function ndjsonRecords(body: Buffer, maxRecords: number): FileRecordInput[] {
  const lines = body.toString('utf8').split('\n');
  const records: FileRecordInput[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    if (records.length === maxRecords) throw tooManyRecords(maxRecords);
    records.push(jsonRecord(parseJson(lines[i], `line ${i + 1}`), `line ${i + 1}`));
  }
  return records;
}

function jsonArrayRecords(body: Buffer, maxRecords: number): FileRecordInput[] {
  const value = parseJson(body.toString('utf8'), 'the body');
  if (!Array.isArray(value)) throw new FileStoreRequestError('the body: expected a JSON array of records');
  if (value.length > maxRecords) throw tooManyRecords(maxRecords);
  return value.map((v: unknown, i) => jsonRecord(v, `record ${i}`));
}

function jsonRecord(value: unknown, where: string): FileRecordInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FileStoreRequestError(
      `${where}: expected an object {"userTime": ..., "data": BASE64 | "text": ...}`,
    );
  const { userTime, data, text } = value as Record<string, unknown>;
  if (typeof userTime !== 'string')
    throw new FileStoreRequestError(
      `${where}: userTime must be a string (ISO-8601, or an integer with its unit)`,
    );
  const userTimeNs = parseTimeNs(`${where}: userTime`, userTime);
  if (typeof text === 'string' && data === undefined) return { userTimeNs, data: Buffer.from(text, 'utf8') };
  if (typeof data !== 'string' || text !== undefined)
    throw new FileStoreRequestError(`${where}: give either data (base64) or text (a string)`);
  if (!BASE64.test(data)) throw new FileStoreRequestError(`${where}: data is not base64`);
  return { userTimeNs, data: Buffer.from(data, 'base64') };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FileStoreRequestError(`${where}: not JSON (${(error as Error).message})`);
  }
}

function tooLarge(bytes: number, max: number): FileStoreRequestError {
  return new FileStoreRequestError(`the body has ${bytes} bytes or more, over --max-body-bytes ${max}`, 413);
}

function tooManyRecords(max: number): FileStoreRequestError {
  return new FileStoreRequestError(`the batch holds more than ${max} records (--max-batch-records)`, 413);
}
