import {
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { nextHlc, stampBatch, type HlcTimestamp } from '../protocol/hlc';
import type { TemporalPoint } from '../protocol/records';
import { inCut } from '../protocol/temporal-cut';
import { FileLog } from './file-log';
import type { FrameRecord } from './record-frame';
import { readAsOf } from './temporal-read';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Small segments and index blocks, so a few records span several of each.
const bounds = {
  durable: false,
  maxSegmentBytes: 600,
  indexIntervalBytes: 120,
  readChunkBytes: 64,
};

function newLog(): FileLog {
  const dir = mkdtempSync(join(tmpdir(), 'file-log-spec-'));
  dirs.push(dir);
  return new FileLog('a/b', dir, bounds);
}

/** Batches of records as the group would stamp them: seqs from 0, server times from stampBatch. */
function stamped(batches: Array<{ proposedMs: number; users: bigint[]; sizes: number[] }>): FrameRecord[][] {
  let last: HlcTimestamp = { wallMs: 0, logical: 0 };
  let seq = 0;
  return batches.map(({ proposedMs, users, sizes }) => {
    let t = stampBatch(last, { wallMs: proposedMs, logical: 0 }, users.length).first;
    const records = users.map((userTimeNs, i) => {
      const record = { seq: seq++, userTimeNs, serverTime: t, data: new Uint8Array(sizes[i] ?? 3).fill(i) };
      last = t;
      t = nextHlc(t);
      return record;
    });
    return records;
  });
}

async function read(log: FileLog, at: TemporalPoint | null): Promise<number[]> {
  const seqs: number[] = [];
  for await (const r of readAsOf(log, at)) seqs.push(r.seq);
  return seqs;
}

const batch = fc.record({
  proposedMs: fc.integer({ min: 0, max: 60 }),
  users: fc.array(fc.bigInt({ min: 0n, max: 100n }), { minLength: 1, maxLength: 6 }),
  sizes: fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 6 }),
});
const point = fc.record({
  timeNs: fc.oneof(fc.bigInt({ min: 0n, max: 110n }), fc.bigInt({ min: 0n, max: 70_000_000n })),
  clock: fc.constantFrom<'user' | 'server'>('user', 'server'),
});

