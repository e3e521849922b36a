/**
 * Ingest end to end: N simulated PMUs (grouped into substation PDC streams)
 * at F frames/s over TCP into the ingest process; measures sustained aligned
 * samples and snapshots per second, the share of complete snapshots and the
 * p99 alignment latency (snapshot release minus its timestamp) in steady
 * state, and each process's CPU and memory. The peer in the same run is the
 * offered rate: the simulator's instants per second times its PMUs, so
 * keeping up means a ratio of 1. `bench/c37` imports `runIngestBench` for the
 * `ingest` key of its report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quantileOfBuckets } from '@gridcloud/pdc';
import { LocalProcess, PROJECT_ROOT } from '@gridcloud/supervision';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from '../../test/support/app-entries';
import { casePath } from '../../test/support/data-files';

export interface IngestBenchOptions {
  readonly pmus: number;
  readonly fps: number;
  readonly pmusPerStream: number;
  /** Steady-state seconds measured, after the warm-up. */
  readonly seconds: number;
  readonly alignWindowMs: number;
  /** Ingest worker threads (its --workers; 0: one thread). */
  readonly workers: number;
  /** pmu-sim processes sharing the PMUs (disjoint IDCODE ranges): one simulator tops out below the loads measured. */
  readonly simProcesses: number;
  /** When set, the ingest process writes a V8 CPU profile (`--cpu-prof`) into this directory when it stops. */
  readonly cpuProfDir?: string;
}

export const DEFAULT_INGEST_BENCH: IngestBenchOptions = {
  pmus: 3000,
  fps: 30,
  pmusPerStream: 50,
  seconds: 8,
  alignWindowMs: 100,
  workers: 0,
  simProcesses: 1,
};

/** CPU a process used per wall second (100 = one core) and its resident memory at the end. */
export interface ProcessUse {
  readonly cpuPercent: number;
  readonly rssMb: number;
}

/** The figures of one run; the first four are bench/c37's contract. */
export interface IngestBenchResult {
  readonly pmus: number;
  readonly fps: number;
  readonly snapshotsPerSec: number;
  /** The p99 of every snapshot's alignment latency over the steady run (the interval histograms summed). */
  readonly p99AlignMs: number;
  /** The worst steady second's p99: with 60 snapshots a second, about that second's slowest snapshot. */
  readonly worstSecondP99AlignMs: number;
  /** The median second's median alignment latency: where a typical snapshot stands against the worst second. */
  readonly p50AlignMs: number;
  /** Each steady second's p99 alignment latency, in order: shows whether the worst second is one stall or many. */
  readonly p99AlignMsPerSecond: readonly number[];
  /** Per steady second: the ingest's longest garbage-collection pause and its event loop's worst delay, in ms. */
  /** Per steady second, the worst over the simulators: event-loop delay and longest collection pause, in ms. */
  readonly simPausesPerSecond: { readonly loopMaxMs: readonly number[]; readonly gcMaxMs: readonly number[] };
  readonly ingestPausesPerSecond: {
    readonly gcMaxMs: readonly number[];
    readonly loopMaxMs: readonly number[];
    /** Milliseconds paused per second in minor and major collections. */
    readonly gcMinorMs: readonly number[];
    readonly gcMajorMs: readonly number[];
  };
  /** snapshotsPerSec / fps: 1 when the ingest keeps up with the offered rate. */
  readonly ratio: number;
  readonly completePercent: number;
  readonly workers: number;
  /** PMU samples the simulator produced per second (its instants sent times its PMUs). */
  readonly offeredSamplesPerSec: number;
  /** PMU samples placed in snapshots per second. */
  readonly alignedSamplesPerSec: number;
  /** Complete snapshots over all released, 0 to 1. */
  readonly completeShare: number;
  /** pmuSim: over all simulator processes. */
  readonly cpuPercent: { readonly ingest: number; readonly pmuSim: number };
  readonly rssMb: { readonly ingest: number; readonly pmuSim: number };
  readonly simProcesses: number;
  /** The simulators' own ceiling per core: offered samples per second per core of simulator CPU. */
  readonly simSamplesPerSecPerCore: number;
  /** Ingest CPU per aligned sample, in microseconds: the figure load on the machine disturbs least. */
  readonly ingestCpuUsPerSample: number;
  /** Instants the simulator could not send on time (its own ceiling reached). */
  readonly simSlotsSkipped: number;
  readonly simEventLoopP99Ms: number;
  /** Samples shard workers dropped because the merge fell behind (--max-shard-queue). */
  readonly shardDroppedSamples: number;
  readonly loadAverage: number;
  /** Kept for bench/c37: ingest CPU per wall second (1 = one core). */
  readonly ingestCpuShare: number;
  readonly samplesPerSec: number;
}

