import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { IngestReport, LateLine, SnapshotLine } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { casePath } from './support/data-files';

/**
 * Real processes: one PMU simulator serving five PMUs over command-driven
 * TCP, a second one sending two-PMU substation frames spontaneously over UDP
 * with a dropout and a GPS unlock, and the ingest aligning all of them.
 */
const CASE14 = casePath('case14');
const RUN_MS = 5000;

interface TruthLine {
  type: string;
  timeSec?: number;
  busIds?: number[];
  vm?: number[];
  va?: number[];
  pmus?: { idcode: number; busId: number }[];
}

describe('ingest with pmu-sim over TCP and UDP (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-proc-'));
  const procs: LocalProcess[] = [];
  let snapshots: SnapshotLine[] = [];
  let late: LateLine[] = [];
  let report = {} as IngestReport;
  let truthTcp: TruthLine[] = [];
  let truthUdp: TruthLine[] = [];

  beforeAll(async () => {
    const simTcp = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE14,
      '--tcp',
      '127.0.0.1:0',
      '--truth',
      path.join(dir, 'tcp.jsonl'),
      '--seed',
      '1',
    ]);
    procs.push(simTcp);
    const ready = await simTcp.waitFor((l) => l.event === 'ready', 'TCP simulator ready');
    const tcpArgs = (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      '--udp',
      '127.0.0.1:0',
      ...tcpArgs,
      '--align-window-ms',
      '250',
      '--snapshots-out',
      path.join(dir, 'snapshots.jsonl'),
    ]);
    procs.push(ingest);
    const ingestReady = await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    const simUdp = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      CASE14,
      '--udp',
      `127.0.0.1:${ingestReady.udpPort as number}`,
      '--idcode-base',
      '2000',
      '--pmus-per-stream',
      '2',
      '--dropout',
      '2000@1-2',
      '--gps-unlock',
      '2001@0-100',
      '--truth',
      path.join(dir, 'udp.jsonl'),
      '--config-interval-ms',
      '200',
      '--seed',
      '2',
    ]);
    procs.push(simUdp);
    await simUdp.waitFor((l) => l.event === 'ready', 'UDP simulator ready');
    await new Promise((r) => setTimeout(r, RUN_MS));
    await simUdp.stop();
    await simTcp.stop();
    expect(await ingest.stop()).toBe(0);
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as IngestReport;
    ({ snapshots, late } = readSnapshotFile(path.join(dir, 'snapshots.jsonl')));
    truthTcp = readTruth(path.join(dir, 'tcp.jsonl'));
    truthUdp = readTruth(path.join(dir, 'udp.jsonl'));
  }, 120_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('aligns TCP and UDP PMUs into snapshots in timestamp order, each PMU either present or named missing', () => {
    const all = [1000, 1001, 1002, 1003, 1004, 2000, 2001, 2002, 2003, 2004];
    expect(report.expectedPmus).toBe(all.length);
    const full = snapshots.filter((s) => s.pmus.length + s.missing.length === all.length);
    expect(full.length).toBeGreaterThan(30);
    for (const s of full)
      expect([...s.pmus.map((p) => p.idcode), ...s.missing].sort((a, b) => a - b)).toEqual(all);
    expect(full.some((s) => s.complete)).toBe(true);
    const slots = snapshots.map((s) => s.slot);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('hands on every late frame flagged, never inside the snapshot it missed, and counts it', () => {
    const bySlot = new Map(snapshots.map((s) => [s.slot, s]));
    for (const l of late) {
      expect(bySlot.get(l.slot)?.pmus.map((p) => p.idcode) ?? []).not.toContain(l.idcode);
      expect(l.ageMs).toBeGreaterThan(0);
    }
    const counted = (report.quality.pmus as { late: number }[]).reduce((n, p) => n + p.late, 0);
    expect(counted).toBe(late.length);
    expect(report.aligner.framesLate).toBe(late.length);
  });

  it('carries phasors that match the power-flow truth written by the simulator', () => {
    const meta = truthTcp.find((t) => t.type === 'meta')!;
    const truth = truthTcp.find((t) => t.type === 'truth')!;
    const bus = meta.pmus!.find((p) => p.idcode === 1000)!.busId;
    const i = truth.busIds!.indexOf(bus);
    const samples = snapshots.flatMap((s) => s.pmus.filter((p) => p.idcode === 1000));
    expect(samples.length).toBeGreaterThan(30);
    // Magnitude is invariant under the frequency-driven rotation; noise is 0.002 pu per component, drift 3% of load over minutes.
    for (const p of samples.slice(0, 30))
      expect(Math.abs(Math.hypot(p.phasors[0], p.phasors[1]) - truth.vm![i])).toBeLessThan(0.02);
  });

  it('names a dropped-out PMU missing during its dropout, and it returns afterwards', () => {
    const start = truthUdp.find((t) => t.type === 'truth')!.timeSec!;
    const during = snapshots.filter((s) => s.timeSec >= start + 1.1 && s.timeSec < start + 1.9);
    expect(during.length).toBeGreaterThan(10);
    for (const s of during) {
      expect(s.missing).toContain(2000);
      expect(s.pmus.map((p) => p.idcode)).not.toContain(2000);
    }
    expect(snapshots.some((s) => s.timeSec >= start + 2.2 && s.pmus.some((p) => p.idcode === 2000))).toBe(
      true,
    );
    const q = (report.quality.pmus as { pmuId: number; missing: number; dataErrors: number }[]).find(
      (p) => p.pmuId === 2000,
    )!;
    expect(q.dataErrors).toBeGreaterThan(10);
    expect(q.missing).toBeGreaterThanOrEqual(during.length);
  });

  it('reports the GPS-unlocked PMU in its STAT, time quality and statistics', () => {
    const samples = snapshots.flatMap((s) => s.pmus.filter((p) => p.idcode === 2001));
    expect(samples.length).toBeGreaterThan(30);
    for (const p of samples) {
      expect(p.stat & (1 << 13)).not.toBe(0);
      expect(p.timeQuality).not.toBe(0);
    }
    const q = (
      report.quality.pmus as { pmuId: number; syncLost: number; worstTimeQualityCode: number }[]
    ).find((p) => p.pmuId === 2001)!;
    expect(q.syncLost).toBeGreaterThanOrEqual(samples.length);
    expect(q.worstTimeQualityCode).toBeGreaterThan(0);
  });

  it('decodes every frame from the good peers without a single reject', () => {
    for (const s of report.sources as {
      source: string;
      rejects: Record<string, number>;
      configs: number;
    }[]) {
      expect(s.rejects, s.source).toEqual({});
      expect(s.configs, s.source).toBeGreaterThan(0);
    }
    expect(report.quality.unattributedRejects).toEqual({});
  });
});

