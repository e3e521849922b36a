import net from 'node:net';
import { configWireBytes, encodeFrame } from '@gridcloud/c37118';
import { freePort } from '@gridcloud/command-line';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDataFrame } from '../../apps/ingest/src/testing/frames';
import type { IngestReport, SourceReport } from '../../apps/ingest/src/testing/report-types';
import {
  eventually,
  forgedConfig,
  REAL_PMUS,
  sleep,
  startRig,
  UdpAttacker,
  within,
  withTimeBaseZero,
  type Rig,
} from './hostile-rig';

/**
 * Attacks from the hostile-input review, each against a real ingest process
 * streaming five real PMUs from a real simulator, sent over real sockets.
 * Whatever a peer sends, the ingest keeps running, the real PMUs keep their
 * places in the snapshots, and the peer's input is refused and counted
 * against it.
 */
const SOC = () => Math.floor(Date.now() / 1000);

function completeRealSnapshotsAfter(rig: Rig, timeSec: number): number {
  return rig
    .snapshots()
    .filter(
      (s) =>
        s.timeSec > timeSec &&
        REAL_PMUS.every((id) => s.pmus.some((p) => p.idcode === id && p.stream === id)),
    ).length;
}

type HardenedSourceReport = SourceReport & { readonly refused: Record<string, number> };

async function finalReport(
  rig: Rig,
): Promise<Omit<IngestReport, 'sources'> & { sources: HardenedSourceReport[] }> {
  await rig.ingest.stop();
  return (await rig.ingest.waitFor((l) => l.event === 'stopped', 'final report')) as never;
}

/**
 * The most PMUs the ingest expected over the next `ms`: read while the senders are still heard, since a silent
 * sender is forgotten after --udp-source-idle-ms and a single late reading could miss what it held.
 */
async function mostExpectedPmus(rig: Rig, ms: number): Promise<number> {
  let most = 0;
  await eventually(() => {
    most = Math.max(most, rig.stats().expectedPmus as number);
    return false;
  }, ms);
  return most;
}

describe('a CFG-2 with TIME_BASE 0 followed by data frames, over UDP and from a TCP PMU', () => {
  let rig: Rig;
  let pmu: net.Server;
  const peers = new Set<net.Socket>();

  beforeAll(async () => {
    // A TCP "PMU" that answers any command with a TIME_BASE 0 configuration and then streams data.
    const cfg = forgedConfig(78, [78]);
    pmu = net.createServer((socket) => {
      peers.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(withTimeBaseZero(cfg));
        let k = 0;
        const t = setInterval(
          () => (socket.destroyed ? clearInterval(t) : socket.write(testDataFrame(cfg, SOC(), k++))),
          33,
        );
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => pmu.listen(port, '127.0.0.1', r));
    rig = await startRig('timebase', ['--tcp', `78@127.0.0.1:${port}`]);
  }, 60_000);

  afterAll(async () => {
    rig?.close();
    for (const s of peers) s.destroy();
    await new Promise((r) => pmu?.close(r));
  });

  it('keeps running, refuses the configuration as malformed and keeps aligning the real PMUs', async () => {
    const attacker = new UdpAttacker(rig.udpPort);
    const cfg = forgedConfig(77, [77]);
    const startSec = Date.now() / 1000;
    for (let k = 0; k < 30; k += 1) {
      await attacker.send(withTimeBaseZero(cfg));
      await attacker.send(testDataFrame(cfg, SOC(), k));
      await sleep(33);
    }
    attacker.close();
    await sleep(1000);
    expect(rig.ingest.running, `ingest died:\n${rig.ingest.stderr}`).toBe(true);
    expect(completeRealSnapshotsAfter(rig, startSec + 1)).toBeGreaterThan(5);
    const report = await finalReport(rig);
    const udp = report.sources.find((s) => s.source.startsWith('udp:'))!;
    expect(udp.rejects.malformed).toBeGreaterThan(0);
    expect(udp.recentErrors.join('\n')).toMatch(/TIME_BASE is 0/);
    const tcp = report.sources.find((s) => s.source.startsWith('tcp:78@'))!;
    expect(tcp.rejects.malformed).toBeGreaterThan(0);
    expect(report.expectedPmus).toBe(REAL_PMUS.length);
  });
});

describe('a sender announces a real PMU, injects samples for it, then withdraws it', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig('claim');
  }, 60_000);

  afterAll(() => rig?.close());

  it('is refused and counted; the real PMU stays bound to its own stream and keeps reporting', async () => {
    const attacker = new UdpAttacker(rig.udpPort);
    const claim = forgedConfig(901, [1000]);
    await attacker.send(encodeFrame(claim));
    for (let k = 0; k < 15; k += 1) {
      await attacker.send(testDataFrame(claim, SOC(), k));
      await sleep(33);
    }
    // The withdrawal: the same stream now carries another PMU only.
    await attacker.send(encodeFrame(forgedConfig(901, [4242])));
    const afterSec = Date.now() / 1000;
    await sleep(1500);
    attacker.close();
    expect(completeRealSnapshotsAfter(rig, afterSec + 0.5)).toBeGreaterThan(10);
    const injected = rig.snapshots().filter((s) => s.pmus.some((p) => p.stream === 901));
    expect(injected, 'no sample of the intruder reaches a snapshot').toEqual([]);
    const report = await finalReport(rig);
    const intruder = report.sources.find((s) => s.source.startsWith('udp:'))!;
    expect(intruder.refused.pmu).toBeGreaterThanOrEqual(1);
    expect(intruder.refused['unbound-sample']).toBeGreaterThan(0);
    expect(intruder.recentErrors.join('\n')).toMatch(/PMU 1000 is bound to tcp:1000@/);
  });
});

