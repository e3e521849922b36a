/**
 * Throughput beyond three members: for each group size, a cluster of that many member processes measures
 * orderedSend with one sender and with every member sending, send with one sender, and batched raw TCP from one
 * sender to all the others (the same-run limit, warmed by unmeasured rounds first), as medians over interleaved
 * rounds, then each member's RSS.
 */
import { BenchCluster, PHASE, type ClusterSettings } from './cluster';

export interface ScaleFigures {
  readonly members: number;
  readonly orderedSend: { readonly oneSender: number; readonly allSenders: number };
  readonly send: { readonly oneSender: number };
  readonly rawBatched: { readonly oneSender: number };
  /** orderedSend.oneSender / rawBatched.oneSender. */
  readonly ratio: number;
  readonly rssMiB: Array<number | null>;
}

export interface ScaleRun {
  readonly sizes: readonly number[];
  /** Messages per sender per phase. */
  readonly messages: number;
  readonly warmupMessages: number;
  readonly rounds: number;
}

/** Unmeasured rounds of batched raw TCP before a size's measured rounds. */
const SCALE_RAW_WARMUP_ROUNDS = 3;

export async function measureScale(run: ScaleRun, settings: ClusterSettings): Promise<ScaleFigures[]> {
  const figures: ScaleFigures[] = [];
  for (const size of run.sizes) figures.push(await measureSize(size, run, settings));
  return figures;
}

async function measureSize(size: number, run: ScaleRun, settings: ClusterSettings): Promise<ScaleFigures> {
  const cluster = await BenchCluster.start(size, settings);
  try {
    await cluster.join();
    await cluster.blast(PHASE.warmup, 'total', size, Math.ceil(run.warmupMessages / size));
    // Raw TCP warms up too (its first rounds run cold, well below its rate once compiled), as in the main part.
    for (let r = 0; r < SCALE_RAW_WARMUP_ROUNDS; r += 1) await cluster.raw(1, true, run.messages);
    const series = {
      orderedOne: [] as number[],
      orderedAll: [] as number[],
      sendOne: [] as number[],
      raw: [] as number[],
    };
    for (let r = 0; r < run.rounds; r += 1) {
      series.raw.push((await cluster.raw(1, true, run.messages)).msgsPerSec);
      series.orderedOne.push((await cluster.blast(PHASE.orderedOne, 'total', 1, run.messages)).msgsPerSec);
      series.sendOne.push((await cluster.blast(PHASE.sendOne, 'fifo', 1, run.messages)).msgsPerSec);
      series.orderedAll.push((await cluster.blast(PHASE.orderedAll, 'total', size, run.messages)).msgsPerSec);
    }
    const orderedOne = median(series.orderedOne);
    const raw = median(series.raw);
    return {
      members: size,
      orderedSend: { oneSender: orderedOne, allSenders: median(series.orderedAll) },
      send: { oneSender: median(series.sendOne) },
      rawBatched: { oneSender: raw },
      ratio: Math.round((orderedOne / raw) * 1000) / 1000,
      rssMiB: cluster.rss(),
    };
  } finally {
    await cluster.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
