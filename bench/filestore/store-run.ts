import { FileStoreClient } from '@gridcloud/filestore';
import { ReplicaSet } from '../../scripts/filestore-check/replica-set';
import { runConcurrently, type Batch, type Workload } from './workload';

export interface StoreRunOptions {
  readonly durable: boolean;
  readonly replicas: number;
  readonly ackReplicas: number;
  readonly concurrency: number;
  readonly reads: number;
}

export interface StoreRun {
  readonly appendRecordsPerSec: number;
  readonly appendMBPerSec: number;
  readonly readP50Ms: number;
  readonly readP99Ms: number;
}

/**
 * The store's figures: the workload appended through `replicas` real replica processes over HTTP (writers spread
 * over the replicas), then `reads` temporal reads of a random file at a random past user time, one at a time, each
 * timed until its last record arrived and checked against the records written before that time.
 */
export async function runStore(workload: Workload, o: StoreRunOptions): Promise<StoreRun> {
  const set = await ReplicaSet.start({
    replicas: o.replicas,
    durable: o.durable,
    ackReplicas: o.ackReplicas,
  });
  try {
    const urls = set.urls;
    const clients = Array.from(
      { length: o.concurrency },
      (_, w) =>
        new FileStoreClient({ urls: [...urls.slice(w % urls.length), ...urls.slice(0, w % urls.length)] }),
    );
    const started = performance.now();
    await runConcurrently(workload.files, o.concurrency, async (batch, w) => {
      await clients[w].append(batch.path, batch.records);
    });
    const seconds = (performance.now() - started) / 1000;
    const latencies = await timeReads(workload, clients[0], o.reads);
    return {
      appendRecordsPerSec: workload.records / seconds,
      appendMBPerSec: workload.bytes / 1e6 / seconds,
      readP50Ms: percentile(latencies, 0.5),
      readP99Ms: percentile(latencies, 0.99),
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${set.diagnostics()}`);
  } finally {
    await set.stop();
  }
}

async function timeReads(workload: Workload, client: FileStoreClient, reads: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < reads; i++) {
    const batches = workload.files[Math.floor(Math.random() * workload.files.length)];
    const first = batches[0].firstUserTimeNs;
    const span = Number(batches.at(-1)!.lastUserTimeNs - first);
    const at = first + BigInt(Math.floor(Math.random() * span));
    const started = performance.now();
    let count = 0;
    for await (const record of client.read(batches[0].path, { timeNs: at, clock: 'user' })) {
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

function recordsUpTo(batches: readonly Batch[], at: bigint): number {
  let n = 0;
  for (const b of batches) for (const r of b.records) if (r.userTimeNs <= at) n++;
  return n;
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
