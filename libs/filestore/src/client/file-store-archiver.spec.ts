import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStoreArchiver } from './file-store-archiver';
import { decodeRecordBatch } from './record-wire';

/** A stand-in replica over real HTTP: answers the first `refusals` appends 503 (not ordered), then stores them. */
async function replica(refusals: number, status: number) {
  const stored = new Map<string, bigint[]>();
  let refused = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (refused < refusals) {
        refused += 1;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'overloaded' }));
        return;
      }
      const path = decodeURIComponent(req.url!.slice('/files/'.length));
      const records = decodeRecordBatch(Buffer.concat(chunks), 10_000);
      stored.set(path, [...(stored.get(path) ?? []), ...records.map((r) => r.userTimeNs)]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path, records: records.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, stored, refusedCount: () => refused, close: () => new Promise((r) => server.close(r)) };
}

const record = (t: number) => ({ userTimeNs: BigInt(t), data: new Uint8Array([t & 0xff]) });

describe('FileStoreArchiver', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0)) await c();
  });

  /** A stand-in replica and an archiver on it that flushes only when told; both closed after the test. */
  async function rig(
    refusals: number,
    status: number,
    options: { maxBatchRecords?: number; maxQueuedRecords?: number },
  ) {
    const r = await replica(refusals, status);
    closing.push(r.close);
    const archiver = new FileStoreArchiver({ urls: [r.url], flushIntervalMs: 60_000, ...options });
    closing.push(() => archiver.close());
    return { r, archiver };
  }

  it('queues an append no replica could take again, ahead of newer records, and stores every record once in order', async () => {
    const { r, archiver } = await rig(2, 503, { maxBatchRecords: 4 });
    for (let t = 0; t < 10; t += 1) archiver.add(t % 2 === 0 ? 'a/even' : 'b/odd', record(t));
    await archiver.flush();
    // One batch of each file was refused: both files wait whole, nothing dropped.
    expect(archiver.counters).toMatchObject({
      stored: 0,
      dropped: 0,
      appendErrors: 2,
      requeued: 10,
      queued: 10,
    });
    for (let t = 10; t < 14; t += 1) archiver.add(t % 2 === 0 ? 'a/even' : 'b/odd', record(t));
    await archiver.flush();
    expect(archiver.counters).toMatchObject({ stored: 14, dropped: 0, queued: 0 });
    expect(r.stored.get('a/even')).toEqual([0n, 2n, 4n, 6n, 8n, 10n, 12n]);
    expect(r.stored.get('b/odd')).toEqual([1n, 3n, 5n, 7n, 9n, 11n, 13n]);
  });

  it('keeps at most maxQueuedRecords while the store is down, dropping the oldest and counting them', async () => {
    const { r, archiver } = await rig(1_000, 503, { maxQueuedRecords: 5 });
    for (let t = 0; t < 4; t += 1) archiver.add('f', record(t));
    await archiver.flush();
    for (let t = 4; t < 7; t += 1) archiver.add('f', record(t));
    await archiver.flush();
    expect(archiver.counters).toMatchObject({ stored: 0, dropped: 2, queued: 5 });
    expect(r.refusedCount()).toBe(2);
    // Closing while the store is still down: one more try, then what is left is counted lost.
    await archiver.close();
    expect(archiver.counters).toMatchObject({ stored: 0, dropped: 7, queued: 0 });
  });

  it('does not send again an append whose outcome is unknown (a 500 may follow the ordering): counted dropped', async () => {
    const { r, archiver } = await rig(1, 500, {});
    for (let t = 0; t < 3; t += 1) archiver.add('f', record(t));
    await archiver.flush();
    await archiver.flush();
    expect(archiver.counters).toMatchObject({
      stored: 0,
      dropped: 3,
      requeued: 0,
      appendErrors: 1,
      queued: 0,
    });
    expect(r.stored.size).toBe(0);
  });
});
