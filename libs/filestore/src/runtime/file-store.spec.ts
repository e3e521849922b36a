import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultInjector, VsyncProcess, type Group } from '@gridcloud/vsync';
import {
  FileStoreClosedError,
  FileStoreNotMemberError,
  FileStorePathError,
  FileStoreRecordError,
} from '../errors';
import type { StoredRecord } from '../protocol/records';
import type { FileStoreOptions } from '../file-store-options';
import { compareHlc } from '../protocol/hlc';
import { FileStore } from './file-store';

const open: Array<{ store: FileStore; process: VsyncProcess }> = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const { store, process } of open.splice(0)) {
    await store.close();
    await process.shutdown();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function replica(
  dataDir: string,
  durable = false,
  seeds?: string[],
  bounds: Partial<FileStoreOptions> = {},
): Promise<FileStore> {
  const process = new VsyncProcess(seeds === undefined ? { founder: true } : { seeds });
  const store = await FileStore.open(process, { dataDir, durable, ackReplicas: 1, ...bounds });
  open.push({ store, process });
  return store;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'filestore-spec-'));
  dirs.push(dir);
  return dir;
}

async function all(records: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('FileStore on one replica', () => {
  it('refuses an append while it is outside its group (excluded, rejoining) as not ordered: not-member', async () => {
    const store = await replica(tempDir());
    // The group is private: leaving it stands for an exclusion the replica has not recovered from yet.
    await (store as unknown as { group: Group }).group.leave();
    const refused = store.append('pmu/1', [{ userTimeNs: 1n, data: bytes('a') }]);
    await expect(refused).rejects.toBeInstanceOf(FileStoreNotMemberError);
    await expect(refused).rejects.toMatchObject({ code: 'not-member' });
  });

  it('appends, reads as of user and server time, lists, and reopens from its disk', async () => {
    const dir = tempDir();
    const store = await replica(dir, true);
    const first = await store.append('pmu/1', [
      { userTimeNs: 100n, data: bytes('a') },
      { userTimeNs: 200n, data: bytes('b') },
    ]);
    expect(first).toMatchObject({ path: 'pmu/1', firstSeq: 0, records: 2, replicas: 1, durable: true });
    await store.append('pmu/2', [{ userTimeNs: 150n, data: bytes('c') }]);
    const asOfUser = await all(store.read('pmu/1', { timeNs: 150n, clock: 'user' }));
    expect(asOfUser.map((r) => Buffer.from(r.data).toString())).toEqual(['a']);
    const now = BigInt(first.lastServerTime.wallMs) * 1_000_000n;
    const asOfServer = await all(store.read('pmu/1', { timeNs: now, clock: 'server' }));
    expect(asOfServer).toHaveLength(2);
    const before = await all(store.snapshot({ timeNs: now - 1_000_000n, clock: 'server' }));
    expect(before).toHaveLength(0);
    expect((await store.list('pmu/')).map((f) => [f.path, f.records, f.bytes])).toEqual([
      ['pmu/1', 2, 2],
      ['pmu/2', 1, 1],
    ]);
    const { store: closed, process } = open.pop()!;
    await closed.close();
    await process.shutdown();
    const again = await replica(dir, true);
    expect(again.stats()).toMatchObject({ files: 2, records: 3, nextSeq: 3 });
    const next = await again.append('pmu/1', [{ userTimeNs: 300n, data: bytes('d') }]);
    expect(next.firstSeq).toBe(3);
    expect((await all(again.read('pmu/1', null))).map((r) => r.seq)).toEqual([0, 1, 3]);
  });

  it('orders the appends issued in one turn as one group commit, each acknowledged with its own seqs and times', async () => {
    const store = await replica(tempDir(), true);
    const appends = Array.from({ length: 10 }, (_, f) =>
      store.append(`pmu/${f}`, [
        { userTimeNs: 1n, data: bytes(`${f}a`) },
        { userTimeNs: 2n, data: bytes(`${f}b`) },
      ]),
    );
    const acks = await Promise.all(appends);
    expect(store.stats()).toMatchObject({ appendsIssued: 10, commitsIssued: 1, appendsApplied: 10 });
    // In the order issued: append f holds seqs 2f and 2f+1, and its server times follow the one before.
    expect(acks.map((a) => a.firstSeq)).toEqual(acks.map((_, f) => 2 * f));
    for (let f = 1; f < acks.length; f++)
      expect(compareHlc(acks[f].serverTime, acks[f - 1].lastServerTime)).toBeGreaterThan(0);
    for (let f = 0; f < acks.length; f++) {
      const records = await all(store.read(`pmu/${f}`, null));
      expect(records.map((r) => [r.seq, Buffer.from(r.data).toString()])).toEqual([
        [2 * f, `${f}a`],
        [2 * f + 1, `${f}b`],
      ]);
      expect(records[0].serverTime).toEqual(acks[f].serverTime);
      expect(records[1].serverTime).toEqual(acks[f].lastServerTime);
    }
  });

  it('closes a commit at maxCommitAppends and at maxCommitRecords, and sends a larger append alone', async () => {
    const store = await replica(tempDir(), false, undefined, { maxCommitAppends: 2, maxCommitRecords: 3 });
    const one = [{ userTimeNs: 1n, data: bytes('x') }];
    await Promise.all([1, 2, 3, 4, 5].map((f) => store.append(`a/${f}`, one)));
    expect(store.stats().commitsIssued).toBe(3);
    const four = [1n, 2n, 3n, 4n].map((userTimeNs) => ({ userTimeNs, data: bytes('y') }));
    const acks = await Promise.all([
      store.append('b/1', one),
      store.append('b/2', four),
      store.append('b/3', one),
    ]);
    // b/1 (1 record) cannot take b/2's 4 records (past 3): three more commits, b/2 alone.
    expect(store.stats().commitsIssued).toBe(6);
    expect(acks.map((a) => [a.firstSeq, a.records])).toEqual([
      [5, 1],
      [6, 4],
      [10, 1],
    ]);
  });

  it('refuses bad paths, malformed times and oversize records with typed errors', async () => {
    const store = await replica(tempDir());
    await expect(store.append('a/../b', [{ userTimeNs: 1n, data: bytes('x') }])).rejects.toThrow(
      FileStorePathError,
    );
    await expect(store.append('a//b', [{ userTimeNs: 1n, data: bytes('x') }])).rejects.toThrow(
      /segment 2 is empty/,
    );
    await expect(store.append('a', [{ userTimeNs: -1n, data: bytes('x') }])).rejects.toThrow(
      FileStoreRecordError,
    );
    await expect(
      store.append('a', [{ userTimeNs: 1 as unknown as bigint, data: bytes('x') }]),
    ).rejects.toThrow(/userTimeNs: must be a bigint/);
    await expect(
      store.append('a', [{ userTimeNs: 1n, data: new Uint8Array(2 * 1024 * 1024) }]),
    ).rejects.toThrow(/maxRecordBytes/);
    await expect(all(store.read('a', { timeNs: 1n, clock: 'wall' as 'user' }))).rejects.toThrow(/at.clock/);
    expect(store.stats().records).toBe(0);
  });

  it('a replica whose disk write fails leaves the group, and appends complete with the others', async () => {
    const a = await replica(tempDir());
    const dirB = tempDir();
    const b = await replica(dirB, false, [open[0].process.self.address]);
    const errors: Error[] = [];
    b.onError((error) => errors.push(error));
    await a.append('ok', [{ userTimeNs: 1n, data: bytes('x') }]);
    // A answers alone (ackReplicas 1): wait until B has applied this append too before breaking B's disk.
    await vi.waitFor(async () => expect((await b.list()).map((f) => f.path)).toEqual(['ok']), {
      timeout: 10_000,
    });
    // The next file cannot be created under B's data directory: its files folder is now a plain file.
    rmSync(join(dirB, 'files'), { recursive: true, force: true });
    writeFileSync(join(dirB, 'files'), 'not a directory');
    const ack = await a.append('new/file', [{ userTimeNs: 2n, data: bytes('y') }]);
    expect(ack.replicas).toBe(1);
    // B applies it too, after A answered (ackReplicas 1): wait for its failure.
    const failed = (): boolean =>
      errors.some((e) => e instanceof FileStoreClosedError && /writing new\/file failed/.test(e.message));
    await vi.waitFor(() => expect(failed()).toBe(true), { timeout: 10_000 });
    await expect(all(b.read('ok', null))).rejects.toThrow(FileStoreClosedError);
    await vi.waitFor(() => expect(a.stats().members).toBe(1), { timeout: 10_000 });
    expect((await a.append('after', [{ userTimeNs: 3n, data: bytes('z') }])).replicas).toBe(1);
    await expect(b.list()).rejects.toThrow(FileStoreClosedError);
    expect((await a.list()).map((f) => f.path)).toEqual(['after', 'new/file', 'ok']);
  });
});

describe('FileStore catching up', () => {
  it('a joiner excluded in the middle of its catch-up catches up again as its new incarnation and holds what the others hold', async () => {
    const core = { heartbeatIntervalMs: 100, failureTimeoutMs: 1500 };
    const [fa, fb, fc] = [new FaultInjector({}), new FaultInjector({}), new FaultInjector({})];
    const pa = new VsyncProcess({ founder: true, faults: fa, core });
    const a = await FileStore.open(pa, { dataDir: tempDir(), durable: false, ackReplicas: 1 });
    open.push({ store: a, process: pa });
    const pc = new VsyncProcess({ seeds: [pa.self.address], faults: fc, core });
    const c = await FileStore.open(pc, { dataDir: tempDir(), durable: false, ackReplicas: 1 });
    open.push({ store: c, process: pc });
    // Many small files: the joiner fetches them one after another, so its catch-up is long enough to cut into.
    for (let i = 0; i < 1500; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          a.append(`f/${i + k}`, [{ userTimeNs: BigInt(i + k + 1), data: bytes(`r${i + k}`) }]),
        ),
      );

    const dirB = tempDir();
    const pb = new VsyncProcess({ seeds: [pa.self.address], faults: fb, core });
    const opening = FileStore.open(pb, {
      dataDir: dirB,
      durable: false,
      ackReplicas: 1,
      catchUpTimeoutMs: 2000,
    });
    const filesOfB = (): number =>
      existsSync(join(dirB, 'files')) ? readdirSync(join(dirB, 'files')).length : 0;
    await vi.waitFor(() => expect(filesOfB()).toBeGreaterThan(0), { timeout: 20_000, interval: 2 });
    expect(filesOfB(), 'b is still catching up when it is cut off').toBeLessThan(1500);
    const incarnation = pb.self.incarnation;
    // Cut b off both ways: a and c (a majority) exclude it; b hears no one and rejoins as a new incarnation.
    fa.cut(pb.self.address);
    fc.cut(pb.self.address);
    fb.cut(pa.self.address);
    fb.cut(pc.self.address);
    let writing = true;
    const live = (async () => {
      for (let n = 0; writing; n++) {
        await a.append('live', [{ userTimeNs: BigInt(n + 1), data: bytes(`live ${n}`) }]);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await vi.waitFor(() => expect(pb.self.incarnation).toBeGreaterThan(incarnation), { timeout: 10_000 });
    for (const f of [fa, fb, fc]) f.heal();
    const b = await opening;
    open.push({ store: b, process: pb });
    await vi.waitFor(() => expect(a.stats().members).toBe(3), { timeout: 10_000 });
    writing = false;
    await live;
    await vi.waitFor(() => expect(b.stats().nextSeq).toBe(a.stats().nextSeq), { timeout: 10_000 });
    expect(await b.list()).toEqual(await a.list());
    expect(await all(b.read('live', null))).toEqual(await all(a.read('live', null)));
    const now = { timeNs: BigInt(Date.now() + 60_000) * 1_000_000n, clock: 'server' as const };
    expect(await all(b.snapshot(now))).toEqual(await all(a.snapshot(now)));
  }, 60_000);
});
