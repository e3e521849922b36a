import { FileStoreClient } from '@gridcloud/filestore';
import { ReplicaSet } from '../../scripts/filestore-check/replica-set';
import { runConcurrently, type Batch, type Workload } from './workload';

const BENCH_REQUEST_TIMEOUT_MS = 60_000;

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
