/**
 * Ingest's per-sample CPU cost in one process, without sockets or simulators: N PMUs in streams of P PMUs at F
 * frames/s, encoded once, fed through one `StreamDecoder` per stream into `IngestPipeline` (registry, quality
 * statistics, aligner, snapshot release) in timestamp order, each frame at its instant plus a few milliseconds.
 * The peer in the same run is the decoder alone on the same bytes (SYNC scan, CRC, decode into the reused view),
 * the floor of any ingest: the report gives both in CPU microseconds per sample and their ratio. CPU time, not wall
 * time, is measured, so other work on a loaded machine disturbs the figures less than an end-to-end run.
 *
 *   npx tsx bench/ingest/pipeline-bench.ts [--pmus 10000] [--fps 60] [--pmus-per-stream 50] [--seconds 10] [--json]
 */
import {
  buildConfig,
  crcCcitt,
  encodeFrame,
  dataFrameFromMeasurements,
  StreamDecoder,
} from '@gridcloud/c37118';
import type { ConfigFrame } from '@gridcloud/c37118';
import { IngestPipeline } from '../../apps/ingest/src/pipeline/ingest-pipeline';
import type { Snapshot, SnapshotSink } from '../../apps/ingest/src/sinks/snapshot-sink';

interface PipelineBenchOptions {
  readonly pmus: number;
  readonly fps: number;
  readonly pmusPerStream: number;
  /** Seconds of frames fed, each second's frames re-stamped from one encoded second. */
  readonly seconds: number;
}

const SOC0 = 1_800_000_000;
/** Arrival after the frame's instant, as a PMU on a LAN would see it. */
const ARRIVAL_DELAY_MS = 5;
const MAX_FRAME_BYTES = 65_535;
const PHASORS = ['VA', 'IA', 'IB'];

class CountingSink implements SnapshotSink {
  snapshots = 0;
  complete = 0;
  samples = 0;
  publish(s: Snapshot): void {
    this.snapshots += 1;
    if (s.complete) this.complete += 1;
    this.samples += s.values.length;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function configs(o: PipelineBenchOptions): ConfigFrame[] {
  const out: ConfigFrame[] = [];
  for (let first = 0; first < o.pmus; first += o.pmusPerStream) {
    const ids = Array.from({ length: Math.min(o.pmusPerStream, o.pmus - first) }, (_, i) => 1000 + first + i);
    out.push(
      buildConfig({
        idcode: 40_000 + out.length,
        dataRate: o.fps,
        pmus: ids.map((id) => ({ stationName: `PMU${id}`, idcode: id, phasors: PHASORS })),
      }),
    );
  }
  return out;
}

/** One second of frames: frames[k][s] is stream s's frame for instant k of second SOC0. */
function oneSecond(cfgs: readonly ConfigFrame[], fps: number): Uint8Array[][] {
  return Array.from({ length: fps }, (_, k) =>
    cfgs.map((c) => {
      const time = { soc: SOC0, fracsec: Math.round((k * 1_000_000) / fps) };
      const m = c.pmus.map((_, i) => ({
        stat: 0,
        phasors: [1 + k / 1000, i / 100, 0.5, -0.1, 0.2, 0.3],
        freqHz: 60,
        rocofHzPerS: 0,
      }));
      return encodeFrame(dataFrameFromMeasurements(c, time, m), c);
    }),
  );
}

/** Re-stamps a data frame's SOC (bytes 6-9) and recomputes its CHK. */
function stamp(frame: Uint8Array, soc: number): void {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  v.setUint32(6, soc);
  v.setUint16(frame.length - 2, crcCcitt(frame, 0, frame.length - 2));
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Feeds every second through `push(stream, frame, nowMs)`; returns the CPU microseconds spent in it. */
function feed(
  o: PipelineBenchOptions,
  frames: Uint8Array[][],
  push: (stream: number, frame: Uint8Array, nowMs: number) => void,
): number {
  let spent = 0;
  for (let sec = 0; sec < o.seconds; sec += 1) {
    for (const instant of frames) for (const f of instant) stamp(f, SOC0 + 1 + sec);
    const t0 = cpuUs();
    for (let k = 0; k < frames.length; k += 1) {
      const nowMs = (SOC0 + 1 + sec) * 1000 + (k * 1000) / o.fps + ARRIVAL_DELAY_MS;
      const instant = frames[k];
      for (let s = 0; s < instant.length; s += 1) push(s, instant[s], nowMs);
    }
    spent += cpuUs() - t0;
  }
  return spent;
}

function runDecoderOnly(
  o: PipelineBenchOptions,
  cfgs: readonly ConfigFrame[],
  frames: Uint8Array[][],
): number {
  let views = 0;
  const ds = cfgs.map((c) => {
    const d = new StreamDecoder({ maxFrameBytes: MAX_FRAME_BYTES }, { onData: () => (views += 1) });
    d.push(encodeFrame(c));
    return d;
  });
  const us = feed(o, frames, (s, f) => ds[s].push(f));
  if (views !== o.seconds * o.fps * cfgs.length) throw new Error(`decoder saw ${views} data frames`);
  return us;
}

function runPipeline(
  o: PipelineBenchOptions,
  cfgs: readonly ConfigFrame[],
  frames: Uint8Array[][],
): { us: number; sink: CountingSink } {
  const sink = new CountingSink();
  const pipeline = new IngestPipeline(
    {
      framesPerSecond: o.fps,
      alignWindowMs: 100,
      maxPendingSnapshots: 64,
      maxFutureMs: 2000,
      maxPmus: o.pmus,
    },
    sink,
  );
  let now = 0;
  const ds = cfgs.map((c) => {
    const label = `tcp:${c.idcode}`;
    const d = new StreamDecoder(
      { maxFrameBytes: MAX_FRAME_BYTES },
      {
        onData: (view) => pipeline.onData(view, label, now),
        onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, label, now, true) : undefined),
      },
    );
    d.push(encodeFrame(c));
    return d;
  });
  const us = feed(o, frames, (s, f, nowMs) => {
    now = nowMs;
    ds[s].push(f);
  });
  pipeline.flush(now + 1000);
  return { us, sink };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`bench/ingest/pipeline-bench: --${name} must be a positive integer\n`);
    process.exit(2);
  }
  return v;
}