interface StatsLine {
  atMs: number;
  expectedPmus: number;
  aligner: {
    snapshots: number;
    released: Record<string, number>;
    framesPlaced: number;
  };
  alignLatencyMs: { count: number; p50: number; p99: number; max: number; buckets?: [number, number][] };
  eventLoopDelayMs?: { p99: number; max: number };
  gcPauses?: { count: number; totalMs: number; maxMs: number; minorMs: number; majorMs: number };
  shardDropped?: { samples: number };
}

interface SimStats {
  atMs: number;
  slotsSent: number;
  slotsSkipped: number;
  eventLoopDelayMs: { p99: number; max: number };
  gcPauses?: { maxMs: number; minorMs: number; majorMs: number };
}

const WARMUP_S = 3;
const STREAM_IDCODE_BASE = 40_000;
const CONFIGURE_LIMIT_MS = 90_000;
/** CFG-2 answers come slowly from a simulator busy with thousands of PMUs on a loaded machine. */
const CONFIG_TIMEOUT_MS = 10_000;

export async function runIngestBench(o: IngestBenchOptions): Promise<IngestBenchResult> {
  const procs: LocalProcess[] = [];
  try {
    const sims = Array.from({ length: o.simProcesses }, (_, k) => startSim(o, k));
    procs.push(...sims);
    const readies = await Promise.all(
      sims.map((sim) => sim.waitFor((l) => l.event === 'ready', 'simulator ready')),
    );
    const ingest = startIngest(o, readies);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    await withLimit(
      ingest.waitFor(
        (l) => l.event === 'stats' && (l as unknown as StatsLine).expectedPmus === o.pmus,
        `all ${o.pmus} PMUs configured`,
      ),
      CONFIGURE_LIMIT_MS,
      `ingest did not see all ${o.pmus} PMU configurations within ${CONFIGURE_LIMIT_MS} ms`,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; ${configureProgress(ingest, sims)}`);
    });
    await sleep(WARMUP_S * 1000);
    const from = { ingest: ingest.lines.length, sims: sims.map((sim) => sim.lines.length), at: Date.now() };
    const cpu0 = { ingest: cpuMsOf(ingest.pid), sim: sumOf(sims, (sim) => cpuMsOf(sim.pid)) };
    await sleep(o.seconds * 1000);
    const wallMs = Date.now() - from.at;
    const use = {
      ingest: { cpuPercent: percent(cpuMsOf(ingest.pid) - cpu0.ingest, wallMs), rssMb: rssMbOf(ingest.pid) },
      pmuSim: {
        cpuPercent: percent(sumOf(sims, (sim) => cpuMsOf(sim.pid)) - cpu0.sim, wallMs),
        rssMb: sumOf(sims, (sim) => rssMbOf(sim.pid)),
      },
    };
    const stats = ingest.lines
      .slice(from.ingest)
      .filter((l) => l.event === 'stats') as unknown as StatsLine[];
    const simStats = sims.map(
      (sim, k) => sim.lines.slice(from.sims[k]).filter((l) => l.event === 'stats') as unknown as SimStats[],
    );
    if (stats.length < 2 || simStats.some((s) => s.length < 2))
      throw new Error(
        `ingest wrote ${stats.length} stats lines and the simulators ${simStats.map((x) => x.length).join(', ')} in ` +
          `${o.seconds} s (one a second each expected): a process this late is overloaded, or the run is too short`,
      );
    return summarise(o, stats, simStats, use);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Where configuration stood: the ingest's last stats (PMUs configured, sources' totals) and the simulators' lag. */
function configureProgress(ingest: LocalProcess, sims: readonly LocalProcess[]): string {
  const last = ingest.lines.filter((l) => l.event === 'stats').at(-1) as Record<string, unknown> | undefined;
  const simLag = sims.map((sim) => {
    const s = sim.lines.filter((l) => l.event === 'stats').at(-1) as unknown as SimStats | undefined;
    return s?.eventLoopDelayMs.p99;
  });
  return (
    `last ingest stats: ${JSON.stringify({
      expectedPmus: last?.expectedPmus,
      sources: last?.sources,
      connectionErrors: last?.connectionErrors,
      disconnects: last?.disconnects,
      rejectedFrames: last?.rejectedFrames,
    })}; ` + `simulators' event-loop p99 ms ${JSON.stringify(simLag)}`
  );
}

function sumOf<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((n, item) => n + f(item), 0);
}

