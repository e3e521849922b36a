import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildConfig, encodeFrame } from '@gridcloud/c37118';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { SnapshotLine } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { UdpAttacker } from './hostile/hostile-rig';
import { casePath } from './support/data-files';

/**
 * The simulator streams case118 at 60 frames/s with every PMU in as few
 * streams as fit (one, IDCODE 61000, known before it starts); the ingest is
 * given no --fps and aligns at the rate the configuration announces. A
 * sender at a rate that does not fit is refused, saying why.
 */
const CASE118 = casePath('case118');
const STREAM = 61_000;
const CASE118_GREEDY_PMUS = 36;

describe('ingest aligns at the configuration DATA_RATE (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-rate-'));
  const procs: LocalProcess[] = [];
  let snapshots: SnapshotLine[] = [];
  let stats: Record<string, unknown> = {};
  let report: { sources: { source: string; refused: Record<string, number>; recentErrors: string[] }[] } = {
    sources: [],
  };

  beforeAll(async () => {
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE118,
      '--fps',
      '60',
      '--pmus-per-stream',
      'all',
      '--stream-idcode-base',
      String(STREAM),
      '--tcp',
      '127.0.0.1:0',
    ]);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    expect(ready.streams).toEqual([{ idcode: STREAM, pmus: expect.any(Array) }]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      '--tcp',
      `${STREAM}@127.0.0.1:${ready.tcpPort as number}`,
      '--udp',
      '127.0.0.1:0',
      '--align-window-ms',
      '200',
      '--stats-interval-ms',
      '250',
      '--snapshots-out',
      path.join(dir, 'snapshots.jsonl'),
    ]);
    procs.push(ingest);
    const { udpPort } = (await ingest.waitFor((l) => l.event === 'ready', 'ingest ready')) as {
      udpPort: number;
    };
    await ingest.waitFor(
      (l) => l.event === 'stats' && l.expectedPmus === CASE118_GREEDY_PMUS,
      'ingest aligning every PMU',
    );
    const at50 = new UdpAttacker(udpPort);
    await at50.send(
      encodeFrame(
        buildConfig({ idcode: 5, dataRate: 50, pmus: [{ stationName: 'AT50', idcode: 5, phasors: ['V'] }] }),
      ),
    );
    at50.close();
    await new Promise((r) => setTimeout(r, 2000));
    stats = [...ingest.lines].reverse().find((l) => l.event === 'stats')!;
    await ingest.stop();
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as never;
    snapshots = readSnapshotFile(path.join(dir, 'snapshots.jsonl')).snapshots;
  }, 120_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('aligns at 60 frames/s without --fps: consecutive complete snapshots are 1/60 s apart', () => {
    expect(stats.alignFramesPerSecond).toBe(60);
    const complete = snapshots.filter((s) => s.complete && s.pmus.length === CASE118_GREEDY_PMUS);
    expect(complete.length).toBeGreaterThan(60);
    const steps = complete
      .slice(1)
      .map((s, i) => Math.round((s.timeSec - complete[i].timeSec) * 60 * 1000) / 1000);
    expect(steps.filter((d) => d === 1).length).toBeGreaterThan(0.9 * steps.length);
  });

  it('refuses a stream at 50 frames/s, saying why, without disturbing the others', () => {
    const sender = report.sources.find((s) => s.source.startsWith('udp:'))!;
    expect(sender.refused.config).toBe(1);
    expect(sender.recentErrors.join('\n')).toMatch(
      /DATA_RATE 50 \(50 frames\/s\) is not a whole multiple of the alignment rate 60 frames\/s/,
    );
    expect(stats.expectedPmus).toBe(CASE118_GREEDY_PMUS);
  });
});