describe('a sender floods configurations: new stream IDCODEs, many PMUs, large channel lists', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig('growth', [
      '--max-pmus-per-source',
      '64',
      '--max-config-bytes-per-source',
      '65536',
      '--udp-source-idle-ms',
      '2500',
      '--max-udp-config-bytes',
      '131072',
    ]);
  }, 60_000);

  afterAll(() => rig?.close());

  it('bounds the PMUs and configuration bytes it takes from one source, and releases them when it falls silent', async () => {
    const attacker = new UdpAttacker(rig.udpPort);
    for (let i = 0; i < 325; i += 1) {
      await attacker.send(
        encodeFrame(
          forgedConfig(
            30_000 + i,
            Array.from({ length: 7 }, (_, j) => 40_000 + 7 * i + j),
          ),
        ),
      );
    }
    const hoarder = new UdpAttacker(rig.udpPort);
    // About 6 KB each: 40 of them are far past 64 KiB of configuration.
    for (let i = 0; i < 40; i += 1)
      await hoarder.send(encodeFrame(forgedConfig(20_000 + i, [20_000 + i], 300)));
    // Each source within its own bounds: 64 PMUs for the first, as many 300-phasor PMUs as 64 KiB holds for the second.
    const bound = REAL_PMUS.length + 64 + Math.floor(65_536 / configWireBytes(forgedConfig(0, [0], 300)));
    const most = await mostExpectedPmus(rig, 1000);
    expect(most, `expected PMUs grew to ${most} (bound ${bound})`).toBeLessThanOrEqual(bound);
    expect(most).toBeGreaterThan(REAL_PMUS.length);
    expect((rig.stats().rejectedFrames as Record<string, number>)['config-limit']).toBeGreaterThan(0);
    expect((rig.stats().refused as Record<string, number>).pmu).toBeGreaterThan(0);
    const released = await eventually(() => rig.stats().expectedPmus === REAL_PMUS.length, 10_000);
    expect(
      released,
      `expected PMUs stayed at ${String(rig.stats().expectedPmus)} after the senders fell silent`,
    ).toBe(true);
    attacker.close();
    hoarder.close();
    expect(rig.ingest.running).toBe(true);
  });

  it('makes many senders share one configuration budget instead of a bound each', async () => {
    const size = configWireBytes(forgedConfig(0, [0], 300));
    const senders = Array.from({ length: 30 }, () => new UdpAttacker(rig.udpPort));
    for (const [n, sender] of senders.entries()) {
      for (let i = 0; i < 3; i += 1)
        await sender.send(encodeFrame(forgedConfig(10_000 + 3 * n + i, [10_000 + 3 * n + i], 300)));
    }
    const bound = REAL_PMUS.length + Math.floor(131_072 / size);
    const most = await mostExpectedPmus(rig, 1000);
    expect(most, `expected PMUs grew to ${most} (bound ${bound})`).toBeLessThanOrEqual(bound);
    expect(most).toBeGreaterThan(REAL_PMUS.length);
    for (const sender of senders) sender.close();
    // Silent senders give their share back: a new sender's configuration fits again.
    expect(await eventually(() => rig.stats().expectedPmus === REAL_PMUS.length, 10_000)).toBe(true);
    const late = new UdpAttacker(rig.udpPort);
    await late.send(encodeFrame(forgedConfig(11_000, [11_000], 300)));
    expect(await eventually(() => rig.stats().expectedPmus === REAL_PMUS.length + 1, 5000)).toBe(true);
    late.close();
  });
});

describe('random bytes over UDP, and a --tcp target nobody listens on', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig('garbage', [
      '--tcp',
      `999@127.0.0.1:${await freePort()}`,
      '--reconnect-min-ms',
      '100',
      '--reconnect-max-ms',
      '200',
    ]);
  }, 60_000);

  afterAll(() => rig?.close());

  it('creates no PMU entry for CRC-failed frames, and the periodic stats show rejected frames and connection errors', async () => {
    const attacker = new UdpAttacker(rig.udpPort);
    let seed = 12345;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i += 1) {
      // A plausible header (SYNC of a data frame, a small FRAMESIZE) over random bytes: each fails its CRC.
      const body = Uint8Array.from({ length: 40 }, random);
      body.set([0xaa, 0x01, 0, 40], 0);
      await attacker.send(body);
    }
    attacker.close();
    // Loopback UDP may drop datagrams under load: enough of them arrive to count, not necessarily all 2000.
    const stats = await within(
      rig.ingest.waitFor(
        (l) =>
          l.event === 'stats' && ((l.rejectedFrames as Record<string, number> | undefined)?.crc ?? 0) >= 200,
        'stats',
      ),
      10_000,
      'periodic stats line counting the CRC failures',
    );
    expect(stats.connectionErrors).toBeGreaterThan(0);
    const report = await finalReport(rig);
    expect(report.quality.pmus.map((p) => p.pmuId)).toEqual(REAL_PMUS);
    expect(report.sources.find((s) => s.source.startsWith('udp:'))!.rejects.crc).toBeGreaterThanOrEqual(200);
  });
});