/** Simulator k of `simProcesses`: its share of the PMUs, IDCODEs and stream IDCODEs clear of the others'. */
function simShare(
  o: IngestBenchOptions,
  k: number,
): { pmus: number; idcodeBase: number; streamBase: number } {
  const per = Math.ceil(o.pmus / o.simProcesses);
  const pmus = Math.min(per, o.pmus - k * per);
  return {
    pmus,
    idcodeBase: 1000 + k * per,
    streamBase: STREAM_IDCODE_BASE + k * Math.ceil(per / o.pmusPerStream),
  };
}

function startSim(o: IngestBenchOptions, k: number): LocalProcess {
  const share = simShare(o, k);
  return LocalProcess.tsx(PMU_SIM_ENTRY, [
    ...['--case', casePath('case118'), '--pmus', String(share.pmus)],
    ...['--idcode-base', String(share.idcodeBase), '--stream-idcode-base', String(share.streamBase)],
    ...['--pmus-per-stream', String(o.pmusPerStream), '--fps', String(o.fps)],
    ...['--tcp', '127.0.0.1:0', '--max-tcp-clients', '65536'],
    ...['--stats-interval-ms', '1000', '--http-port', 'off'],
  ]);
}

function startIngest(o: IngestBenchOptions, readies: readonly Record<string, unknown>[]): LocalProcess {
  const targets = readies.flatMap((ready) =>
    (ready.streams as { idcode: number }[]).flatMap((s) => [
      '--tcp',
      `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
    ]),
  );
  const args = [
    ...targets,
    ...['--fps', String(o.fps), '--align-window-ms', String(o.alignWindowMs)],
    ...['--max-pmus', String(o.pmus), '--max-pmus-per-source', String(o.pmus)],
    ...['--workers', String(o.workers), '--config-timeout-ms', String(CONFIG_TIMEOUT_MS)],
    ...['--stats-interval-ms', '1000', '--http-port', 'off'],
  ];
  if (o.cpuProfDir === undefined) return LocalProcess.tsx(INGEST_ENTRY, args);
  // Node refuses --cpu-prof in NODE_OPTIONS, so the profiled ingest is started with node's own flags.
  return LocalProcess.spawn(
    [
      process.execPath,
      '--cpu-prof',
      `--cpu-prof-dir=${o.cpuProfDir}`,
      '--import',
      'tsx',
      INGEST_ENTRY,
      ...args,
    ],
    { cwd: PROJECT_ROOT, env: { TSX_TSCONFIG_PATH: path.join(PROJECT_ROOT, 'tsconfig.json') } },
  );
}

function summarise(
  o: IngestBenchOptions,
  steady: StatsLine[],
  sims: SimStats[][],
  use: { ingest: ProcessUse; pmuSim: ProcessUse },
): IngestBenchResult {
  const a = steady[0];
  const b = steady[steady.length - 1];
  const dtMs = b.atMs - a.atMs;
  const snapshotsPerSec = ((b.aligner.snapshots - a.aligner.snapshots) * 1000) / dtMs;
  const released = b.aligner.snapshots - a.aligner.snapshots;
  const complete = b.aligner.released.complete - a.aligner.released.complete;
  // Each simulator's instants sent times its own PMUs, over its own stats interval.
  const offeredSamplesPerSec = sims
    .map((sim, k) => {
      const [s0, s1] = [sim[0], sim[sim.length - 1]];
      return ((s1.slotsSent - s0.slotsSent) * simShare(o, k).pmus * 1000) / (s1.atMs - s0.atMs);
    })
    .reduce((a, b) => a + b, 0);
  const alignedSamplesPerSec = ((b.aligner.framesPlaced - a.aligner.framesPlaced) * 1000) / dtMs;
  const ingestCpuShare = use.ingest.cpuPercent / 100;
  return {
    pmus: o.pmus,
    fps: o.fps,
    snapshotsPerSec: round2(snapshotsPerSec),
    // The worst interval's p99 rather than an average of percentiles, which would flatter a bad second.
    p99AlignMs: round2(
      quantileOfBuckets(
        steady.slice(1).map((s) => s.alignLatencyMs.buckets ?? []),
        0.99,
      ),
    ),
    worstSecondP99AlignMs: round2(Math.max(...steady.slice(1).map((s) => s.alignLatencyMs.p99))),
    p50AlignMs: round2(median(steady.slice(1).map((s) => s.alignLatencyMs.p50))),
    p99AlignMsPerSecond: steady.slice(1).map((s) => round2(s.alignLatencyMs.p99)),
    simPausesPerSecond: {
      loopMaxMs: worstPerInterval(sims, (s) => s.eventLoopDelayMs.max),
      gcMaxMs: worstPerInterval(sims, (s) => s.gcPauses?.maxMs ?? 0),
    },
    ingestPausesPerSecond: {
      gcMaxMs: steady.slice(1).map((s) => s.gcPauses?.maxMs ?? 0),
      loopMaxMs: steady.slice(1).map((s) => s.eventLoopDelayMs?.max ?? 0),
      gcMinorMs: steady.slice(1).map((s) => s.gcPauses?.minorMs ?? 0),
      gcMajorMs: steady.slice(1).map((s) => s.gcPauses?.majorMs ?? 0),
    },
    ratio: round2(snapshotsPerSec / o.fps),
    completePercent: round2((100 * complete) / Math.max(1, released)),
    workers: o.workers,
    offeredSamplesPerSec: Math.round(offeredSamplesPerSec),
    alignedSamplesPerSec: Math.round(alignedSamplesPerSec),
    completeShare: Math.round((1e5 * complete) / Math.max(1, released)) / 1e5,
    cpuPercent: { ingest: use.ingest.cpuPercent, pmuSim: use.pmuSim.cpuPercent },
    rssMb: { ingest: use.ingest.rssMb, pmuSim: use.pmuSim.rssMb },
    ingestCpuUsPerSample: round2((ingestCpuShare * 1e6) / Math.max(1, alignedSamplesPerSec)),
    simProcesses: o.simProcesses,
    simSamplesPerSecPerCore: Math.round(offeredSamplesPerSec / Math.max(0.001, use.pmuSim.cpuPercent / 100)),
    simSlotsSkipped: sumOf(sims, (sim) => sim[sim.length - 1].slotsSkipped - sim[0].slotsSkipped),
    simEventLoopP99Ms: round2(Math.max(...sims.flat().map((s) => s.eventLoopDelayMs.p99))),
    shardDroppedSamples: (b.shardDropped?.samples ?? 0) - (a.shardDropped?.samples ?? 0),
    loadAverage: round2(os.loadavg()[0]),
    ingestCpuShare: round2(ingestCpuShare),
    samplesPerSec: Math.round(alignedSamplesPerSec),
  };
}

/** User plus system CPU of a process and all its threads, from /proc (Linux), in milliseconds. */
function cpuMsOf(pid: number | undefined): number {
  const fields = readProc(pid, 'stat').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/PID/stat, 12 and 13 after the command name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_S : 0;
}

function rssMbOf(pid: number | undefined): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1];
  return kb === undefined ? 0 : Math.round(Number(kb) / 1024);
}

const CLOCK_TICKS_PER_S = 100;

function readProc(pid: number | undefined, file: string): string {
  if (pid === undefined) return '';
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function percent(cpuMs: number, wallMs: number): number {
  return Math.round((1000 * cpuMs) / wallMs) / 10;
}

async function withLimit<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Interval i's worst over the simulators (their stats lines are matched by position). */
function worstPerInterval(sims: readonly SimStats[][], f: (s: SimStats) => number): number[] {
  const n = Math.min(...sims.map((sim) => sim.length));
  return Array.from({ length: n - 1 }, (_, i) => round2(Math.max(...sims.map((sim) => f(sim[i + 1])))));
}

/** A quantile over several intervals' latency histograms: their buckets summed (a bucket's bound stands for it). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
