import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { IngestReport } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { freePort } from '@gridcloud/command-line';
import { casePath } from './support/data-files';

/**
 * A PMU changes its configuration mid-stream: it announces the change with
 * STAT bit 10, then bumps CFGCNT and drops a channel. The ingest must ask
 * for the new CFG-2, pick it up, and carry on with the new channel list.
 */
const CASE14 = casePath('case14');
/** Late enough after the simulator starts for the ingest to be streaming by then, even on a loaded machine. */
const CHANGE_AT_S = 6;

describe('ingest follows a CFGCNT change (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-cfg-'));
  const procs: LocalProcess[] = [];
  let report = {} as IngestReport;
  let stderr = '';
  let samples: { phasors: number[]; timeSec: number }[] = [];
  let changeAtSec = 0;

  beforeAll(async () => {
    // The ingest starts first and retries until the simulator listens, so the change at CHANGE_AT_S finds it streaming.
    const port = await freePort();
    const targets = [1000, 1001, 1002, 1003, 1004].flatMap((id) => ['--tcp', `${id}@127.0.0.1:${port}`]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      '--snapshots-out',
      path.join(dir, 'snapshots.jsonl'),
      '--align-window-ms',
      '200',
      '--stats-interval-ms',
      '200',
      '--reconnect-min-ms',
      '50',
      '--reconnect-max-ms',
      '200',
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE14,
      '--tcp',
      `127.0.0.1:${port}`,
      '--config-change',
      `1000@${CHANGE_AT_S}`,
      '--truth',
      path.join(dir, 'truth.jsonl'),
    ]);
    procs.push(sim);
    await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    await ingest.waitFor(
      (l) => l.event === 'stats' && l.expectedPmus === 5,
      'ingest streaming from all five PMUs',
    );
    const start = JSON.parse(
      fs
        .readFileSync(path.join(dir, 'truth.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes('"type":"truth"'))!,
    ).timeSec as number;
    changeAtSec = start + CHANGE_AT_S;
    const untilChangeMs = changeAtSec * 1000 - Date.now();
    if (untilChangeMs < 1500)
      throw new Error(
        `the ingest was streaming only ${untilChangeMs} ms before the configuration change (need 1500); raise CHANGE_AT_S`,
      );
    await new Promise((r) => setTimeout(r, untilChangeMs + 2500));
    await ingest.stop();
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as IngestReport;
    stderr = ingest.stderr;
    await sim.stop();
    samples = readSnapshotFile(path.join(dir, 'snapshots.jsonl')).snapshots.flatMap((s) =>
      s.pmus
        .filter((p: { idcode: number }) => p.idcode === 1000)
        .map((p: { phasors: number[] }) => ({ phasors: p.phasors, timeSec: s.timeSec })),
    );
  }, 120_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks again for CFG-2 and reports the new CFGCNT', () => {
    const source = (report.sources as { source: string; configs: number }[]).find((s) =>
      s.source.startsWith('tcp:1000@'),
    )!;
    expect(source.configs).toBeGreaterThanOrEqual(2);
    expect(stderr).toMatch(/tcp:1000@[^:]+:\d+: CFGCNT 1 -> 2/);
  });

  it('keeps aligning the PMU with its old channel list before the change and its new one after', () => {
    const before = samples.filter((s) => s.timeSec < changeAtSec);
    const after = samples.filter((s) => s.timeSec >= changeAtSec);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(10);
    const width = before[0].phasors.length;
    for (const s of before) expect(s.phasors).toHaveLength(width);
    for (const s of after) expect(s.phasors).toHaveLength(width - 2);
  });

  it('leaves the other PMUs untouched', () => {
    for (const s of report.sources as {
      source: string;
      rejects: Record<string, number>;
      configs: number;
    }[]) {
      if (s.source.startsWith('tcp:1000@')) continue;
      expect(s.rejects, s.source).toEqual({});
      expect(s.configs, s.source).toBe(1);
    }
  });
});
