import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileStoreClient,
  FileStorePathError,
  FileStoreRequestError,
  type StoredRecord,
} from '@gridcloud/filestore';
import { ReplicaSet } from '../scripts/filestore-check/replica-set';

const MAX_BODY_BYTES = 64 * 1024;
let set: ReplicaSet;

beforeAll(async () => {
  set = await ReplicaSet.start({
    replicas: 3,
    durable: false,
    ackReplicas: 2,
    extraArgs: ['--max-body-bytes', String(MAX_BODY_BYTES)],
  });
}, 240_000);

afterAll(async () => {
  await set?.stop();
});

/** A raw HTTP exchange: the path goes out exactly as written (fetch would resolve `..` itself). */
function exchange(
  url: string,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function all(records: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

const text = (r: StoredRecord): string => Buffer.from(r.data).toString();

describe('filestore HTTP API on 3 replica processes', () => {
  it('appends a batch at one replica and reads it, as of a user and a server time, at every replica', async () => {
    const writer = new FileStoreClient({ urls: [set.urls[0]] });
    const first = await writer.append('pmu/1/hour-0', [
      { userTimeNs: 1_000n, data: Buffer.from('a') },
      { userTimeNs: 2_000n, data: Buffer.from('b') },
    ]);
    expect(first).toMatchObject({ path: 'pmu/1/hour-0', records: 2 });
    expect(first.replicas).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 5));
    const second = await writer.append('pmu/1/hour-0', [{ userTimeNs: 3_000n, data: Buffer.from('c') }]);
    for (const url of set.urls) {
      const reader = new FileStoreClient({ urls: [url] });
      expect((await all(reader.read('pmu/1/hour-0'))).map(text)).toEqual(['a', 'b', 'c']);
      expect((await all(reader.read('pmu/1/hour-0', { timeNs: 2_500n, clock: 'user' }))).map(text)).toEqual([
        'a',
        'b',
      ]);
      const beforeSecond = BigInt(second.serverTime.wallMs - 1) * 1_000_000n;
      const asOfFirst = await all(reader.read('pmu/1/hour-0', { timeNs: beforeSecond, clock: 'server' }));
      expect(asOfFirst.map(text)).toEqual(
        second.serverTime.wallMs > first.serverTime.wallMs ? ['a', 'b'] : [],
      );
    }
    const files = await new FileStoreClient({ urls: [set.urls[2]] }).list('pmu/');
    expect(files.map((f) => f.path)).toContain('pmu/1/hour-0');
  });

  it('takes NDJSON, a JSON array and a one-record body, and streams NDJSON back to people', async () => {
    const url = set.urls[1];
    const ndjson = '{"userTime":"1970-01-01T00:00:01Z","text":"n1"}\n{"userTime":"2s","data":"bjI="}\n';
    expect(
      (
        await exchange(url, 'POST', '/files/people/log', Buffer.from(ndjson), {
          'content-type': 'application/x-ndjson',
        })
      ).status,
    ).toBe(201);
    const json = '[{"userTime":"3000ms","text":"j3"}]';
    expect(
      (
        await exchange(url, 'POST', '/files/people/log', Buffer.from(json), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(201);
    const one = await exchange(url, 'POST', '/files/people/log?userTime=4s', Buffer.from('o4'), {
      'content-type': 'text/plain',
    });
    expect(one.status).toBe(201);
    const read = await exchange(url, 'GET', '/files/people/log?at=1970-01-01T00:00:03.5Z&clock=user');
    const lines = read.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: string; userTime: string });
    expect(lines.map((l) => Buffer.from(l.data, 'base64').toString())).toEqual(['n1', 'n2', 'j3']);
    expect(lines[0].userTime).toBe('1970-01-01T00:00:01.000000000Z');
    const snapshot = await exchange(url, 'GET', '/snapshot?at=2500ms');
    expect(
      snapshot.text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { path: string }).path),
    ).toContain('people/log');
  });

  it.each([
    ['POST', '/files/a/../b?userTime=1ns', "segment 2 is '..'", 400],
    ['POST', '/files/a/%2e%2e/b?userTime=1ns', "segment 2 is '..'", 400],
    ['GET', '/files/a?at=yesterday', "at: 'yesterday' is not a time", 400],
    ['GET', '/files/a?at=1733137200000', "at: '1733137200000' is not a time", 400],
    ['GET', '/files/a?at=5ms&clock=wall', "clock: 'wall' is not a clock", 400],
    ['GET', '/snapshot', 'at is required', 400],
    ['POST', '/files/a', 'a one-record append needs its time', 400],
    ['POST', '/files/a?userTime=5ms&userTime=6ms', 'userTime is given more than once', 400],
  ])('%s %s is refused: %s', async (method, path, message, status) => {
    const answer = await exchange(
      set.urls[0],
      method,
      path,
      method === 'POST' ? Buffer.from('x') : undefined,
    );
    expect(answer.status).toBe(status);
    expect((JSON.parse(answer.text) as { message: string }).message).toContain(message);
  });

  it('refuses a body over --max-body-bytes with 413 and keeps serving', async () => {
    const answer = await exchange(
      set.urls[0],
      'POST',
      '/files/big?userTime=1ns',
      Buffer.alloc(MAX_BODY_BYTES + 1),
    );
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('over --max-body-bytes 65536');
    const client = new FileStoreClient({ urls: [set.urls[0]] });
    await expect(
      client.append('big/../x', [{ userTimeNs: 1n, data: Buffer.from('x') }]),
    ).rejects.toBeInstanceOf(FileStorePathError);
    const tooBig = client.append('big', [{ userTimeNs: 1n, data: Buffer.alloc(MAX_BODY_BYTES) }]);
    await expect(tooBig).rejects.toBeInstanceOf(FileStoreRequestError);
    await expect(tooBig).rejects.toMatchObject({ status: 413 });
    expect((await client.append('big', [{ userTimeNs: 1n, data: Buffer.from('small') }])).records).toBe(1);
  });

  it('serializes concurrent appends to one file through all three replicas in one order', async () => {
    const batchesPerWriter = 15;
    await Promise.all(
      set.urls.map(async (url, w) => {
        const client = new FileStoreClient({ urls: [url] });
        for (let b = 0; b < batchesPerWriter; b++)
          await client.append(
            'shared/file',
            [0, 1, 2].map((k) => ({ userTimeNs: BigInt(b * 10 + k), data: Buffer.from(`${w}.${b}.${k}`) })),
          );
      }),
    );
    const views = await Promise.all(
      set.urls.map((url) => all(new FileStoreClient({ urls: [url] }).read('shared/file'))),
    );
    expect(views[0]).toHaveLength(3 * batchesPerWriter * 3);
    for (const view of views) expect(view.map(text)).toEqual(views[0].map(text));
    // Each append's records stay together, in the writer's order, and server times grow along the file.
    const order = views[0].map(text);
    for (let i = 0; i < order.length; i += 3)
      expect(order.slice(i, i + 3).map((t) => t.split('.')[2])).toEqual(['0', '1', '2']);
    for (let i = 1; i < views[0].length; i++) {
      const [a, b] = [views[0][i - 1].serverTime, views[0][i].serverTime];
      expect(b.wallMs > a.wallMs || (b.wallMs === a.wallMs && b.logical > a.logical)).toBe(true);
    }
  });
});
