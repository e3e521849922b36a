/**
 * Hierarchical PDCs against one ingest, in the same run, on the same simulated PMUs:
 *
 *   npx tsx bench/regions/main.ts [--pmus 1000] [--fps 30] [--pmus-per-stream 50] [--seconds 10]
 *     [--align-window-ms 100] [--region-deadline-ms 500]
 *
 * pmu-sim serves N PMUs in streams; one ingest aligns every stream (the single-machine path), and at the same time
 * two regional ingests (`--region east|west`, half the streams each) send their partial snapshots through real
 * Kafka to a merger (`--merge-regions east,west`). Measured in steady state from each process's stats lines:
 * snapshots per second, complete share, p99 of release minus slot instant, CPU per process, and each region's
 * lateness p99 at the merger. Needs Kafka (`node scripts/services.mjs up`). Prints a readable summary on stderr
 * and one JSON line last: `single`, `merged`, `throughputRatio` (merged / single snapshots per second) and
 * `p99AlignRatio` (merged / single), with the load average.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { flagParser } from '@gridcloud/command-line';
import { LocalProcess, type JsonLine } from '@gridcloud/supervision';
import { serviceAddresses } from '../../scripts/services-config.mjs';
import { INGEST_ENTRY, PMU_SIM_ENTRY } from '../../test/support/app-entries';
import { casePath } from '../../test/support/data-files';

interface Options {
  readonly pmus: number;
  readonly fps: number;
  readonly pmusPerStream: number;
  readonly seconds: number;
  readonly alignWindowMs: number;
  readonly regionDeadlineMs: number;
}

interface Stats {
  atMs: number;
  cpuMs: number;
  expectedPmus?: number;
  aligner: { snapshots: number; released: Record<string, number>; framesPlaced: number };
  alignLatencyMs: { p99: number };
  regions?: { region: string; pmus: number; latenessP99Ms: number }[];
}

interface PathFigures {
  readonly snapshotsPerSec: number;
  readonly alignedSamplesPerSec: number;
  readonly completeShare: number;
  readonly p99AlignMs: number;
  readonly cpuPercent: number;
}

const WARMUP_S = 3;
const READY_LIMIT_MS = 120_000;
const PARTITIONS = 4;

class BenchFlagError extends Error {
  override readonly name = 'BenchFlagError';
}

const FLAGS = ['pmus', 'fps', 'pmus-per-stream', 'seconds', 'align-window-ms', 'region-deadline-ms'];

function options(argv: readonly string[]): Options {
  const p = flagParser((message) => new BenchFlagError(message));
  const f = p.parseFlags(argv, FLAGS);
  return {
    pmus: p.numberFlag(f, 'pmus', 1000, 2, 20_000, true),
    fps: p.numberFlag(f, 'fps', 30, 1, 120),
    pmusPerStream: p.numberFlag(f, 'pmus-per-stream', 50, 1, 256, true),
    seconds: p.numberFlag(f, 'seconds', 10, 3, 600),
    alignWindowMs: p.numberFlag(f, 'align-window-ms', 100, 0, 10_000),
    regionDeadlineMs: p.numberFlag(f, 'region-deadline-ms', 500, 0, 60_000),
  };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const brokers = serviceAddresses().kafka.brokers as string[];
  const run = randomUUID().slice(0, 8);
  const topics = {
    regions: `pmu.region-snapshots.bench-${run}`,
    catalogs: `pmu.region-catalogs.bench-${run}`,
  };
  const admin = new Kafka({ clientId: 'bench-regions', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect().catch((error: Error) => {
    throw new Error(
      `Kafka at ${brokers.join(',')} does not answer (node scripts/services.mjs up): ${error.message}`,
    );
  });
  const procs: LocalProcess[] = [];
  try {
    await admin.createTopics({
      topics: [
        { topic: topics.regions, numPartitions: PARTITIONS },
        { topic: topics.catalogs, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const result = await measure(o, brokers, topics, procs, run);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function measure(
  o: Options,
  brokers: readonly string[],
  topics: { regions: string; catalogs: string },
  procs: LocalProcess[],
  run: string,
): Promise<Record<string, unknown>> {
  const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
    ...[
      '--case',
      casePath('case118'),
      '--pmus',
      String(o.pmus),
      '--pmus-per-stream',
      String(o.pmusPerStream),
    ],
    ...['--fps', String(o.fps), '--tcp', '127.0.0.1:0', '--max-tcp-clients', '65536', '--http-port', 'off'],
  ]);
  procs.push(sim);
  const ready = await sim.waitFor((l) => l.event === 'ready', 'simulator ready', READY_LIMIT_MS);
  const streams = (ready.streams as { idcode: number }[]).map(
    (s) => `${s.idcode}@127.0.0.1:${ready.tcpPort as number}`,
  );
  if (streams.length < 2) throw new Error(`need at least 2 streams for 2 regions; lower --pmus-per-stream`);
  const half = Math.ceil(streams.length / 2);
  const common = [
    ...['--fps', String(o.fps), '--align-window-ms', String(o.alignWindowMs), '--config-timeout-ms', '10000'],
    ...['--max-pmus', String(o.pmus), '--max-pmus-per-source', String(o.pmus)],
    ...['--stats-interval-ms', '1000', '--http-port', 'off', '--quality-interval-ms', '0'],
  ];
  const kafka = [
    '--kafka-brokers',
    brokers.join(','),
    '--region-topic',
    topics.regions,
    '--region-catalog-topic',
    topics.catalogs,
  ];
  const tcp = (list: readonly string[]) => list.flatMap((t) => ['--tcp', t]);
  const start = (args: string[]) => {
    const p = LocalProcess.tsx(INGEST_ENTRY, [...args, ...common]);
    procs.push(p);
    return p;
  };
  const merger = start([
    ...kafka,
    '--merge-regions',
    'east,west',
    '--kafka-group',
    `bench-${run}`,
    '--region-deadline-ms',
    String(o.regionDeadlineMs),
  ]);
  await merger.waitFor((l) => l.event === 'ready', 'merger ready', READY_LIMIT_MS);
  const single = start(tcp(streams));
  start([...kafka, '--region', 'east', ...tcp(streams.slice(0, half))]);
  start([...kafka, '--region', 'west', ...tcp(streams.slice(half))]);
  await single.waitFor(
    (l) => l.event === 'stats' && l.expectedPmus === o.pmus,
    `single ingest sees ${o.pmus} PMUs`,
    READY_LIMIT_MS,
  );
  await merger.waitFor(
    (l) => l.event === 'stats' && regionPmus(l) === o.pmus,
    `merger sees ${o.pmus} PMUs`,
    READY_LIMIT_MS,
  );
  await sleep(WARMUP_S * 1000);
  const from = { single: single.lines.length, merger: merger.lines.length };
  await sleep(o.seconds * 1000);
  const s = statsOf(single, from.single);
  const m = statsOf(merger, from.merger);
  const figures = { single: figuresOf(s), merged: figuresOf(m) };
  const last = m[m.length - 1];
  const result = {
    pmus: o.pmus,
    fps: o.fps,
    seconds: o.seconds,
    streams: streams.length,
    regionDeadlineMs: o.regionDeadlineMs,
    single: figures.single,
    merged: {
      ...figures.merged,
      regionLatenessP99Ms: Object.fromEntries(
        (last.regions ?? []).map((r) => [r.region, round2(r.latenessP99Ms)]),
      ),
    },
    throughputRatio: round2(figures.merged.snapshotsPerSec / Math.max(0.01, figures.single.snapshotsPerSec)),
    p99AlignRatio: round2(figures.merged.p99AlignMs / Math.max(0.01, figures.single.p99AlignMs)),
    loadAverage: round2(os.loadavg()[0]),
  };
  process.stderr.write(
    `regions: ${o.pmus} PMUs x ${o.fps} fps in ${streams.length} streams; single ingest ${figures.single.snapshotsPerSec} snapshots/s, ` +
      `p99 ${figures.single.p99AlignMs} ms, ${(100 * figures.single.completeShare).toFixed(2)}% complete, CPU ${figures.single.cpuPercent}%; ` +
      `merged (2 regions over Kafka) ${figures.merged.snapshotsPerSec} snapshots/s, p99 ${figures.merged.p99AlignMs} ms, ` +
      `${(100 * figures.merged.completeShare).toFixed(2)}% complete, merger CPU ${figures.merged.cpuPercent}%; load ${result.loadAverage}\n`,
  );
  return result;
}

function regionPmus(l: JsonLine): number {
  return ((l.regions ?? []) as { pmus: number }[]).reduce((n, r) => n + r.pmus, 0);
}

function statsOf(p: LocalProcess, from: number): Stats[] {
  const lines = p.lines.slice(from).filter((l) => l.event === 'stats') as unknown as Stats[];
  if (lines.length < 2)
    throw new Error(`only ${lines.length} stats lines in the measured interval; run longer (--seconds)`);
  return lines;
}

function figuresOf(steady: readonly Stats[]): PathFigures {
  const a = steady[0];
  const b = steady[steady.length - 1];
  const dtMs = b.atMs - a.atMs;
  const released = b.aligner.snapshots - a.aligner.snapshots;
  const complete = b.aligner.released.complete - a.aligner.released.complete;
  return {
    snapshotsPerSec: round2((released * 1000) / dtMs),
    alignedSamplesPerSec: Math.round(((b.aligner.framesPlaced - a.aligner.framesPlaced) * 1000) / dtMs),
    completeShare: Math.round((1e5 * complete) / Math.max(1, released)) / 1e5,
    p99AlignMs: round2(Math.max(...steady.slice(1).map((s) => s.alignLatencyMs.p99))),
    cpuPercent: Math.round((1000 * (b.cpuMs - a.cpuMs)) / dtMs) / 10,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/regions: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof BenchFlagError ? 2 : 1);
});
