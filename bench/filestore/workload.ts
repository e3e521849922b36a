import { randomBytes } from 'node:crypto';
import { encodeRecordBatch, type FileRecordInput } from '@gridcloud/filestore';

export interface WorkloadOptions {
  readonly files: number;
  readonly batchesPerFile: number;
  readonly batchRecords: number;
  readonly recordBytes: number;
}

/** One append: a file's next batch, with its binary body (the bytes every peer of the benchmark writes). */
export interface Batch {
  readonly path: string;
  readonly records: readonly FileRecordInput[];
  readonly body: Uint8Array<ArrayBuffer>;
  readonly firstUserTimeNs: bigint;
  readonly lastUserTimeNs: bigint;
}

export interface Workload {
  /** Per file, its batches in order: appends to one file are issued one after the other. */
  readonly files: ReadonlyArray<readonly Batch[]>;
  readonly records: number;
  readonly bytes: number;
}

/** 30 records a second per file, as a PMU's C37.118 data frames. */
const RECORD_INTERVAL_NS = 33_333_333n;

/**
 * The records every peer writes: `files` files (like one PMU-hour each), each `batchesPerFile` batches of
 * `batchRecords` records of `recordBytes` random bytes, user times 1/30 s apart starting an hour ago.
 */
export function makeWorkload(o: WorkloadOptions, prefix: string): Workload {
  const startNs = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const pool = randomBytes(o.recordBytes * 64);
  const files: Batch[][] = [];
  let bytes = 0;
  for (let f = 0; f < o.files; f++) {
    const batches: Batch[] = [];
    for (let b = 0; b < o.batchesPerFile; b++) {
      const records = Array.from({ length: o.batchRecords }, (_, i) => {
        const n = b * o.batchRecords + i;
        const offset = ((n * 7 + f) % 63) * o.recordBytes;
        return {
          userTimeNs: startNs + BigInt(n) * RECORD_INTERVAL_NS,
          data: pool.subarray(offset, offset + o.recordBytes),
        };
      });
      const body = encodeRecordBatch(records);
      bytes += body.byteLength;
      const path = `${prefix}/pmu-${f}/hour-0`;
      batches.push({
        path,
        records,
        body,
        firstUserTimeNs: records[0].userTimeNs,
        lastUserTimeNs: records.at(-1)!.userTimeNs,
      });
    }
    files.push(batches);
  }
  return { files, records: o.files * o.batchesPerFile * o.batchRecords, bytes };
}

/** The same batches (records and bodies shared) under other paths: each round of the benchmark writes new files. */
export function withPrefix(workload: Workload, from: string, to: string): Workload {
  const files = workload.files.map((batches) =>
    batches.map((b) => ({ ...b, path: to + b.path.slice(from.length) })),
  );
  return { ...workload, files };
}

/**
 * Runs `work` over lists of items with `concurrency` workers: a worker takes a whole list (a file) and does its
 * items (batches) in order, so appends to one file are never concurrent within a peer.
 */
export async function runConcurrently<T>(
  lists: ReadonlyArray<readonly T[]>,
  concurrency: number,
  work: (item: T, worker: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    for (let f = next++; f < lists.length; f = next++) for (const item of lists[f]) await work(item, w);
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
}
