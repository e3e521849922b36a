import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { encodeFrame } from '@gridcloud/c37118';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from './support/app-entries';
import type { IngestReport, SourceReport } from '../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../apps/ingest/src/testing/snapshot-file';
import { testConfig, testDataFrame } from '../apps/ingest/src/testing/frames';
import { casePath } from './support/data-files';

/**
 * The ingest connects to a good PMU simulator and, alongside it, to peers
 * that send garbage, a huge FRAMESIZE, wrong CRCs, data before any
 * configuration, truncated frames and one byte at a time; UDP garbage
 * arrives too. Each bad peer gets its own errors and counters; the good
 * PMUs keep streaming into complete snapshots and the process never crashes.
 */
const CASE14 = casePath('case14');
const RUN_MS = 4000;
const SOC = Math.floor(Date.now() / 1000);

type Behaviour = (socket: net.Socket) => void;

function every(socket: net.Socket, ms: number, fn: () => void): void {
  const t = setInterval(() => (socket.destroyed ? clearInterval(t) : fn()), ms);
  socket.on('close', () => clearInterval(t));
  socket.on('error', () => undefined);
}

const garbage: Behaviour = (socket) => {
  const cfg = encodeFrame(testConfig(11, [11]));
  const badCrc = Uint8Array.from(cfg);
  badCrc[badCrc.length - 1] ^= 0x5a;
  const noise = Uint8Array.from({ length: 700 }, (_, i) => (i * 37 + 11) % 251);
  const huge = Uint8Array.from([0xaa, 0x31, 0xff, 0xff, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0]);
  every(socket, 100, () => {
    socket.write(noise);
    socket.write(huge);
    socket.write(badCrc);
  });
};

const dataBeforeConfig: Behaviour = (socket) => {
  const cfg = testConfig(12, [12]);
  let k = 0;
  every(socket, 50, () => socket.write(testDataFrame(cfg, SOC, k++)));
};

const truncated: Behaviour = (socket) => {
  const cfg = encodeFrame(testConfig(13, [13]));
  socket.on('error', () => undefined);
  socket.end(cfg.subarray(0, cfg.length >> 1));
};

const oneByteAtATime: Behaviour = (socket) => {
  const cfg = encodeFrame(testConfig(14, [14]));
  let i = 0;
  every(socket, 200, () => socket.write(cfg.subarray(i % cfg.length, (i++ % cfg.length) + 1)));
};

const peerSockets = new Set<net.Socket>();

function badServer(behaviour: Behaviour): Promise<net.Server> {
  const server = net.createServer((socket) => {
    peerSockets.add(socket);
    socket.on('close', () => peerSockets.delete(socket));
    behaviour(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

describe('ingest beside bad peers (processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-bad-'));
  const procs: LocalProcess[] = [];
  const servers: net.Server[] = [];
  const udp = dgram.createSocket('udp4');
  let report = {} as IngestReport;
  let exitCode: number | null = null;
  let snapshots: { complete: boolean; pmus: { idcode: number }[] }[] = [];
  let alive = false;

  beforeAll(async () => {
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, ['--case', CASE14, '--tcp', '127.0.0.1:0']);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    const good = (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]);
    for (const b of [garbage, dataBeforeConfig, truncated, oneByteAtATime]) servers.push(await badServer(b));
    const bad = servers.flatMap((s, i) => ['--tcp', `${11 + i}@127.0.0.1:${portOf(s)}`]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      '--udp',
      '127.0.0.1:0',
      ...good,
      ...bad,
      '--max-frame-bytes',
      '4096',
      '--config-timeout-ms',
      '300',
      '--max-config-requests',
      '2',
      '--data-timeout-ms',
      '1000',
      '--reconnect-min-ms',
      '100',
      '--reconnect-max-ms',
      '400',
      '--align-window-ms',
      '250',
      '--snapshots-out',
      path.join(dir, 'snapshots.jsonl'),
    ]);
    procs.push(ingest);
    const { udpPort } = (await ingest.waitFor((l) => l.event === 'ready', 'ingest ready')) as {
      udpPort: number;
    };
    const cfg = encodeFrame(testConfig(15, [15]));
    const udpTimer = setInterval(() => {
      udp.send(
        Uint8Array.from({ length: 64 }, (_, i) => (i * 13) % 256),
        udpPort,
        '127.0.0.1',
      );
      udp.send(cfg.subarray(0, 20), udpPort, '127.0.0.1');
    }, 100);
    await new Promise((r) => setTimeout(r, RUN_MS));
    clearInterval(udpTimer);
    alive = ingest.running;
    exitCode = await ingest.stop();
    report = (await ingest.waitFor((l) => l.event === 'stopped', 'final report')) as unknown as IngestReport;
    await sim.stop();
    snapshots = readSnapshotFile(path.join(dir, 'snapshots.jsonl')).snapshots;
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.kill();
    udp.close();
    for (const s of peerSockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function source(idcode: number): SourceReport {
    const found = report.sources.find((s) => s.source.startsWith(`tcp:${idcode}@`));
    if (found === undefined) throw new Error(`no source for IDCODE ${idcode} in the ingest report`);
    return found;
  }

  it('keeps running through all of it and exits cleanly when asked', () => {
    expect(alive).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('keeps the good PMUs streaming into complete snapshots, with no rejects of their own', () => {
    const goodIds = [1000, 1001, 1002, 1003, 1004];
    expect(report.expectedPmus).toBe(goodIds.length);
    const complete = snapshots.filter(
      (s) => s.complete && goodIds.every((id) => s.pmus.some((p) => p.idcode === id)),
    );
    expect(complete.length).toBeGreaterThan(30);
    for (const id of goodIds) expect(source(id).rejects).toEqual({});
  });

  it('counts garbage, an oversized FRAMESIZE and wrong CRCs against the peer that sent them', () => {
    const r = source(11).rejects;
    expect(r['bad-sync']).toBeGreaterThan(0);
    expect(r.oversized).toBeGreaterThan(0);
    expect(r.crc).toBeGreaterThan(0);
  });

  it('refuses data frames that arrive before any configuration', () => {
    expect(source(12).rejects['no-config']).toBeGreaterThan(0);
  });

  it('reports a frame cut short by the peer closing as truncated, and reconnects', () => {
    expect(source(13).rejects.truncated).toBeGreaterThan(0);
    expect(source(13).connects).toBeGreaterThan(1);
  });

  it('gives up on a peer sending one byte at a time and reconnects, holding at most one partial frame', () => {
    const s = source(14);
    expect(s.connects).toBeGreaterThan(1);
    expect(s.recentErrors.some((e) => /no CFG-2 after 2 requests/.test(e))).toBe(true);
  });

  it('counts UDP garbage and truncated datagrams against their sender', () => {
    const udpSources = (report.sources as { source: string; rejects: Record<string, number> }[]).filter((s) =>
      s.source.startsWith('udp:'),
    );
    expect(udpSources).toHaveLength(1);
    expect(udpSources[0].rejects['bad-sync']).toBeGreaterThan(0);
    expect(udpSources[0].rejects.truncated).toBeGreaterThan(0);
  });
});
