import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import type { IngestReport, SnapshotLine } from '../../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../../apps/ingest/src/testing/snapshot-file';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from '../support/app-entries';
import { casePath } from '../support/data-files';

/**
 * Real processes: pmu-sim serving int16 polar phasors over command-driven
 * TCP, and ingest run with `--config-frame cfg3 --max-config-requests 1`,
 * so every stream is configured by the simulator's CFG-3 (never a CFG-2) and
 * its int16 phasors are scaled by the CFG-3 PHSCALE factors on their way into
 * snapshots.
 */
const RUN_MS = 4000;

interface TruthLine {
  type: string;
  busIds?: number[];
  vm?: number[];
  pmus?: { idcode: number; busId: number }[];
}

describe('ingest asking pmu-sim for CFG-3 (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-cfg3-'));
  const procs: LocalProcess[] = [];
  let snapshots: SnapshotLine[] = [];
  let report = {} as IngestReport;
  let truth: TruthLine[] = [];

  beforeAll(async () => {
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      casePath('case14'),
      '--tcp',
      '127.0.0.1:0',
      '--phasor-format',
      'polar-int16',
      '--truth',
      path.join(dir, 'truth.jsonl'),
      '--seed',
      '3',
    ]);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    const targets = (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      '--config-frame',
      'cfg3',
      // One request per connection: the first is CFG-3 and none is ever repeated as CFG-2, so every stream that
      // streams was configured by a CFG-3.
      '--max-config-requests',
      '1',
      '--align-window-ms',
      '250',
      '--snapshots-out',
      path.join(dir, 'snapshots.jsonl'),
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    await new Promise((r) => setTimeout(r, RUN_MS));
    await sim.stop();
    expect(await ingest.stop()).toBe(0);
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as IngestReport;
    ({ snapshots } = readSnapshotFile(path.join(dir, 'snapshots.jsonl')));
    truth = fs
      .readFileSync(path.join(dir, 'truth.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TruthLine);
  }, 120_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('configures every stream from CFG-3 and decodes every frame without a reject', () => {
    const sources = report.sources as { source: string; rejects: Record<string, number>; configs: number }[];
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(s.rejects, s.source).toEqual({});
      expect(s.configs, s.source).toBeGreaterThan(0);
    }
    expect(snapshots.filter((s) => s.complete).length).toBeGreaterThan(30);
  });

  it('hands on int16 phasors scaled by the CFG-3 factors: voltage magnitudes match the power-flow truth', () => {
    const meta = truth.find((t) => t.type === 'meta')!;
    const values = truth.find((t) => t.type === 'truth')!;
    let checked = 0;
    for (const pmu of meta.pmus!) {
      const vm = values.vm![values.busIds!.indexOf(pmu.busId)];
      const samples = snapshots.flatMap((s) => s.pmus.filter((p) => p.idcode === pmu.idcode)).slice(0, 10);
      expect(samples.length, `PMU ${pmu.idcode}`).toBeGreaterThan(0);
      // int16 resolution (PHUNIT 5: 5e-5 pu) and the simulator's 0.002 pu noise and slow drift stay well inside this.
      for (const p of samples)
        expect(Math.abs(Math.hypot(p.phasors[0], p.phasors[1]) - vm)).toBeLessThan(0.02);
      checked += samples.length;
    }
    expect(checked).toBeGreaterThan(30);
  });
});
