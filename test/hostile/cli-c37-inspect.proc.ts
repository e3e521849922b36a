/**
 * `bin/gridcloud c37 inspect` on captures an attacker controls: one far
 * longer than memory on a FIFO (the inspector used to read the whole input
 * before looking at it), a record claiming a 4 GiB packet, and a capture
 * whose configurations rename their stations every time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, encodeFrame } from '@gridcloud/c37118';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap } from '../../libs/c37118/src/testing/pcap-builder';
import { oneLine, report, RSS_CEILING_BYTES, runHostile } from './cli-rig';

const dir = mkdtempSync(join(tmpdir(), 'hostile-c37-'));
const GLOBAL_HEADER_BYTES = 24;
/** Larger than the ceiling the test allows the inspector's resident memory. */
const CAPTURE_BYTES = 640 * 1024 * 1024;
const BOUNDED_RSS_BYTES = 320 * 1024 * 1024;

/** Packet records (no global header) of UDP datagrams full of bytes that are not C37.118. */
function noiseRecords(count: number): Buffer {
  const packets = Array.from({ length: count }, () => ({
    protocol: 'udp' as const,
    srcPort: 5000,
    dstPort: 5001,
    payload: new Uint8Array(60_000),
  }));
  return Buffer.from(buildPcap(packets).subarray(GLOBAL_HEADER_BYTES));
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridcloud c37 inspect under hostile captures', () => {
  it('streams a capture longer than its memory bound from a FIFO and counts every packet', async () => {
    const header = Buffer.from(buildPcap([]));
    const chunk = noiseRecords(16);
    const run = await runHostile(dir, ['c37', 'inspect', '@fifo'], {
      head: header,
      chunk,
      totalBytes: CAPTURE_BYTES,
    });
    report(run);
    expect(run.killedForMemory, `peak RSS ${run.peakRssBytes}`).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const packets = (run.fedBytes / chunk.length) * 16;
    expect(run.stdout).toMatch(new RegExp(`^packets +${packets} \\(tcp 0, udp ${packets}, other 0\\)`, 'm'));
    expect(run.peakRssBytes).toBeLessThan(BOUNDED_RSS_BYTES);
    expect(BOUNDED_RSS_BYTES).toBeLessThan(Math.min(CAPTURE_BYTES, RSS_CEILING_BYTES));
  });

  it('refuses a record claiming a 4 GiB packet in one line', async () => {
    const file = join(dir, 'huge-record.pcap');
    const capture = Buffer.from(
      buildPcap([{ protocol: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(8) }]),
    );
    capture.writeUInt32LE(0xffffffff, GLOBAL_HEADER_BYTES + 8);
    writeFileSync(file, capture);
    const run = await runHostile(dir, ['c37', 'inspect', file]);
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toBe(
      `gridcloud c37: '${file}' is not a readable capture: packet record 1 claims 4294967295 bytes, more than maxPacketBytes 262144`,
    );
  });

  it('lists every station of 100 configurations that rename them', async () => {
    const file = join(dir, 'renaming.pcap');
    const configs = Array.from({ length: 100 }, (_, c) =>
      buildConfig({
        idcode: c + 1,
        dataRate: 30,
        pmus: Array.from({ length: 50 }, (_, p) => ({
          stationName: `S${c}.${p}`,
          idcode: c * 50 + p,
          phasors: ['VA'],
        })),
      }),
    );
    writeFileSync(
      file,
      buildPcap(
        configs.map((c) => ({ protocol: 'udp', srcPort: 4713, dstPort: 4713, payload: encodeFrame(c) })),
      ),
    );
    const run = await runHostile(dir, ['c37', 'inspect', file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { stations: string[] };
    expect(last.stations).toHaveLength(5000);
    expect(new Set(last.stations).size).toBe(5000);
  });
});
