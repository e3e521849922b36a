import dgram from 'node:dgram';
import { decodeFrameOrThrow, encodeFrame, type Frame } from '@gridcloud/c37118';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestPipeline } from '../pipeline/ingest-pipeline';
import { SnapshotHub } from '../sinks/snapshot-hub';
import { testConfig, testDataFrame } from '../testing/frames';
import { UdpListener, type UdpLimits } from './udp-listener';

/**
 * Long enough that the second sender's datagram comes while the first still holds the only slot, even on a loaded
 * machine (at 20 ms the first was sometimes forgotten already and the second was not refused).
 */
const IDLE_MS = 400;

function send(socket: dgram.Socket, bytes: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve) => socket.send(bytes, port, '127.0.0.1', () => resolve()));
}

/** Resolves once `check` holds; datagrams on loopback arrive in a few milliseconds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

function pipelineFor(maxFutureMs: number): IngestPipeline {
  return new IngestPipeline(
    { framesPerSecond: 30, alignWindowMs: 50, maxPendingSnapshots: 8, maxFutureMs, maxPmus: 16 },
    new SnapshotHub(),
  );
}

function listenerOf(
  pipeline: IngestPipeline,
  limits: Pick<UdpLimits, 'maxUdpSources' | 'udpSourceIdleMs' | 'maxUdpConfigBytes' | 'session'>,
): UdpListener {
  return new UdpListener(
    { maxFrameBytes: 4096, maxConfigsPerSource: 4, maxConfigBytesPerSource: 4096, ...limits },
    pipeline,
  );
}

describe('UdpListener', () => {
  const sockets: dgram.Socket[] = [];
  let listener: UdpListener | undefined;

  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    listener?.close();
  });

  it('tracks at most maxUdpSources senders, refusing more until one has been silent for udpSourceIdleMs', async () => {
    const pipeline = pipelineFor(1000);
    listener = listenerOf(pipeline, { maxUdpConfigBytes: 8192, maxUdpSources: 1, udpSourceIdleMs: IDLE_MS });
    const port = await listener.bind('127.0.0.1', 0);
    const [garbage, pmu] = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    sockets.push(garbage, pmu);
    await send(garbage, Uint8Array.from([1, 2, 3, 4, 5]), port);
    await until(() => pipeline.sources.size === 1);
    await send(pmu, encodeFrame(testConfig(9, [9])), port);
    await until(() => listener!.refusedDatagrams === 1);
    await new Promise((r) => setTimeout(r, IDLE_MS * 5));
    await send(pmu, encodeFrame(testConfig(9, [9])), port);
    await until(() => pipeline.aligner.expectedPmus.includes(9));
    expect(listener.evictedSources).toBe(1);
    expect(pipeline.sources.get('retired')?.rejects).toEqual({ 'bad-sync': 1 });
    expect([...pipeline.sources.keys()].filter((k) => k.startsWith('udp:'))).toHaveLength(1);
  });

  it('asks a sender whose data arrives undescribed for CFG-2, streams once it answers, and marks it silent', async () => {
    // Frames stamped now: no bound on how far ahead of the aligner they may be.
    const pipeline = pipelineFor(86_400_000);
    listener = listenerOf(pipeline, {
      maxUdpSources: 4,
      udpSourceIdleMs: 60_000,
      session: { configTimeoutMs: 1000, maxConfigRequests: 2, dataTimeoutMs: 100 },
    });
    const port = await listener.bind('127.0.0.1', 0);
    const pmu = dgram.createSocket('udp4');
    sockets.push(pmu);
    const requests: Frame[] = [];
    pmu.on('message', (msg) => requests.push(decodeFrameOrThrow(msg)));
    await new Promise<void>((r) => pmu.bind(0, '127.0.0.1', r));
    const label = `udp:127.0.0.1:${pmu.address().port}`;
    const config = testConfig(9, [9]);
    const soc = Math.floor(Date.now() / 1000);
    await send(pmu, testDataFrame(config, soc, 0), port);
    await until(() => requests.length === 1);
    expect(requests[0]).toMatchObject({ kind: 'cmd', idcode: 9, command: 5 });
    expect(pipeline.sources.get(label)?.state).toBe('awaiting-config');
    await send(pmu, encodeFrame(config), port);
    await send(pmu, testDataFrame(config, soc, 1), port);
    await until(() => pipeline.sources.get(label)?.state === 'streaming');
    await new Promise((r) => setTimeout(r, 150));
    listener.sweep(Date.now());
    expect(pipeline.sources.get(label)).toMatchObject({ state: 'silent', silences: 1, configRequests: 1 });
    // The session asked once; the sender's own CFG-2 answered it, so no second request went out.
    expect(requests).toHaveLength(1);
  });
});
