import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { SnapshotLine } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { casePath } from './support/data-files';

/**
 * One simulator (400 PMUs in 20 streams at 30 frames/s) feeds two ingest
 * processes at once: one on one thread, one with --workers 2 (each worker
 * decoding and aligning 10 streams, the main thread merging by slot). For every
 * slot both released complete, the sharded snapshot is the single-threaded
 * one: the same PMUs in the same order with the same values, none doubled.
 */
const PMUS = 400;
const PER_STREAM = 20;
const RUN_MS = 4000;

interface Stopped {
  expectedPmus: number;
  sources: unknown[];
  shards: { shard: string; pmus: number; partials: number }[];
  shardDropped: { snapshots: number; samples: number };
  quality: { pmus: unknown[] };
}

describe('ingest --workers (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-workers-'));
  const procs: LocalProcess[] = [];
  const out = { single: [] as SnapshotLine[], sharded: [] as SnapshotLine[] };
  let stopped: Stopped;

  beforeAll(async () => {
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', casePath('case118'), '--pmus', String(PMUS), '--pmus-per-stream', String(PER_STREAM)],
      ...['--fps', '30', '--tcp', '127.0.0.1:0', '--http-port', 'off'],
    ]);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    const targets = (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]);
    const start = (name: string, extra: string[]) =>
      LocalProcess.tsx(INGEST_ENTRY, [
        ...targets,
        ...['--fps', '30', '--align-window-ms', '400', '--config-timeout-ms', '10000'],
        ...['--stats-interval-ms', '250', '--http-port', 'off'],
        ...['--snapshots-out', path.join(dir, `${name}.jsonl`), ...extra],
      ]);
    const single = start('single', []);
    const sharded = start('sharded', ['--workers', '2']);
    procs.push(single, sharded);
    for (const p of [single, sharded])
      await p.waitFor((l) => l.event === 'stats' && l.expectedPmus === PMUS, 'every PMU configured');
    await new Promise((r) => setTimeout(r, RUN_MS));
    await Promise.all([single.stop(), sharded.stop()]);
    stopped = (await sharded.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as Stopped;
    out.single = readSnapshotFile(path.join(dir, 'single.jsonl')).snapshots;
    out.sharded = readSnapshotFile(path.join(dir, 'sharded.jsonl')).snapshots;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('releases each slot once, in order, every PMU at most once', () => {
    const slots = out.sharded.map((s) => s.slot);
    for (let i = 1; i < slots.length; i += 1) expect(slots[i]).toBeGreaterThan(slots[i - 1]);
    for (const s of out.sharded) {
      const ids = s.pmus.map((p) => p.idcode);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(ids.length + s.missing.length).toBeLessThanOrEqual(PMUS);
    }
  });

  it('gives, for every slot complete in both once every PMU is configured, the single-threaded snapshot', () => {
    // Before every configuration arrived a snapshot is complete over the PMUs known so far; those are left out.
    const whole = (s: SnapshotLine) => s.complete && s.pmus.length === PMUS;
    const single = new Map(out.single.filter(whole).map((s) => [s.slot, s]));
    const both = out.sharded.filter((s) => whole(s) && single.has(s.slot));
    expect(both.length).toBeGreaterThan(30);
    for (const s of both) {
      const peer = single.get(s.slot)!;
      expect(s.pmus.map(({ arrivalMs: _a, ...v }) => v)).toEqual(
        peer.pmus.map(({ arrivalMs: _a, ...v }) => v),
      );
    }
  });

  it('reports both shards, every source and PMU, and what it dropped', () => {
    expect(stopped.expectedPmus).toBe(PMUS);
    expect(stopped.shards.map((s) => s.pmus)).toEqual([PMUS / 2, PMUS / 2]);
    expect(stopped.shards.every((s) => s.partials > 0)).toBe(true);
    expect(stopped.sources).toHaveLength(PMUS / PER_STREAM);
    expect(stopped.quality.pmus).toHaveLength(PMUS);
    expect(stopped.shardDropped).toEqual({ snapshots: expect.any(Number), samples: expect.any(Number) });
  });
});
