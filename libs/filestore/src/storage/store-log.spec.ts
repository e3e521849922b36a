import { existsSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameBatchOf } from './record-frame';
import { contiguousPrefix, StoreLog } from './store-log';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const bounds = {
  maxSegmentBytes: 1 << 20,
  indexIntervalBytes: 256,
  readChunkBytes: 4096,
  maxOpenWriters: 2,
};

function record(seq: number) {
  return {
    seq,
    userTimeNs: BigInt(seq),
    serverTime: { wallMs: seq, logical: 0 },
    data: new Uint8Array(8).fill(seq),
  };
}

describe('StoreLog', () => {
  it('finds the longest run of seqs from 0', () => {
    expect(contiguousPrefix([])).toBe(0);
    expect(
      contiguousPrefix([
        [3, 5],
        [0, 2],
        [2, 3],
      ]),
    ).toBe(5);
    expect(
      contiguousPrefix([
        [0, 2],
        [3, 5],
      ]),
    ).toBe(2);
    expect(contiguousPrefix([[1, 5]])).toBe(0);
  });

  it('recovers every file, and removes the records after a hole left by a lost write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-log-spec-'));
    dirs.push(dir);
    const { store } = await StoreLog.open(dir, bounds, false);
    // More files than open writers: the least recently written are closed and reopened.
    for (let seq = 0; seq < 12; seq++) store.apply(`f/${seq % 3}`, frameBatchOf([record(seq)]));
    store.close();
    const again = await StoreLog.open(dir, bounds, false);
    expect(again.report).toEqual({
      files: 3,
      records: 12,
      tornTails: 0,
      recordsAfterGap: 0,
      migratedFiles: 0,
    });
    expect(again.store.nextSeq).toBe(12);
    again.store.close();
    // f/1 loses its last record (seq 10): seq 11 in f/2 sits after a hole and goes too.
    const log = again.store.file('f/1')!;
    const segment = log.segmentPath(0);
    truncateSync(segment, statSync(segment).size - 3);
    const cut = await StoreLog.open(dir, bounds, false);
    expect(cut.report).toEqual({ files: 3, records: 10, tornTails: 1, recordsAfterGap: 1, migratedFiles: 0 });
    expect(cut.store.nextSeq).toBe(10);
    expect(cut.store.file('f/2')!.lastSeq).toBe(8);
    cut.store.apply('f/0', frameBatchOf([record(10)]));
    expect(cut.store.nextSeq).toBe(11);
    cut.store.close();
  });

  it('in durable mode syncs the directory of a new file with the next pass, and drops a directory whose path is torn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-log-spec-'));
    dirs.push(dir);
    const { store } = await StoreLog.open(dir, bounds, true);
    store.apply('f/a', frameBatchOf([record(0)]));
    store.apply('f/b', frameBatchOf([record(1)]));
    await store.syncAll();
    expect(store.file('f/a')!.dirty).toBe(false);
    store.close();
    // A crash while the path of f/b was written: its directory holds a prefix of the path.
    const torn = store.file('f/b')!.dir;
    writeFileSync(join(torn, 'path'), 'f/');
    const again = await StoreLog.open(dir, bounds, true);
    expect(again.report).toEqual({
      files: 1,
      records: 1,
      tornTails: 0,
      recordsAfterGap: 0,
      migratedFiles: 0,
    });
    expect(again.store.paths()).toEqual(['f/a']);
    expect(existsSync(torn)).toBe(false);
    again.store.close();
  });
});
