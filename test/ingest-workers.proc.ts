import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries, LocalProcess, PROJECT_ROOT } from '@gridcloud/supervision';
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
 * A third runs --workers 2 from the esbuild bundle the cluster runs (its
 * workers are started from inside the bundle) and must give the same.
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
  const out = { single: [] as SnapshotLine[], sharded: [] as SnapshotLine[], bundled: [] as SnapshotLine[] };
  // Inside the project, as the cluster's bundles are: packages are resolved from node_modules above them.
  fs.mkdirSync(path.join(PROJECT_ROOT, '.gridcloud'), { recursive: true });
  const bundleDir = fs.mkdtempSync(path.join(PROJECT_ROOT, '.gridcloud', 'test-bundle-'));
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
    const problems: string[] = [];
    const bundled = (await bundleEntries([INGEST_ENTRY], bundleDir, (t) => problems.push(t))).get(
      INGEST_ENTRY,
    );
    expect(bundled, `the ingest bundle (${problems.join('; ')})`).toBeDefined();
    const args = (name: string, extra: string[]) => [
      ...targets,
      ...['--fps', '30', '--align-window-ms', '400', '--config-timeout-ms', '10000'],
      ...['--stats-interval-ms', '250', '--http-port', 'off'],
      ...['--snapshots-out', path.join(dir, `${name}.jsonl`), ...extra],
    ];
    const single = LocalProcess.tsx(INGEST_ENTRY, args('single', []));
    const sharded = LocalProcess.tsx(INGEST_ENTRY, args('sharded', ['--workers', '2']));
    const fromBundle = LocalProcess.spawn(
      [process.execPath, bundled!, ...args('bundled', ['--workers', '2'])],
      {
        cwd: PROJECT_ROOT,
      },
    );
    procs.push(single, sharded, fromBundle);
    for (const p of [single, sharded, fromBundle])
      await p.waitFor((l) => l.event === 'stats' && l.expectedPmus === PMUS, 'every PMU configured');
    await new Promise((r) => setTimeout(r, RUN_MS));
    await Promise.all([single.stop(), sharded.stop(), fromBundle.stop()]);
    stopped = (await sharded.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as Stopped;
    for (const name of ['single', 'sharded', 'bundled'] as const)
      out[name] = readSnapshotFile(path.join(dir, `${name}.jsonl`)).snapshots;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
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
    for (const sharded of [out.sharded, out.bundled]) {
      const both = sharded.filter((s) => whole(s) && single.has(s.slot));
      expect(both.length).toBeGreaterThan(30);
      for (const s of both) {
        const peer = single.get(s.slot)!;
        expect(s.pmus.map(({ arrivalMs: _a, ...v }) => v)).toEqual(
          peer.pmus.map(({ arrivalMs: _a, ...v }) => v),
        );
      }
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
