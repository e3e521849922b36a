import type { FileRecordInput } from '../protocol/records';
import { FileStoreUnavailableError } from './errors';
import { FileStoreClient } from './file-store-client';

export interface FileStoreArchiverOptions {
  readonly urls: readonly string[];
  /** How often queued records are appended. Default 1,000 ms. */
  readonly flushIntervalMs?: number;
  /** Records queued while the store is slow or down; past it the oldest are dropped and counted. Default 200,000. */
  readonly maxQueuedRecords?: number;
  /** Records in one append at most (a replica's --max-batch-records is 10,000). Default 5,000. */
  readonly maxBatchRecords?: number;
  /** Bytes of records (and their 12-byte headers) in one append at most (below --max-batch-bytes). Default 1 MiB. */
  readonly maxBatchBytes?: number;
}

/** What the archiver did, for an app's stats. */
export interface FileStoreArchiverCounters {
  stored: number;
  appends: number;
  dropped: number;
  appendErrors: number;
  /** Records queued again because no replica could take their append (sent again at the next flush). */
  requeued: number;
  lastError: string | null;
  queued: number;
}

interface Queued {
  readonly path: string;
  readonly record: FileRecordInput;
}

const RECORD_HEADER_BYTES = 12;

/**
 * A write-behind archive for an app's data stream: `add` never waits; every `flushIntervalMs` the queued records are
 * appended, grouped by file, one append per file at a time in the order they were added, with the client's failover
 * across replicas. An append no replica could take (`FileStoreUnavailableError`: every one refused the connection
 * or answered 5xx before applying it) is queued again, with the rest of its file's records behind it, ahead of what
 * came meanwhile; the queue is bounded, so while the store is down the oldest records go first and are counted.
 * An append whose outcome is unknown (its answer was lost) or that the store refused as wrong is not retried (a
 * retry could store it twice, or fail again): its records are counted as dropped.
 */
export class FileStoreArchiver {
  readonly counters: FileStoreArchiverCounters = {
    stored: 0,
    appends: 0,
    dropped: 0,
    appendErrors: 0,
    requeued: 0,
    lastError: null,
    queued: 0,
  };
  private readonly client: FileStoreClient;
  private queue: Queued[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private lastErrorKind: string | undefined;
  private readonly maxQueuedRecords: number;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;

  constructor(
    options: FileStoreArchiverOptions,
    /** Called with the first failure of each kind in a row (not once per failed append). */
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.client = new FileStoreClient({ urls: options.urls });
    this.maxQueuedRecords = options.maxQueuedRecords ?? 200_000;
    this.maxBatchRecords = options.maxBatchRecords ?? 5_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  add(path: string, record: FileRecordInput): void {
    if (this.queue.length >= this.maxQueuedRecords) {
      this.queue.shift();
      this.counters.dropped++;
    }
    this.queue.push({ path, record });
    this.counters.queued = this.queue.length;
  }

  /** Appends what is queued (one flush at a time); resolves when it is stored or counted as failed. */
  flush(): Promise<void> {
    this.flushing ??= this.appendQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and appends what is left; what the store still cannot take is counted dropped. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
    this.counters.dropped += this.queue.length;
    this.queue = [];
    this.counters.queued = 0;
  }

  private async appendQueued(): Promise<void> {
    const taken = this.queue;
    this.queue = [];
    const unsent = await Promise.all(
      [...byFile(taken)].map(([path, records]) => this.appendFile(path, records)),
    );
    const again = unsent.flat();
    if (again.length > 0) {
      this.counters.requeued += again.length;
      // Older than anything added meanwhile: they go first, and the bound drops the oldest.
      this.queue = [...again, ...this.queue];
      const over = this.queue.length - this.maxQueuedRecords;
      if (over > 0) {
        this.queue.splice(0, over);
        this.counters.dropped += over;
      }
    }
    this.counters.queued = this.queue.length;
  }

  /** Appends a file's records batch by batch; returns those to queue again when no replica could take them. */
  private async appendFile(path: string, records: readonly FileRecordInput[]): Promise<Queued[]> {
    let sent = 0;
    for (const batch of batchesOf(records, this.maxBatchRecords, this.maxBatchBytes)) {
      try {
        await this.client.append(path, batch);
        this.counters.appends++;
        this.counters.stored += batch.length;
        this.lastErrorKind = undefined;
      } catch (error) {
        this.counters.appendErrors++;
        this.noteError(error);
        // Not applied anywhere: this batch and the file's later ones wait for the next flush, in order.
        if (error instanceof FileStoreUnavailableError)
          return records.slice(sent).map((record) => ({ path, record }));
        this.counters.dropped += batch.length;
      }
      sent += batch.length;
    }
    return [];
  }

  private noteError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof Error ? error.name : 'error';
    if (this.lastErrorKind !== kind) this.onError(message);
    this.lastErrorKind = kind;
    this.counters.lastError = message;
  }
}

function byFile(queued: readonly Queued[]): Map<string, FileRecordInput[]> {
  const files = new Map<string, FileRecordInput[]>();
  for (const { path, record } of queued) {
    const list = files.get(path);
    if (list === undefined) files.set(path, [record]);
    else list.push(record);
  }
  return files;
}

function* batchesOf(
  records: readonly FileRecordInput[],
  maxRecords: number,
  maxBytes: number,
): Iterable<FileRecordInput[]> {
  let batch: FileRecordInput[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength + RECORD_HEADER_BYTES;
    if (batch.length > 0 && (batch.length === maxRecords || bytes + size > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** The UTC hour of a time, as a file name segment: `2026-12-02T11`. */
export function utcHourOf(timeNs: bigint): string {
  return new Date(Number(timeNs / 1_000_000n)).toISOString().slice(0, 13);
}