describe('FileLog', () => {
  it('reads as of any time exactly what a brute-force filter keeps, before and after recovery from disk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batch, { minLength: 1, maxLength: 25 }),
        fc.array(point, { minLength: 1, maxLength: 6 }),
        async (batches, points) => {
          const log = newLog();
          const all = stamped(batches);
          all.forEach((records) => log.append(records));
          const reopened = new FileLog(log.path, log.dir, bounds);
          log.closeWriter();
          await reopened.recover();
          expect(reopened.records).toBe(log.records);
          for (const at of points) {
            const expected = all
              .flat()
              .filter((r) => inCut(r, at))
              .map((r) => r.seq);
            expect(await read(log, at)).toEqual(expected);
            expect(await read(reopened, at)).toEqual(expected);
          }
          expect(await read(reopened, null)).toEqual(all.flat().map((r) => r.seq));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rolls segments and keeps a sparse index, not an entry per record', () => {
    const log = newLog();
    stamped(
      Array.from({ length: 40 }, (_, i) => ({ proposedMs: i, users: [BigInt(i)], sizes: [40] })),
    ).forEach((r) => log.append(r));
    log.closeWriter();
    expect(readdirSync(log.dir).length).toBeGreaterThan(3);
    expect(log.blocks.length).toBeLessThan(log.records);
    expect(log.blocks.length).toBeGreaterThan(3);
  });

  it('cuts a torn tail at recovery and appends after it', async () => {
    const log = newLog();
    // Two appends; the second is torn, and a frame is one append: its record goes whole.
    const all = stamped([
      { proposedMs: 1, users: [1n, 2n], sizes: [10, 10] },
      { proposedMs: 2, users: [3n], sizes: [10] },
    ]);
    all.forEach((records) => log.append(records));
    log.closeWriter();
    const segment = log.segmentPath(0);
    truncateSync(segment, statSync(segment).size - 5); // a write cut short by the crash
    const reopened = new FileLog(log.path, log.dir, bounds);
    const found = await reopened.recover();
    expect(found.cut).toMatch(/torn/);
    expect(found.runs).toEqual([[0, 2]]);
    expect(await read(reopened, null)).toEqual([0, 1]);
    reopened.append([
      { seq: 2, userTimeNs: 9n, serverTime: { wallMs: 5, logical: 0 }, data: new Uint8Array(1) },
    ]);
    expect(await read(reopened, null)).toEqual([0, 1, 2]);
  });

  it('cuts at a damaged record (CRC) and drops the segments after it', async () => {
    const log = newLog();
    stamped(
      Array.from({ length: 30 }, (_, i) => ({ proposedMs: i, users: [BigInt(i)], sizes: [40] })),
    ).forEach((r) => log.append(r));
    log.closeWriter();
    const segment = log.segmentPath(1);
    const bytes = readFileSync(segment);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(segment, bytes);
    const reopened = new FileLog(log.path, log.dir, bounds);
    const found = await reopened.recover();
    expect(found.cut).toBeDefined();
    const kept = await read(reopened, null);
    expect(kept).toEqual(kept.map((_, i) => i));
    expect(kept.length).toBeLessThan(30);
    expect(readdirSync(log.dir).filter((n) => n.endsWith('.seg')).length).toBe(2);
  });

  it('removes the records from a seq on', async () => {
    const log = newLog();
    stamped(
      Array.from({ length: 20 }, (_, i) => ({ proposedMs: i, users: [BigInt(i)], sizes: [30] })),
    ).forEach((r) => log.append(r));
    await log.truncateFromSeq(7);
    expect(await read(log, null)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(log.lastSeq).toBe(6);
  });

  it('cuts within a frame: the records below the seq stay, framed anew, also after recovery', async () => {
    const log = newLog();
    stamped(
      Array.from({ length: 6 }, (_, i) => ({
        proposedMs: i,
        users: [1n, 2n, 3n, 4n, 5n].map((u) => u + BigInt(i)),
        sizes: [9, 9, 9, 9, 9],
      })),
    ).forEach((r) => log.append(r));
    await log.truncateFromSeq(13);
    expect(await read(log, null)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(log.records).toBe(13);
    log.closeWriter();
    const reopened = new FileLog(log.path, log.dir, bounds);
    expect((await reopened.recover()).runs).toEqual([[0, 13]]);
    expect(reopened.lastStamp).toEqual(log.lastStamp);
    expect(await read(reopened, null)).toEqual(Array.from({ length: 13 }, (_, i) => i));
  });

  it('in durable mode keeps segments closed with unsynced writes for the next sync, which syncs and closes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-log-spec-'));
    dirs.push(dir);
    const log = new FileLog('a/b', dir, { ...bounds, durable: true });
    const openBefore = openDescriptors();
    const batches = stamped(
      Array.from({ length: 40 }, (_, i) => ({ proposedMs: i, users: [BigInt(i)], sizes: [40] })),
    );
    batches.slice(0, 20).forEach((r) => log.append(r));
    expect(log.retiredWriters).toBeGreaterThan(0);
    expect(log.dirty).toBe(true);
    expect(openDescriptors()).toBe(openBefore + log.retiredWriters + 1);
    // A second sync starts while the first runs, with segments rolled in between: each closes what it synced.
    const first = log.sync();
    batches.slice(20).forEach((r) => log.append(r));
    const second = log.sync();
    await Promise.all([first, second]);
    expect(log.retiredWriters).toBe(0);
    expect(log.dirty).toBe(false);
    expect(openDescriptors()).toBe(openBefore + 1); // the segment being written
    log.close();
    expect(openDescriptors()).toBe(openBefore);
    const reopened = new FileLog(log.path, log.dir, bounds);
    expect((await reopened.recover()).runs).toEqual([[0, 40]]);
  });
});

/** Descriptors this process holds open (Linux). */
function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}