/**
 * A UDP PMU whose CFG-2 ingest missed (sent before ingest listened, not resent
 * within the run): ingest's session asks for it, pmu-sim answers the command
 * datagram, and pmu-sim's int16 polar phasors, MW/MVAr analogs and breaker
 * words reach the snapshots, the tripped line's bit open from the trip on.
 */
describe('ingest asking a UDP pmu-sim for its configuration, with analogs and breaker words (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-udp-ask-'));
  const procs: LocalProcess[] = [];
  // Late enough that ingest, started a second after the simulator, is up and configured before the trip even when
  // a loaded machine makes its start take several seconds (at 8 s no sample before the trip arrived under load 20).
  const TRIP_S = 15;
  let snapshots: SnapshotLine[] = [];
  let report = {} as IngestReport;
  let simReport: Record<string, unknown> = {};
  let truth: TruthLine[] = [];

  beforeAll(async () => {
    const port = await freeUdpPort();
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      ...['--case', CASE14, '--udp', `127.0.0.1:${port}`, '--config-interval-ms', '3600000'],
      ...['--phasor-format', 'polar-int16', '--analogs', 'line-power', '--digitals', 'breakers'],
      ...['--trip-line', `0@${TRIP_S}`, '--truth', path.join(dir, 'truth.jsonl'), '--seed', '4'],
    ]);
    procs.push(sim);
    await sim.waitFor((l) => l.event === 'ready', 'UDP simulator ready');
    const simStartMs = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...['--udp', `127.0.0.1:${port}`, '--align-window-ms', '250', '--config-timeout-ms', '500'],
      ...['--snapshots-out', path.join(dir, 'snapshots.jsonl')],
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    await new Promise((r) => setTimeout(r, Math.max(2000, simStartMs + (TRIP_S + 2) * 1000 - Date.now())));
    expect(await ingest.stop()).toBe(0);
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as IngestReport;
    await sim.stop();
    simReport = await sim.waitFor((l) => l.event === 'stopped', 'simulator report');
    ({ snapshots } = readSnapshotFile(path.join(dir, 'snapshots.jsonl')));
    truth = readTruth(path.join(dir, 'truth.jsonl'));
  }, 120_000);

  afterAll(() => {
    for (const p of procs) p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks the sender for CFG-2, which pmu-sim answers, and then aligns its PMUs', () => {
    const udp = report.sources.find((s) => s.source.startsWith('udp:'))!;
    expect(udp.configRequests).toBeGreaterThan(0);
    expect(udp.configs).toBeGreaterThan(0);
    expect(udp.state).toBe('streaming');
    expect((simReport.udp as { repliesSent: number }).repliesSent).toBeGreaterThan(0);
    expect(snapshots.filter((s) => s.complete).length).toBeGreaterThan(30);
  });

  it('hands on MW/MVAr and breaker words with each sample; the tripped branch opens from the trip on', () => {
    const tripAt = truth.find(
      (t) => t.type === 'truth' && (t as { cause?: string }).cause === 'trip',
    )!.timeSec!;
    const samples = snapshots.flatMap((s) =>
      s.pmus.filter((p) => p.idcode === 1000).map((p) => ({ timeSec: s.timeSec, ...p })),
    );
    expect(samples.length).toBeGreaterThan(30);
    for (const p of samples) {
      expect(p.analogs!.length).toBeGreaterThan(0);
      // PMU 1000 sits at bus 1, whose first branch end is branch 0: its breaker is bit 0 of the first word.
      expect(p.digitals![0] & 1).toBe(p.timeSec < tripAt ? 1 : 0);
    }
    expect(samples.some((p) => p.timeSec >= tripAt)).toBe(true);
    expect(samples.some((p) => p.timeSec < tripAt)).toBe(true);
    // int16 polar voltages in per unit: near 1.
    expect(Math.hypot(samples[0].phasors[0], samples[0].phasors[1])).toBeGreaterThan(0.9);
  });
});

/** The simulator's --truth file, a JSON object a line. */
function readTruth(file: string): TruthLine[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TruthLine);
}

/** A UDP port nothing listens on now (bound, then released), for a sender that starts before its receiver. */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const port = socket.address().port;
  await new Promise<void>((r) => socket.close(r));
  return port;
}
