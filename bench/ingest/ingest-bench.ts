/**
 * Ingest end to end: N simulated PMUs (grouped into substation PDC streams)
 * at F frames/s over TCP into the ingest process; measures sustained aligned
 * snapshots/s and the p99 alignment latency (snapshot release minus its
 * timestamp) in steady state. The peer in the same run is the offered rate:
 * the simulator's F instants per second, so keeping up means a ratio of 1.
 * `bench/c37` imports `runIngestBench` for the `ingest` key of its report.
 */
import os from 'node:os';
import { LocalProcess } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from '../../test/support/app-entries';
import { casePath } from '../../test/support/data-files';

export interface IngestBenchOptions {
  readonly pmus: number;
  readonly fps: number;
  readonly pmusPerStream: number;
  /** Steady-state seconds measured, after the warm-up. */
  readonly seconds: number;
  readonly alignWindowMs: number;
}

export const DEFAULT_INGEST_BENCH: IngestBenchOptions = {
  pmus: 3000,
  fps: 30,
  pmusPerStream: 50,
  seconds: 8,
  alignWindowMs: 100,
};

/** The figures of one run; the first four are the benchmark's contract. */
export interface IngestBenchResult {
  readonly pmus: number;
  readonly fps: number;
  readonly snapshotsPerSec: number;
  readonly p99AlignMs: number;
  /** snapshotsPerSec / fps: 1 when the ingest keeps up with the offered rate. */
  readonly ratio: number;
  readonly completePercent: number;
  readonly samplesPerSec: number;
  /** CPU the ingest used per wall second (1 = one core). */
  readonly ingestCpuShare: number;
  readonly loadAverage: number;
}

interface StatsLine {
  atMs: number;
  cpuMs: number;
  expectedPmus: number;
  aligner: {
    snapshots: number;
    released: Record<string, number>;
    missingFrames: number;
    framesPlaced: number;
    framesLate: number;
  };
  alignLatencyMs: { count: number; p50: number; p99: number; max: number };
}

const WARMUP_S = 2;
const CONFIGURE_LIMIT_MS = 60_000;

export async function runIngestBench(o: IngestBenchOptions): Promise<IngestBenchResult> {
  const procs: LocalProcess[] = [];
  try {
    const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
      '--case',
      casePath('case118'),
      '--pmus',
      String(o.pmus),
      '--pmus-per-stream',
      String(o.pmusPerStream),
      '--fps',
      String(o.fps),
      '--tcp',
      '127.0.0.1:0',
      '--max-tcp-clients',
      '65536',
    ]);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    const targets = (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]);
    const ingest = LocalProcess.tsx(INGEST_ENTRY, [
      ...targets,
      '--fps',
      String(o.fps),
      '--align-window-ms',
      String(o.alignWindowMs),
      '--max-pmus',
      String(o.pmus),
      '--stats-interval-ms',
      '1000',
    ]);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    const configured = ingest.waitFor(
      (l) => l.event === 'stats' && (l as unknown as StatsLine).expectedPmus === o.pmus,
      `all ${o.pmus} PMUs configured`,
    );
    await Promise.race([
      configured,
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `ingest did not see all ${o.pmus} PMU configurations within ${CONFIGURE_LIMIT_MS} ms`,
              ),
            ),
          CONFIGURE_LIMIT_MS,
        ),
      ),
    ]);
    const firstIndex = ingest.lines.length;
    await new Promise((r) => setTimeout(r, (o.seconds + WARMUP_S) * 1000));
    const stats = ingest.lines.slice(firstIndex).filter((l) => l.event === 'stats') as unknown as StatsLine[];
    const steady = stats.slice(WARMUP_S);
    if (steady.length < 2)
      throw new Error(`only ${steady.length} steady-state stats lines; run longer (seconds)`);
    return summarise(o, steady);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

function summarise(o: IngestBenchOptions, steady: StatsLine[]): IngestBenchResult {
  const a = steady[0];
  const b = steady[steady.length - 1];
  const dtMs = b.atMs - a.atMs;
  const snapshotsPerSec = ((b.aligner.snapshots - a.aligner.snapshots) * 1000) / dtMs;
  const released = b.aligner.snapshots - a.aligner.snapshots;
  const complete = b.aligner.released.complete - a.aligner.released.complete;
  return {
    pmus: o.pmus,
    fps: o.fps,
    snapshotsPerSec: round2(snapshotsPerSec),
    // The worst interval's p99 rather than an average of percentiles, which would flatter a bad second.
    p99AlignMs: round2(Math.max(...steady.slice(1).map((s) => s.alignLatencyMs.p99))),
    ratio: round2(snapshotsPerSec / o.fps),
    completePercent: round2((100 * complete) / Math.max(1, released)),
    samplesPerSec: Math.round(((b.aligner.framesPlaced - a.aligner.framesPlaced) * 1000) / dtMs),
    ingestCpuShare: round2((b.cpuMs - a.cpuMs) / dtMs),
    loadAverage: round2(os.loadavg()[0]),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
