/**
 * Ingest benchmark CLI:
 *
 *   npx tsx bench/ingest/main.ts [--pmus 3000] [--fps 30] [--pmus-per-stream 50] [--seconds 8] [--align-window-ms 100]
 *
 * Prints a readable summary with the offered rate as the peer, then one JSON
 * object as the last line: {"pmus":N,"fps":F,"snapshotsPerSec":S,"p99AlignMs":L}.
 */
import { DEFAULT_INGEST_BENCH, runIngestBench, type IngestBenchOptions } from './ingest-bench';

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

async function main(): Promise<void> {
  const d = DEFAULT_INGEST_BENCH;
  const o: IngestBenchOptions = {
    pmus: flag('pmus', d.pmus, 1, 60_000),
    fps: flag('fps', d.fps, 1, 240),
    pmusPerStream: flag('pmus-per-stream', d.pmusPerStream, 1, 256),
    seconds: flag('seconds', d.seconds, 3, 600),
    alignWindowMs: flag('align-window-ms', d.alignWindowMs, 0, 10_000),
  };
  const r = await runIngestBench(o);
  process.stdout.write(
    `ingest: ${r.pmus} PMUs in ${Math.ceil(r.pmus / o.pmusPerStream)} streams at ${r.fps} fps over TCP; ` +
      `${r.snapshotsPerSec} snapshots/s vs ${r.fps} offered (ratio ${r.ratio}), ${(r.samplesPerSec / 1000).toFixed(1)}k PMU samples/s aligned, ` +
      `${r.completePercent}% complete, p99 alignment latency ${r.p99AlignMs} ms (window ${o.alignWindowMs} ms); ` +
      `ingest used ${Math.round(100 * r.ingestCpuShare)}% of one core, load average ${r.loadAverage}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ pmus: r.pmus, fps: r.fps, snapshotsPerSec: r.snapshotsPerSec, p99AlignMs: r.p99AlignMs })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/ingest: ${(error as Error).message}\n`);
  process.exit(1);
});