function main(): void {
  const o: PipelineBenchOptions = {
    pmus: flag('pmus', 10_000),
    fps: flag('fps', 60),
    pmusPerStream: flag('pmus-per-stream', 50),
    seconds: flag('seconds', 10),
  };
  const cfgs = configs(o);
  const frames = oneSecond(cfgs, o.fps);
  const samples = o.pmus * o.fps * o.seconds;
  // The decoder runs first and last, so a JIT or a neighbour's burst does not favour either side.
  const rawA = runDecoderOnly(o, cfgs, frames);
  const { us, sink } = runPipeline(o, cfgs, frames);
  const rawB = runDecoderOnly(o, cfgs, frames);
  const raw = Math.min(rawA, rawB);
  const r = {
    pmus: o.pmus,
    fps: o.fps,
    pmusPerStream: o.pmusPerStream,
    samples,
    pipelineUsPerSample: round3(us / samples),
    decoderUsPerSample: round3(raw / samples),
    ratio: round3(us / raw),
    pipelineSamplesPerCoreSecond: Math.round((samples * 1e6) / us),
    snapshots: sink.snapshots,
    completeShare: round3(sink.complete / Math.max(1, sink.snapshots)),
    alignedSamples: sink.samples,
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
  if (!process.argv.includes('--json'))
    process.stdout.write(
      `ingest pipeline: ${o.pmus} PMUs x ${o.fps} fps in streams of ${o.pmusPerStream}: ` +
        `${r.pipelineUsPerSample} us CPU per sample (${(r.pipelineSamplesPerCoreSecond / 1000).toFixed(0)}k ` +
        `samples per core-second), decoder alone ${r.decoderUsPerSample} us (ratio ${r.ratio}); ` +
        `${r.snapshots} snapshots, ${(100 * r.completeShare).toFixed(1)}% complete\n`,
    );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main();
