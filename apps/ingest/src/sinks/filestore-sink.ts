import { FileStoreClient } from '@gridcloud/filestore';
import type { RawDataFrame, Snapshot, SnapshotSink } from './snapshot-sink';

export interface FileStoreSinkOptions {
  readonly urls: readonly string[];
  /** How often queued frames are appended. Default 1,000 ms. */
  readonly flushIntervalMs?: number;
  /** Frames queued while the store is slow or down; past it the oldest are dropped and counted. Default 200,000. */
  readonly maxQueuedFrames?: number;
  /** Frames in one append at most (the store's --max-batch-records is 10,000). Default 5,000. */
  readonly maxBatchFrames?: number;
  /** Bytes of frames in one append at most (below the store's --max-batch-bytes, 2 MiB). Default 1 MiB. */
  readonly maxBatchBytes?: number;
}

/** Counters of the archive, in ingest's stats. */
export interface FileStoreSinkCounters {
  stored: number;
  appends: number;
  dropped: number;
  appendErrors: number;
  lastError: string | null;
  queued: number;
}

const HOUR_MS = 3_600_000;

/**
 * Archives every raw C37.118 data frame in the file store, one file per stream and UTC hour
 * (`c37118/<stream IDCODE>/<YYYY-MM-DDTHH>`), each record the frame's bytes at its SOC+FRACSEC, so a replay can read
 * the grid's raw data as of any past instant. Frames are queued and appended every `flushIntervalMs`, one append
 * per file at a time, in arrival order; the queue is bounded: while the store is down the oldest frames go first.
 */
export class FileStoreFrameSink implements SnapshotSink {
  readonly counters: FileStoreSinkCounters = {
    stored: 0,
    appends: 0,
    dropped: 0,
    appendErrors: 0,
    lastError: null,
    queued: 0,
  };
  private readonly client: FileStoreClient;
  private queue: RawDataFrame[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private readonly maxQueuedFrames: number;
  private readonly maxBatchFrames: number;
  private readonly maxBatchBytes: number;

  constructor(
    options: FileStoreSinkOptions,
    private readonly log: (line: string) => void,
  ) {
    this.client = new FileStoreClient({ urls: options.urls });
    this.maxQueuedFrames = options.maxQueuedFrames ?? 200_000;
    this.maxBatchFrames = options.maxBatchFrames ?? 5_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  publish(_snapshot: Snapshot): void {
    // Snapshots go to the estimators; the archive keeps the frames they were made of.
  }

  publishFrame(frame: RawDataFrame): void {
    if (this.queue.length >= this.maxQueuedFrames) {
      this.queue.shift();
      this.counters.dropped++;
    }
    this.queue.push(frame);
    this.counters.queued = this.queue.length;
  }

  /** Appends what is queued (one flush at a time); resolves when it is stored or has failed. */
  flush(): Promise<void> {
    this.flushing ??= this.appendQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  private async appendQueued(): Promise<void> {
    const taken = this.queue;
    this.queue = [];
    this.counters.queued = 0;
    await Promise.all([...byFile(taken)].map(([path, frames]) => this.appendFile(path, frames)));
  }

  private async appendFile(path: string, frames: readonly RawDataFrame[]): Promise<void> {
    for (const batch of batchesOf(frames, this.maxBatchFrames, this.maxBatchBytes)) {
      try {
        await this.client.append(
          path,
          batch.map((f) => ({ userTimeNs: f.timeNs, data: f.bytes })),
        );
        this.counters.appends++;
        this.counters.stored += batch.length;
      } catch (error) {
        // An append whose outcome is unknown is not sent again (it could be stored twice): counted as dropped.
        this.counters.appendErrors++;
        this.counters.dropped += batch.length;
        const message = error instanceof Error ? error.message : String(error);
        if (this.counters.lastError !== message) this.log(`file store: ${message}`);
        this.counters.lastError = message;
      }
    }
  }
}

/** The file of a frame: its stream and the UTC hour of its measurement time. */
export function archivePathOf(frame: RawDataFrame): string {
  const hourMs = Math.floor(Number(frame.timeNs / 1_000_000n) / HOUR_MS) * HOUR_MS;
  return `c37118/${frame.streamIdcode}/${new Date(hourMs).toISOString().slice(0, 13)}`;
}

function byFile(frames: readonly RawDataFrame[]): Map<string, RawDataFrame[]> {
  const files = new Map<string, RawDataFrame[]>();
  for (const frame of frames) {
    const path = archivePathOf(frame);
    const list = files.get(path);
    if (list === undefined) files.set(path, [frame]);
    else list.push(frame);
  }
  return files;
}

function* batchesOf(
  frames: readonly RawDataFrame[],
  maxFrames: number,
  maxBytes: number,
): Iterable<RawDataFrame[]> {
  let batch: RawDataFrame[] = [];
  let bytes = 0;
  for (const frame of frames) {
    if (batch.length > 0 && (batch.length === maxFrames || bytes + frame.bytes.byteLength + 12 > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(frame);
    bytes += frame.bytes.byteLength + 12;
  }
  if (batch.length > 0) yield batch;
}
