import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStoreLayoutError } from '../errors';
import { nextHlc, type HlcTimestamp } from '../protocol/hlc';
import { LOG_LAYOUT } from './log-layout';
import { MAX_BATCH_BYTES_LIMIT } from '../file-store-options';
import { FRAME_HEADER_BYTES, frameBatchOf, parseFrame, recordsOf, type FrameRecord } from './record-frame';
import { StoreLog } from './store-log';
import { readAsOf } from './temporal-read';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const bounds = { maxSegmentBytes: 1 << 20, indexIntervalBytes: 256, readChunkBytes: 4096, maxOpenWriters: 4 };

/** A record as layout 1 stored it: a frame of its own with seq, user time and server time. */
function layout1Frame(r: FrameRecord): Buffer {
  const out = Buffer.alloc(36 + r.data.length);
  out.writeUInt32LE(28 + r.data.length, 0);
  out.writeUInt32LE(r.seq, 8);
  out.writeBigInt64LE(r.userTimeNs, 16);
  out.writeUInt32LE(r.serverTime.wallMs, 24);
  out.writeUInt32LE(r.serverTime.logical, 32);
  out.set(r.data, 36);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/** A data directory as layout 1 left it: files `a` (seqs 0-2 and 5, two segments) and `b` (3-4, then a torn frame). */
function layout1Store(): { dir: string; records: Map<string, FrameRecord[]> } {
  const dir = mkdtempSync(join(tmpdir(), 'log-layout-spec-'));
  dirs.push(dir);
  let stamp: HlcTimestamp = { wallMs: 1000, logical: 0 };
  const all: FrameRecord[] = [];
  for (let seq = 0; seq < 6; seq++) {
    all.push({ seq, userTimeNs: BigInt(50 - seq), serverTime: stamp, data: Buffer.from(`record ${seq}`) });
    stamp = seq === 2 ? { wallMs: 2000, logical: 0 } : nextHlc(stamp);
  }
  const records = new Map([
    ['a', [all[0], all[1], all[2], all[5]]],
    ['b', [all[3], all[4]]],
  ]);
  const write = (path: string, segments: FrameRecord[][], tail: Uint8Array = new Uint8Array(0)) => {
    const fileDir = join(dir, 'files', createHash('sha256').update(path).digest('hex').slice(0, 40));
    mkdirSync(fileDir, { recursive: true });
    writeFileSync(join(fileDir, 'path'), path);
    segments.forEach((segment, i) =>
      writeFileSync(
        join(fileDir, `${String(i).padStart(10, '0')}.seg`),
        Buffer.concat([...segment.map(layout1Frame), i === segments.length - 1 ? tail : new Uint8Array(0)]),
      ),
    );
  };
  write('a', [[all[0], all[1], all[2]], [all[5]]]);
  write('b', [[all[3], all[4]]], layout1Frame(all[5]).subarray(0, 20));
  return { dir, records };
}

async function contents(store: StoreLog, path: string) {
  const out = [];
  for await (const r of readAsOf(store.file(path)!, null))
    out.push({
      seq: r.seq,
      userTimeNs: r.userTimeNs,
      serverTime: r.serverTime,
      data: Buffer.from(r.data).toString(),
    });
  return out;
}

const expected = (records: FrameRecord[]) =>
  records.map((r) => ({ ...r, data: Buffer.from(r.data).toString() }));

describe('log layout', () => {
  it('rewrites logs of the per-record layout into frames per append, records unchanged, once', async () => {
    const { dir, records } = layout1Store();
    const { store, report } = await StoreLog.open(dir, bounds, true);
    expect(report).toMatchObject({ files: 2, records: 6, migratedFiles: 2 });
    expect(store.nextSeq).toBe(6);
    for (const [path, held] of records) expect(await contents(store, path)).toEqual(expected(held));
    store.close();
    expect(readFileSync(join(dir, 'LAYOUT'), 'utf8').trim()).toBe(LOG_LAYOUT);
    expect(readdirSync(dir).sort()).toEqual(['LAYOUT', 'files']);
    const again = await StoreLog.open(dir, bounds, true);
    expect(again.report).toMatchObject({ files: 2, records: 6, migratedFiles: 0, tornTails: 0 });
    again.store.close();
  });

  it('finishes a migration that stopped while the new logs were taking the place of the old', async () => {
    const { dir, records } = layout1Store();
    (await StoreLog.open(dir, bounds, true)).store.close();
    // As if it stopped between its two renames: the new logs aside, the old ones moved out, no LAYOUT yet.
    rmSync(join(dir, 'LAYOUT'));
    renameSync(join(dir, 'files'), join(dir, 'files.migrating'));
    mkdirSync(join(dir, 'files.layout-1'));
    const { store, report } = await StoreLog.open(dir, bounds, true);
    expect(report).toMatchObject({ files: 2, records: 6, migratedFiles: 0 });
    for (const [path, held] of records) expect(await contents(store, path)).toEqual(expected(held));
    store.close();
    expect(existsSync(join(dir, 'files.layout-1'))).toBe(false);
  });

  it('refuses a data directory in a layout it does not read, changing nothing', async () => {
    const { dir } = layout1Store();
    writeFileSync(join(dir, 'LAYOUT'), 'gridcloud-filestore frame-per-append 9\n');
    const before = readdirSync(join(dir, 'files')).map((d) => readdirSync(join(dir, 'files', d)));
    await expect(StoreLog.open(dir, bounds, true)).rejects.toThrow(FileStoreLayoutError);
    await expect(StoreLog.open(dir, bounds, true)).rejects.toThrow(
      /layout 'gridcloud-filestore frame-per-append 9'/,
    );
    expect(readdirSync(join(dir, 'files')).map((d) => readdirSync(join(dir, 'files', d)))).toEqual(before);
  });

  it('splits a long run of consecutive records into frames no larger than the largest append', () => {
    let stamp: HlcTimestamp = { wallMs: 7, logical: 0 };
    const records: FrameRecord[] = Array.from({ length: 7 }, (_, seq) => {
      const r = { seq, userTimeNs: BigInt(seq), serverTime: stamp, data: new Uint8Array(MIB).fill(seq) };
      stamp = nextHlc(stamp);
      return r;
    });
    const written = Buffer.concat(frameBatchOf(records).chunks);
    const frames = [];
    for (let at = 0; at < written.length;) {
      const parsed = parseFrame(written, at);
      if (parsed.kind !== 'frame') throw new Error(`frame at ${at}: ${parsed.kind}`);
      expect(parsed.end - at).toBeLessThanOrEqual(FRAME_HEADER_BYTES + MAX_BATCH_BYTES_LIMIT);
      frames.push(parsed.frame);
      at = parsed.end;
    }
    expect(frames.length).toBeGreaterThan(1);
    expect(
      frames.flatMap((f) => [...recordsOf(f)].map((r) => [r.seq, r.data[0], r.serverTime.logical])),
    ).toEqual(records.map((r) => [r.seq, r.seq, r.serverTime.logical]));
  });
});

const MIB = 1024 * 1024;
