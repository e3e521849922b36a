import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { encodeStoredRecord, isoOfNs, type StoredRecord } from '@gridcloud/filestore';

/**
 * Takes the first record before anything is written, so a read that fails at once (a bad path, a replica that is
 * not serving) still gets its 4xx or 5xx status; the records are then the same, first one included.
 */
export async function prefetchFirst<T>(records: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done === true) return;
      yield first.value;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value;
    },
  };
}

/** How a read is written: the binary frames the client reads, or NDJSON for people. */
export type ReadFormat = 'binary' | 'ndjson';

/**
 * Streams records to the response in chunks of about `chunkBytes`, waiting for the socket to drain when it is
 * full, so a read of any size holds one chunk in memory, never the whole file. A failure after the headers went out
 * destroys the connection: the client sees a broken chunked body, never a short answer that looks complete.
 */
export async function streamRecords(
  records: AsyncIterable<StoredRecord>,
  res: ServerResponse,
  format: ReadFormat,
  chunkBytes: number,
): Promise<number> {
  const encode = format === 'binary' ? encodeStoredRecord : ndjsonLine;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let count = 0;
  try {
    for await (const record of records) {
      const frame = encode(record);
      pending.push(frame);
      pendingBytes += frame.byteLength;
      count++;
      if (pendingBytes < chunkBytes) continue;
      await write(res, Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    }
    if (pendingBytes > 0) await write(res, Buffer.concat(pending, pendingBytes));
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
  return count;
}

async function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) throw new Error('the client went away');
  if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}

function ndjsonLine(record: StoredRecord): Buffer {
  const line = {
    path: record.path,
    userTimeNs: record.userTimeNs.toString(),
    userTime: isoOfNs(record.userTimeNs),
    serverTime: record.serverTime,
    data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString('base64'),
  };
  return Buffer.from(`${JSON.stringify(line)}\n`);
}
