import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildConfig, crcCcitt, encodeFrame, type ConfigFrame } from '@gridcloud/c37118';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from '../support/app-entries';
import type { SnapshotLine } from '../../apps/ingest/src/testing/report-types';
import { readSnapshotFile } from '../../apps/ingest/src/testing/snapshot-file';
import { casePath } from '../support/data-files';

/**
 * A real ingest process fed by a real PMU simulator (case14: five PMUs,
 * IDCODEs 1000..1004, over command-driven TCP) with an open UDP port, for
 * attacks over real sockets. The attacker is this test process.
 */
export const CASE14 = casePath('case14');
export const REAL_PMUS = [1000, 1001, 1002, 1003, 1004];

export interface Rig {
  readonly sim: LocalProcess;
  readonly ingest: LocalProcess;
  readonly udpPort: number;
  readonly dir: string;
  /** The latest periodic stats line of the ingest. */
  stats(): Record<string, unknown>;
  snapshots(): SnapshotLine[];
  close(): void;
}

export async function startRig(name: string, extraIngestArgs: readonly string[] = []): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-${name}-`));
  const sim = LocalProcess.tsx(PMU_SIM_ENTRY, ['--case', CASE14, '--tcp', '127.0.0.1:0']);
  const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
  const targets = REAL_PMUS.flatMap((id) => ['--tcp', `${id}@127.0.0.1:${ready.tcpPort as number}`]);
  const ingest = LocalProcess.tsx(INGEST_ENTRY, [
    ...targets,
    '--udp',
    '127.0.0.1:0',
    '--align-window-ms',
    '200',
    '--stats-interval-ms',
    '200',
    '--snapshots-out',
    path.join(dir, 'snapshots.jsonl'),
    ...extraIngestArgs,
  ]);
  const { udpPort } = (await ingest.waitFor((l) => l.event === 'ready', 'ingest ready')) as {
    udpPort: number;
  };
  await ingest.waitFor(
    (l) => l.event === 'stats' && l.expectedPmus === REAL_PMUS.length,
    'ingest aligning the five real PMUs',
  );
  return {
    sim,
    ingest,
    udpPort,
    dir,
    stats: () => [...ingest.lines].reverse().find((l) => l.event === 'stats') ?? {},
    snapshots: () => readSnapshotFile(path.join(dir, 'snapshots.jsonl')).snapshots,
    close: () => {
      ingest.kill();
      sim.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A UDP socket of the attacker's, sending datagrams to the ingest and waiting for each to leave. */
export class UdpAttacker {
  private readonly socket = dgram.createSocket('udp4');

  constructor(private readonly port: number) {}

  send(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.send(bytes, this.port, '127.0.0.1', () => resolve()));
  }

  close(): void {
    this.socket.close();
  }
}

/** A single-PMU configuration like the simulator's, for any stream and PMU IDCODEs. */
export function forgedConfig(stream: number, pmus: readonly number[], phasors = 2): ConfigFrame {
  return buildConfig({
    idcode: stream,
    dataRate: 30,
    pmus: pmus.map((id) => ({
      stationName: `FAKE${id}`,
      idcode: id,
      phasors: Array.from({ length: phasors }, (_, i) => `P${i}`),
    })),
  });
}

/** The encoded configuration with TIME_BASE set to 0 and a CRC that matches, as a hostile peer would send it. */
export function withTimeBaseZero(config: ConfigFrame): Uint8Array {
  const bytes = encodeFrame(config).slice();
  bytes.set([0, 0, 0], 15);
  const crc = crcCcitt(bytes, 0, bytes.length - 2);
  bytes.set([crc >> 8, crc & 0xff], bytes.length - 2);
  return bytes;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 100 ms for up to `ms`; true once it holds. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (check()) return true;
  return check();
}

/** `promise`, or a rejection naming `what` after `ms`: a missing line fails the test quickly instead of at its timeout. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
