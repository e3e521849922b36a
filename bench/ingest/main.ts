/**
 * Ingest end to end: N simulated PMUs (grouped into substation PDC streams)
 * at F frames/s over TCP into the ingest process; measures sustained aligned
 * snapshots/s and the p99 alignment latency (snapshot release minus its
 * timestamp) in steady state. The peer in the same run is the offered rate:
 * the simulator's F instants per second, so keeping up means a ratio of 1.
 *
 *   npx tsx bench/ingest/main.ts [--pmus 3000] [--fps 30] [--pmus-per-stream 50] [--seconds 8] [--align-window-ms 100]
 *
 * Last line: {"pmus":N,"fps":F,"snapshotsPerSec":S,"p99AlignMs":L}.
 */
import os from 'node:os';
import path from 'node:path';
import { INGEST_ENTRY, NodeProcess, PMU_SIM_ENTRY } from '../../apps/ingest/src/testing/node-process';

interface StatsLine {
  atMs: number;
  cpuMs: number;
  expectedPmus: number;
  aligner: { snapshots: number; released: Record<string, number>; missingFrames: number; framesPlaced: number; framesLate: number };
  alignLatencyMs: { count: number; p50: number; p99: number; max: number };
}

function flag(name: string, fallback: number, min: number, max: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < min || v > max) {
    process.stderr.write(`bench/ingest: --${name} must be a number in [${min}, ${max}], got '${process.argv[i + 1]}'\n`);
    process.exit(2);
  }
  return v;
}

const pmus = flag('pmus', 3000, 1, 60_000);
const fps = flag('fps', 30, 1, 240);
const perStream = flag('pmus-per-stream', 50, 1, 256);
const seconds = flag('seconds', 8, 3, 600);
const windowMs = flag('align-window-ms', 100, 0, 10_000);
const WARMUP_S = 2;
const CONFIGURE_LIMIT_MS = 60_000;

async function main(): Promise<void> {
  const procs: NodeProcess[] = [];
  try {
    const sim = new NodeProcess(PMU_SIM_ENTRY, ['--case', path.resolve('../shared/cases/case118.m'), '--pmus', String(pmus), '--pmus-per-stream', String(perStream), '--fps', String(fps), '--tcp', '127.0.0.1:0', '--max-tcp-clients', '4096']);
    procs.push(sim);
    const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready');
    const targets = (ready.streams as { idcode: number }[]).flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`]);
    const ingest = new NodeProcess(INGEST_ENTRY, [...targets, '--fps', String(fps), '--align-window-ms', String(windowMs), '--max-pmus', String(Math.max(pmus, 1)), '--stats-interval-ms', '1000']);
    procs.push(ingest);
    await ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
    const configured = ingest.waitFor((l) => l.event === 'stats' && (l as unknown as StatsLine).expectedPmus === pmus, `all ${pmus} PMUs configured`);
    await Promise.race([configured, new Promise((_, reject) => setTimeout(() => reject(new Error(`ingest did not see all ${pmus} PMU configurations within ${CONFIGURE_LIMIT_MS} ms`)), CONFIGURE_LIMIT_MS))]);
    const firstIndex = ingest.lines.length;
    await new Promise((r) => setTimeout(r, (seconds + WARMUP_S) * 1000));
    const stats = ingest.lines.slice(firstIndex).filter((l) => l.event === 'stats') as unknown as StatsLine[];
    const steady = stats.slice(WARMUP_S);
    if (steady.length < 2) throw new Error(`only ${steady.length} steady-state stats lines; run longer (--seconds)`);
    report(steady);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

function report(steady: StatsLine[]): void {
  const a = steady[0];
  const b = steady[steady.length - 1];
  const dtS = (b.atMs - a.atMs) / 1000;
  const snapshotsPerSec = (b.aligner.snapshots - a.aligner.snapshots) / dtS;
  const complete = b.aligner.released.complete - a.aligner.released.complete;
  const released = b.aligner.snapshots - a.aligner.snapshots;
  const samplesPerSec = (b.aligner.framesPlaced - a.aligner.framesPlaced) / dtS;
  // The worst interval's p99 rather than an average of percentiles, which would flatter a bad second.
  const p99AlignMs = Math.max(...steady.slice(1).map((s) => s.alignLatencyMs.p99));
  const ratio = snapshotsPerSec / fps;
  // CPU the ingest used per wall second: on a shared machine this shows the headroom that latency alone hides.
  const cpuShare = (b.cpuMs - a.cpuMs) / (b.atMs - a.atMs);
  process.stdout.write(
    `ingest: ${pmus} PMUs in ${Math.ceil(pmus / perStream)} streams at ${fps} fps over TCP; ` +
      `${snapshotsPerSec.toFixed(1)} snapshots/s vs ${fps} offered (ratio ${ratio.toFixed(3)}), ` +
      `${(samplesPerSec / 1000).toFixed(1)}k PMU samples/s aligned, ${((100 * complete) / Math.max(1, released)).toFixed(1)}% complete, ` +
      `p99 alignment latency ${p99AlignMs.toFixed(1)} ms (window ${windowMs} ms); ingest used ${(100 * cpuShare).toFixed(0)}% of one core, ` +
      `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`,
  );
  process.stdout.write(`${JSON.stringify({ pmus, fps, snapshotsPerSec: Number(snapshotsPerSec.toFixed(2)), p99AlignMs: Number(p99AlignMs.toFixed(2)) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/ingest: ${(error as Error).message}\n`);
  process.exit(1);
});
