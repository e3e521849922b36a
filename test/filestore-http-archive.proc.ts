import { afterAll, describe, expect, it } from 'vitest';
import { FileStoreClient } from '@gridcloud/filestore';
import { archivePathOf, FileStoreFrameSink } from '../apps/ingest/src/sinks/filestore-sink';
import { testConfig, testDataFrame } from '../apps/ingest/src/testing/frames';
import { ReplicaSet } from '../scripts/filestore-check/replica-set';

const SOC0 = 1_733_137_000;
let set: ReplicaSet | undefined;

afterAll(async () => {
  await set?.stop();
});

describe("ingest's raw-frame archive into a real file store replica", () => {
  it('stores every frame per stream and hour, readable as of a past instant', async () => {
    set = await ReplicaSet.start({ replicas: 1, durable: true, ackReplicas: 1 });
    const lines: string[] = [];
    const sink = new FileStoreFrameSink(set.urls, (l) => lines.push(l), 50);
    const config = testConfig(77, [1, 2]);
    const frames = Array.from({ length: 90 }, (_, k) => ({
      streamIdcode: 77,
      timeNs: BigInt(SOC0) * 1_000_000_000n + BigInt(k) * 33_333_333n,
      bytes: testDataFrame(config, SOC0, k),
      arrivalMs: 0,
    }));
    frames.slice(0, 45).forEach((f) => sink.publishFrame(f));
    await sink.flush();
    frames.slice(45).forEach((f) => sink.publishFrame(f));
    await sink.close();
    expect(lines).toEqual([]);
    expect(sink.counters).toMatchObject({ stored: 90, dropped: 0, appendErrors: 0 });

    const client = new FileStoreClient({ urls: set.urls });
    const path = archivePathOf(frames[0]);
    const oneSecondIn = BigInt(SOC0 + 1) * 1_000_000_000n;
    const asOf: Buffer[] = [];
    for await (const r of client.read(path, { timeNs: oneSecondIn, clock: 'user' }))
      asOf.push(Buffer.from(r.data));
    expect(asOf).toEqual(frames.filter((f) => f.timeNs <= oneSecondIn).map((f) => Buffer.from(f.bytes)));
  });
});
