/**
 * The file store's replicas as real OS processes (libs/filestore/src/testing/replica-main.ts), durable, with
 * ackReplicas = 2. Three replicas append to their own files at once; one is SIGKILLed mid-write and restarted on its
 * data directory: it replays its own log and fetches only the records it lacks from a member. A brand-new fourth
 * replica then receives the whole store. At the end every replica holds the same files (the same digest over every
 * record, its seq, times and bytes), the same snapshot as of a past server time, and every acknowledged append.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'libs/filestore/src/testing/replica-main.ts';
const root = mkdtempSync(join(tmpdir(), 'filestore-replicas-'));
const members: MemberProcess[] = [];

afterAll(async () => {
  for (const m of members) m.kill('SIGTERM');
  await Promise.all(members.map((m) => m.stop(5_000)));
  rmSync(root, { recursive: true, force: true });
});

function replica(name: string, dir: string, options: Record<string, unknown>): MemberProcess {
  const m = new MemberProcess(name, PROGRAM, {
    dataDir: join(root, dir),
    durable: true,
    ackReplicas: 2,
    ...options,
  });
  members.push(m);
  return m;
}

type Stats = Record<string, unknown> & { recovery: { records: number }; nextSeq: number };

async function ask(m: MemberProcess, command: Record<string, unknown>, event: string): Promise<MemberEvent> {
  const from = m.events.length;
  m.command(command);
  return m.next((e) => e.event === event, from);
}

function ackedKeys(m: MemberProcess): string[] {
  return m.events.filter((e) => e.event === 'ack').flatMap((e) => e.keys as string[]);
}

async function acks(m: MemberProcess, count: number): Promise<void> {
  await m.until(() => m.events.filter((e) => e.event === 'ack').length >= count);
}

describe('file store replicas over real processes', () => {
  it('loses no acknowledged append across a SIGKILL, catches up a restarted and a new replica, and reads agree', async () => {
    const r0 = replica('r0', 'r0', { founder: true });
    const { address } = await r0.next((e) => e.event === 'ready');
    const seeds = [address as string];
    const [r1, r2] = [replica('r1', 'r1', { seeds }), replica('r2', 'r2', { seeds })];
    await Promise.all([r1, r2].map((m) => m.next((e) => e.event === 'ready')));
    for (const m of [r0, r1, r2]) m.command({ cmd: 'write', files: 4, batch: 5 });
    await acks(r2, 60);

    // A past instant: the records appended after it (the next 40 appends at least) are outside a cut there.
    const killedAtNs = BigInt(Date.now()) * 1_000_000n;
    r2.kill('SIGKILL');
    await r2.stop(5_000);
    await acks(r0, r0.events.filter((e) => e.event === 'ack').length + 40);
    const r2b = replica('r2', 'r2', { seeds });
    const restarted = (await r2b.next((e) => e.event === 'ready')).stats as Stats;
    expect(restarted.recovery.records).toBeGreaterThan(0);
    // Only the difference moved: records replayed (less those the group never held) plus records fetched make the
    // group's position at its join, which is at most where it stands now (appends after the join apply on top).
    const held = restarted.recovery.records - (restarted.catchUpRemoved as number);
    expect(held + (restarted.catchUpRecords as number)).toBeLessThanOrEqual(restarted.nextSeq);
    r2b.command({ cmd: 'write', files: 4, batch: 5 });
    await acks(r2b, 20);

    const r3 = replica('r3', 'r3', { seeds });
    const fresh = (await r3.next((e) => e.event === 'ready')).stats as Stats;
    expect(fresh.recovery.records).toBe(0);
    // The whole store at its join: at least what the restarted replica held when it was ready.
    expect(fresh.catchUpRecords).toBeGreaterThanOrEqual(restarted.nextSeq);
    expect(fresh.catchUpRecords).toBeLessThanOrEqual(fresh.nextSeq);

    const writers = [r0, r1, r2b];
    await Promise.all(writers.map((m) => ask(m, { cmd: 'stop-writing' }, 'writer-stopped')));
    const everyone = [r0, r1, r2b, r3];
    const settled = await settledStats(everyone);
    const digests = await Promise.all(everyone.map((m) => ask(m, { cmd: 'digest' }, 'digest')));
    expect(new Set(digests.map((d) => d.digest)).size).toBe(1);
    expect(digests[0].records).toBe(settled);
    const stored = new Set(digests[0].keys as string[]);
    const acknowledged = [r0, r1, r2, r2b].flatMap(ackedKeys);
    expect(acknowledged.length).toBeGreaterThan(200);
    expect(acknowledged.filter((k) => !stored.has(k))).toEqual([]);

    const at = { timeNs: String(killedAtNs), clock: 'server' };
    const cuts = await Promise.all(everyone.map((m) => ask(m, { cmd: 'digest', at }, 'digest')));
    expect(new Set(cuts.map((d) => d.digest)).size).toBe(1);
    expect(cuts[0].records).toBeLessThan(settled);
  });
});

/** Waits until every replica applied the same number of records, and returns it. */
async function settledStats(replicas: MemberProcess[]): Promise<number> {
  for (;;) {
    const stats = await Promise.all(replicas.map((m) => ask(m, { cmd: 'stats' }, 'stats')));
    const seqs = new Set(stats.map((s) => (s.stats as Stats).nextSeq));
    if (seqs.size === 1) return [...seqs][0];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
