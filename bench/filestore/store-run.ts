import { FileStoreClient } from '@gridcloud/filestore';
import { ReplicaSet } from '../../scripts/filestore-check/replica-set';
import { runConcurrently, type Batch, type Workload } from './workload';

const BENCH_REQUEST_TIMEOUT_MS = 60_000;
/** How often each replica prints its counters, from which the commit sizes are read. */
const REPLICA_STATS_INTERVAL_MS = 500;

export interface StoreOptions {
  readonly durable: boolean;
  readonly replicas: number;
  readonly ackReplicas: number;
  readonly concurrency: number;
  /** The replicas' --max-commits-in-flight (their default when 0). */
  readonly commitsInFlight: number;
  /** More flags for every replica (--replica-flags). */
  readonly replicaFlags: readonly string[];
}

/**
 * The store under test: `replicas` real replica processes, written over HTTP by `concurrency` writers spread over
 * the replicas (writer w starts at replica w mod replicas).
 */
export class StoreUnderTest {
  private constructor(
    private readonly set: ReplicaSet,
    private readonly clients: readonly FileStoreClient[],
  ) {}

  static async start(o: StoreOptions): Promise<StoreUnderTest> {
    const set = await ReplicaSet.start({
      replicas: o.replicas,
      durable: o.durable,
      ackReplicas: o.ackReplicas,
      extraArgs: [
        ...['--stats-interval-ms', String(REPLICA_STATS_INTERVAL_MS)],
        ...(o.commitsInFlight > 0 ? ['--max-commits-in-flight', String(o.commitsInFlight)] : []),
        ...o.replicaFlags,
      ],
    });
    const urls = set.urls;
    const clients = Array.from({ length: o.concurrency }, (_, w) => {
      const k = w % urls.length;
      // A loaded machine may hold an append for seconds: the benchmark measures, it does not give up early.
      return new FileStoreClient({
        urls: [...urls.slice(k), ...urls.slice(0, k)],
        requestTimeoutMs: BENCH_REQUEST_TIMEOUT_MS,
      });
    });
    return new StoreUnderTest(set, clients);
  }

  /** Appends the workload; the seconds it took until the last append was acknowledged. */
  async appendSeconds(workload: Workload): Promise<number> {
    const started = performance.now();
    await runConcurrently(workload.files, this.clients.length, async (batch, w) => {
      await this.clients[w].appendBatch(batch.path, batch.body);
    });
    return (performance.now() - started) / 1000;
  }

  /**
   * `reads` temporal reads of a random file of `workload` (already appended) at a random past user time, one at a
   * time, each timed until its last record arrived and checked against the records written before that time.
   */
  async readLatenciesMs(workload: Workload, reads: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let i = 0; i < reads; i++) {
      const batches = workload.files[Math.floor(Math.random() * workload.files.length)];
      const first = batches[0].firstUserTimeNs;
      const at = first + BigInt(Math.floor(Math.random() * Number(batches.at(-1)!.lastUserTimeNs - first)));
      const started = performance.now();
      let count = 0;
      for await (const record of this.clients[0].read(batches[0].path, { timeNs: at, clock: 'user' })) {
        if (record.userTimeNs > at)
          throw new Error(`read as of ${at} returned a record of ${record.userTimeNs}`);
        count++;
      }
      latencies.push(performance.now() - started);
      const expected = recordsUpTo(batches, at);
      if (count !== expected)
        throw new Error(`read as of ${at} returned ${count} records, ${expected} were written before`);
    }
    return latencies;
  }

  /**
   * Appends per group commit over every replica's appends so far (each replica orders the appends it takes in group
   * commits), from counters each replica printed after this call: null when no commit was reported.
   */
  async appendsPerCommit(): Promise<number | null> {
    const since = Date.now();
    const fresh = () => this.set.latestStats().every((l) => Number(l?.atMs ?? 0) >= since);
    const deadline = since + 10 * REPLICA_STATS_INTERVAL_MS;
    while (!fresh() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    let appends = 0;
    let commits = 0;
    for (const line of this.set.latestStats()) {
      const store = line?.store as { appendsIssued?: number; commitsIssued?: number } | undefined;
      appends += store?.appendsIssued ?? 0;
      commits += store?.commitsIssued ?? 0;
    }
    return commits === 0 ? null : appends / commits;
  }

  diagnostics(): string {
    return this.set.diagnostics();
  }

  stop(): Promise<void> {
    return this.set.stop();
  }
}

function recordsUpTo(batches: readonly Batch[], at: bigint): number {
  let n = 0;
  for (const b of batches) for (const r of b.records) if (r.userTimeNs <= at) n++;
  return n;
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
