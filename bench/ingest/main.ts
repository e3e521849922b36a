/**
 * Ingest benchmark CLI:
 *
 *   npx tsx bench/ingest/main.ts [--pmus 3000] [--fps 30] [--pmus-per-stream 50] [--seconds 8]
 *     [--align-window-ms 100] [--workers 0] [--sim-processes 2] [--sweep] [--json] [--cpu-prof-dir DIR]
 *
 * One run: a readable summary with the offered rate as the peer (on stderr with --json), then one JSON object as
 * the last line: offeredSamplesPerSec, alignedSamplesPerSec, completeShare, p99AlignMs, cpuPercent and rssMb per
 * process, and the rest of IngestBenchResult. `--sweep` runs SWEEP in turn and ends with one JSON line listing
 * every run and `largestHeld`: the largest offered load aligned at >= 99.9% complete snapshots. `--cpu-prof-dir DIR`
 * has the ingest process (only) write a V8 CPU profile into DIR when it stops.
 */
import {
  DEFAULT_INGEST_BENCH,
  runIngestBench,
  type IngestBenchOptions,
  type IngestBenchResult,
} from './ingest-bench';

const SWEEP: readonly { pmus: number; fps: number }[] = [
  { pmus: 3000, fps: 60 },
  { pmus: 10_000, fps: 30 },
  { pmus: 10_000, fps: 60 },
  { pmus: 20_000, fps: 60 },
  { pmus: 10_000, fps: 120 },
];
const HELD_COMPLETE_SHARE = 0.999;
/** Snapshots per offered instant for a load to count as held (a run that drops instants does not). */
const HELD_RATIO = 0.99;
/**
 * One thread by default: on a 2-core machine that also runs the simulators, the fewest CPU microseconds per sample
 * win (measured in the same run at 3,000 PMUs x 30 fps: 1.4 us one thread, 2.5 us with 2 workers, the encode,
 * transfer and merge included); --workers spreads the work where cores are free.
 */
const DEFAULT_WORKERS = 0;
const DEFAULT_SIM_PROCESSES = 2;

function flag(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < min || v > max) {
    process.stderr.write(
      `bench/ingest: --${name} must be a number in [${min}, ${max}], got '${process.argv[i + 1]}'\n`,
    );
    process.exit(2);
  }
  return v;
}

function stringFlag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) {
    process.stderr.write(`bench/ingest: --${name} needs a value\n`);
    process.exit(2);
  }
  return v;
}

function summary(o: IngestBenchOptions, r: IngestBenchResult): string {
  return (
    `ingest: ${r.pmus} PMUs in ${Math.ceil(r.pmus / o.pmusPerStream)} streams at ${r.fps} fps over TCP, ` +
    `${r.workers} worker thread(s); offered ${(r.offeredSamplesPerSec / 1000).toFixed(1)}k samples/s, aligned ` +
    `${(r.alignedSamplesPerSec / 1000).toFixed(1)}k/s; ${r.snapshotsPerSec} snapshots/s vs ${r.fps} offered ` +
    `(ratio ${r.ratio}), ${(100 * r.completeShare).toFixed(2)}% complete, p99 alignment ${r.p99AlignMs} ms ` +
    `(worst second's p99 ${r.worstSecondP99AlignMs} ms, median second's p50 ${r.p50AlignMs} ms) ` +
    `(window ${o.alignWindowMs} ms); CPU ingest ${r.cpuPercent.ingest}% (${r.ingestCpuUsPerSample} us/sample), ` +
    `pmu-sim x${r.simProcesses} ${r.cpuPercent.pmuSim}% (instants skipped ${r.simSlotsSkipped}, ` +
    `${(r.simSamplesPerSecPerCore / 1000).toFixed(0)}k samples/s per core); RSS ingest ${r.rssMb.ingest} MB, ` +
    `pmu-sim ${r.rssMb.pmuSim} MB; load average ${r.loadAverage}\n`
  );
}

function held(r: IngestBenchResult): boolean {
  return r.completeShare >= HELD_COMPLETE_SHARE && r.ratio >= HELD_RATIO;
}

async function main(): Promise<void> {
  const d = DEFAULT_INGEST_BENCH;
  const o: IngestBenchOptions = {
    pmus: flag('pmus', d.pmus, 1, 60_000),
    fps: flag('fps', d.fps, 1, 240),
    pmusPerStream: flag('pmus-per-stream', d.pmusPerStream, 1, 256),
    seconds: flag('seconds', d.seconds, 3, 600),
    alignWindowMs: flag('align-window-ms', d.alignWindowMs, 0, 10_000),
    workers: flag('workers', DEFAULT_WORKERS, 0, 64),
    simProcesses: flag('sim-processes', DEFAULT_SIM_PROCESSES, 1, 16),
    cpuProfDir: stringFlag('cpu-prof-dir'),
  };
  const json = process.argv.includes('--json');
  const human = (line: string) => (json ? process.stderr : process.stdout).write(line);
  if (!process.argv.includes('--sweep')) {
    const r = await runIngestBench(o);
    human(summary(o, r));
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const runs: (IngestBenchResult | { pmus: number; fps: number; error: string })[] = [];
  for (const load of SWEEP) {
    const run = { ...o, ...load };
    try {
      const r = await runIngestBench(run);
      human(summary(run, r));
      runs.push(r);
    } catch (error) {
      human(`ingest: ${load.pmus} x ${load.fps} failed: ${(error as Error).message}\n`);
      runs.push({ ...load, error: (error as Error).message });
    }
  }
  const kept = runs.filter((r): r is IngestBenchResult => !('error' in r) && held(r));
  const largest = kept.sort((a, b) => b.offeredSamplesPerSec - a.offeredSamplesPerSec)[0];
  const largestHeld =
    largest === undefined
      ? null
      : { pmus: largest.pmus, fps: largest.fps, offeredSamplesPerSec: largest.offeredSamplesPerSec };
  human(`largest load held at >= ${100 * HELD_COMPLETE_SHARE}% complete: ${JSON.stringify(largestHeld)}\n`);
  process.stdout.write(`${JSON.stringify({ sweep: runs, largestHeld, workers: o.workers })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/ingest: ${(error as Error).message}\n`);
  process.exit(1);
});
