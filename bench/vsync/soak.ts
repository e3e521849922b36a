/**
 * The soak: three member processes all sending orderedSend at full rate for a number of minutes, with each member's
 * memory read (after a full collection) once the JITs are warm, every minute, and at the end. Growth that keeps
 * going over the run is a leak; bounded memory shows as a flat line after the first minute.
 */
import { loadavg } from 'node:os';
import { BenchCluster, PHASE, type ClusterSettings } from './cluster';

const MEMBERS = 3;

interface Memory {
  readonly rssMiB: number;
  readonly heapMiB: number;
}

export interface SoakFigures {
  readonly minutes: number;
  /** Messages every member delivered during the soak. */
  readonly messages: number;
  readonly msgsPerSec: number;
  /** Per member: memory at the start, each minute and the end. */
  readonly samples: Memory[][];
  /** Largest end-minus-start over the members. */
  readonly rssGrowthMiB: number;
  readonly heapGrowthMiB: number;
  readonly load: { readonly before: number; readonly after: number };
}

export async function soak(
  minutes: number,
  messages: number,
  warmupMessages: number,
  settings: ClusterSettings,
): Promise<SoakFigures> {
  const loadBefore = loadavg()[0];
  const cluster = await BenchCluster.start(MEMBERS, settings);
  try {
    await cluster.join();
    await cluster.blast(PHASE.warmup, 'total', MEMBERS, warmupMessages);
    const samples: Memory[][] = cluster.members.map(() => []);
    await sample(cluster, samples);
    const startMs = performance.now();
    const endMs = startMs + minutes * 60_000;
    let nextSampleMs = startMs + 60_000;
    let delivered = 0;
    while (performance.now() < endMs) {
      await cluster.blast(PHASE.orderedAll, 'total', MEMBERS, messages);
      delivered += messages * MEMBERS;
      if (performance.now() >= nextSampleMs) {
        nextSampleMs += 60_000;
        await sample(cluster, samples);
      }
    }
    const seconds = (performance.now() - startMs) / 1e3;
    await sample(cluster, samples);
    const growth = (key: keyof Memory): number =>
      Math.max(...samples.map((s) => Math.round((s[s.length - 1][key] - s[0][key]) * 10) / 10));
    return {
      minutes,
      messages: delivered,
      msgsPerSec: Math.round(delivered / seconds),
      samples,
      rssGrowthMiB: growth('rssMiB'),
      heapGrowthMiB: growth('heapMiB'),
      load: { before: loadBefore, after: loadavg()[0] },
    };
  } finally {
    await cluster.stop();
  }
}

async function sample(cluster: BenchCluster, samples: Memory[][]): Promise<void> {
  const answers = await Promise.all(cluster.members.map((m) => cluster.ask(m, 'memory')));
  answers.forEach((e, i) => samples[i].push({ rssMiB: e.rssMiB as number, heapMiB: e.heapMiB as number }));
}
