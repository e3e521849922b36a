import { Group, NotAMemberError, StateTransferRestartedError, type VsyncProcess } from '@gridcloud/vsync';
import { FileStoreAckError } from '../errors/file-store-ack-error';
import { FileStoreClosedError } from '../errors/file-store-closed-error';
import { FileStoreNotMemberError } from '../errors/file-store-not-member-error';
import { FileStoreOverloadError } from '../errors/file-store-overload-error';
import { FileStoreRecordError } from '../errors/file-store-record-error';
import { checkUserTime, encodeBatch, scanBatch, validateRecords } from '../protocol/append-batch';
import {
  commitArgs,
  commitEntries,
  encodeCommitReply,
  entryReplyOf,
  type CommitEntry,
  type EntryReply,
} from '../protocol/append-commit';
import { validateFilePath } from '../protocol/file-path';
import {
  compareHlc,
  firstStampAfter,
  HLC_ZERO,
  isHlcTimestamp,
  tickHlc,
  type HlcTimestamp,
} from '../protocol/hlc';
import type { FileRecordInput, StoredRecord, TemporalPoint } from '../protocol/records';
import {
  resolveFileStoreOptions,
  type FileStoreOptions,
  type ResolvedFileStoreOptions,
} from '../file-store-options';
import { sealFrame, type FrameBatch, type FrameRecord } from '../storage/record-frame';
import { AppendCommitter } from './append-committer';
import { StoreLog, type RecoveryReport } from '../storage/store-log';
import { readAsOf } from '../storage/temporal-read';
import { catchUp, encodePosition, readPosition } from './catch-up';
import { CatchUpSource } from './catch-up-source';
import type { AppendResult, FileInfo, FileStoreStats } from './file-store-stats';
import { CATCH_UP_FILES_ID, CATCH_UP_RECORDS_ID, COMMIT_ID } from './handler-ids';

const MAX_POSITION_BYTES = 1024 * 1024;

/** A replica that failed does not answer: an abort would fail the append everywhere, while silence lets it complete
 *  with the other replicas once this one has left the group (which fail() starts). */
const WITHDRAWN = new Promise<never>(() => undefined);

/**
 * One replica of the file store, a member of the `filestore` vsync group. Appends are ordered through the group in
 * commits (the appends this replica took in one event-loop turn, as one orderedQuery, want = ackReplicas): every
 * replica stamps and applies the same appends in the same order and answers once the records are written (durable:
 * fsynced), so every replica holds the same files and reads agree.
 */
export class FileStore {
  private readonly group: Group;
  private readonly source: CatchUpSource;
  private readonly committer: AppendCommitter;
  private clock: HlcTimestamp = HLC_ZERO;
  private pending = 0;
  private closed: string | undefined;
  private closing: Promise<void> | undefined;
  private syncing: Promise<void> | undefined;
  private readonly syncPasses = new Set<Promise<void>>();
  private readonly counters = {
    appendsIssued: 0,
    commitsIssued: 0,
    appendsAcknowledged: 0,
    appendsApplied: 0,
    recordsApplied: 0,
    recordsRead: 0,
    catchUpRecords: 0,
    catchUpBytes: 0,
    catchUpRemoved: 0,
    catchUpMs: 0,
  };
  private readonly errorListeners: Array<(error: Error) => void> = [];

  private constructor(
    process: VsyncProcess,
    private readonly options: ResolvedFileStoreOptions,
    private readonly store: StoreLog,
    private readonly recovery: RecoveryReport,
  ) {
    this.group = new Group(options.groupName, { process });
    this.source = new CatchUpSource(store);
    this.clock = store.lastStamp;
    this.committer = new AppendCommitter(options, (entries) => this.sendCommit(entries));
    this.group
      // A commit's batches are written as they came, behind a frame header each: as views, not copies of up to
      // maxCommitBytes.
      .handle(
        COMMIT_ID,
        (wallMs: number, logical: number, ...entries: unknown[]) =>
          this.applyCommit({ wallMs, logical }, entries),
        { bytesAsViews: true },
      )
      .handle(CATCH_UP_FILES_ID, (from: number, to: number, after: string, max: number) =>
        this.source.files(from, to, after, Math.min(max, options.catchUpChunkBytes)),
      )
      .handle(CATCH_UP_RECORDS_ID, (path: string, from: number, to: number, max: number) =>
        this.source.records(path, from, to, Math.min(max, options.catchUpChunkBytes)),
      )
      .onError((error) => this.errorListeners.forEach((listener) => listener(error)));
    this.group.stateTransfer({
      makeCheckpoint: () => [this.position()],
      loadCheckpoint: (chunks, signal) => this.loadPosition(chunks, signal),
      maxBufferedBytes: options.maxCatchUpBufferBytes,
    });
  }

  /** Opens this replica: replays its own log from `dataDir`, joins the group and fetches what it lacks from a
   *  member (everything, for a brand-new replica). Resolves once it holds the group's state. */
  static async open(process: VsyncProcess, options: FileStoreOptions): Promise<FileStore> {
    const resolved = resolveFileStoreOptions(options);
    const bounds = {
      maxSegmentBytes: resolved.maxSegmentBytes,
      indexIntervalBytes: resolved.indexIntervalBytes,
      readChunkBytes: resolved.readChunkBytes,
      maxOpenWriters: resolved.maxOpenWriters,
    };
    const { store, report } = await StoreLog.open(resolved.dataDir, bounds, resolved.durable);
    const fileStore = new FileStore(process, resolved, store, report);
    try {
      await fileStore.group.join();
    } catch (error) {
      store.close();
      throw error;
    }
    return fileStore;
  }

  /** Appends records to a file (created by its first append); resolves once `ackReplicas` replicas applied them
   *  (durable: on disk). Throws FileStorePathError / FileStoreRecordError for bad input, before anything is sent. */
  async append(path: string, records: readonly FileRecordInput[]): Promise<AppendResult> {
    this.checkOpen();
    validateFilePath(path);
    const batch = encodeBatch(records, validateRecords(records, this.options));
    return this.issue(path, batch, records.length);
  }

  /** Appends records already encoded as one batch (encodeRecordBatch's layout, which is what an HTTP client sends):
   *  the bytes travel as they are, with no object per record. Checked like append() before anything is sent. */
  async appendBatch(path: string, batch: Uint8Array): Promise<AppendResult> {
    this.checkOpen();
    validateFilePath(path);
    if (!(batch instanceof Uint8Array)) throw new FileStoreRecordError('batch', 'must be a Uint8Array');
    return this.issue(path, batch, scanBatch(batch, this.options).count);
  }

  private async issue(path: string, batch: Uint8Array, records: number): Promise<AppendResult> {
    if (this.pending >= this.options.maxPendingAppends)
      throw new FileStoreOverloadError(this.options.maxPendingAppends);
    this.pending++;
    this.counters.appendsIssued++;
    try {
      const want = this.options.ackReplicas;
      const { replies, index } = await this.committer.add(path, batch, records);
      if (replies.length < want) throw new FileStoreAckError(path, want, replies.length);
      this.counters.appendsAcknowledged++;
      return resultOf(path, records, entryReplyOf(replies[0], index), replies.length, this.options.durable);
    } finally {
      this.pending--;
    }
  }

  /** Orders one commit through the group: every replica applies its appends in order and answers for all. */
  private sendCommit(entries: CommitEntry[]): Promise<unknown[]> {
    this.clock = tickHlc(this.clock, Date.now());
    this.counters.commitsIssued++;
    const args = commitArgs(this.clock.wallMs, this.clock.logical, entries);
    return this.group
      .orderedQuery(this.options.ackReplicas, COMMIT_ID, ...args, { timeoutMs: this.options.appendTimeoutMs })
      .catch((error: unknown) => {
        // vsync refuses a request of a non-member before it is ordered (or drops it unsent when the member leaves).
        throw error instanceof NotAMemberError ? new FileStoreNotMemberError(this.group.name) : error;
      });
  }

  /** The file as of a point in time (null: all of it now), oldest record first. A file that does not exist (or
   *  had no record by then) reads as empty. */
  async *read(path: string, at: TemporalPoint | null): AsyncIterable<StoredRecord> {
    this.checkOpen();
    validateFilePath(path);
    if (at !== null) checkPoint(at);
    const log = this.store.file(path);
    if (log === undefined) return;
    for await (const record of readAsOf(log, at)) {
      this.counters.recordsRead++;
      yield storedOf(path, record);
    }
  }

  /** Every file as of one point in time, files in path order: a consistent cut (no record after the point, none
   *  before it missing, among the records this replica applied). */
  async *snapshot(at: TemporalPoint): AsyncIterable<StoredRecord> {
    this.checkOpen();
    checkPoint(at);
    for (const path of this.store.paths()) yield* this.read(path, at);
  }

  /** Files whose path starts with `prefix`, sorted. */
  async list(prefix = ''): Promise<FileInfo[]> {
    this.checkOpen();
    if (typeof prefix !== 'string') throw new FileStoreRecordError('prefix', 'must be a string');
    return this.store
      .paths()
      .filter((path) => path.startsWith(prefix))
      .map((path) => {
        const log = this.store.file(path)!;
        return { path, records: log.records, bytes: log.dataBytes, lastServerTime: log.lastStamp };
      });
  }

  stats(): FileStoreStats {
    let records = 0;
    let bytes = 0;
    for (const path of this.store.paths()) {
      const log = this.store.file(path)!;
      records += log.records;
      bytes += log.dataBytes;
    }
    return {
      durable: this.options.durable,
      files: this.store.paths().length,
      records,
      bytes,
      nextSeq: this.store.nextSeq,
      lastServerTime: this.store.lastStamp,
      pendingAppends: this.pending,
      recovery: this.recovery,
      members: this.group.view?.members.length ?? 0,
      ...this.counters,
    };
  }

  /** Errors of the replica's group (a handler failure, a failed catch-up, an exclusion), as they happen. */
  onError(listener: (error: Error) => void): this {
    this.errorListeners.push(listener);
    return this;
  }

  /** Leaves the group and closes the files (fsyncing them in durable mode). */
  close(): Promise<void> {
    this.closed ??= 'it was closed';
    this.closing ??= (async () => {
      await this.group.close();
      await Promise.allSettled([...this.syncPasses]);
      this.store.close();
    })();
    return this.closing;
  }

  /** Runs at every replica in the group's total order: stamps and writes the commit's appends in their order,
   *  answers for all of them once written (durable: fsynced, one pass for the whole commit). */
  private applyCommit(proposed: HlcTimestamp, args: unknown[]): number[] | Promise<number[]> {
    if (this.closed !== undefined) return WITHDRAWN;
    if (!isHlcTimestamp(proposed))
      throw new FileStoreRecordError('serverTime', 'the proposed time is malformed');
    const entries = commitEntries(args);
    const framed = this.frameCommit(entries, proposed);
    const last = framed[framed.length - 1].lastStamp;
    for (let i = 0; i < entries.length; i++) {
      try {
        this.store.apply(entries[i].path, framed[i]);
      } catch (error) {
        this.fail(`writing ${entries[i].path} failed: ${(error as Error).message}`);
        return WITHDRAWN;
      }
    }
    if (compareHlc(last, this.clock) > 0) this.clock = last;
    this.counters.appendsApplied += entries.length;
    for (const frames of framed) this.counters.recordsApplied += frames.count;
    const reply = encodeCommitReply(framed.map(entryReplyOfFrames));
    if (!this.options.durable) return reply;
    return this.syncSoon().then(
      () => reply,
      () => WITHDRAWN,
    );
  }

  /** The disk frames of a commit's appends, seqs and stamps following the store's. Every batch is checked before
   *  any is framed or written: a malformed one refuses the whole commit, alike at every replica, and leaves no
   *  replica with part of it. The frames hold the commit's batches as views: they are written before it returns. */
  private frameCommit(entries: readonly CommitEntry[], proposed: HlcTimestamp): FrameBatch[] {
    const summaries = entries.map((e) => scanBatch(e.batch, this.options));
    let nextSeq = this.store.nextSeq;
    let last = this.store.lastStamp;
    return entries.map((e, i) => {
      const frames = sealFrame(e.batch, summaries[i], nextSeq, firstStampAfter(last, proposed));
      nextSeq = frames.lastSeq + 1;
      last = frames.lastStamp;
      return frames;
    });
  }

  /** One fsync pass for every append applied in this turn of the event loop (group commit); the fsyncs run on the
   *  thread pool, so deliveries and heartbeats go on meanwhile. */
  private syncSoon(): Promise<void> {
    if (this.syncing !== undefined) return this.syncing;
    const pass = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.syncing = undefined;
        return this.store.syncAll();
      })
      .catch((error: Error) => {
        this.fail(`fsync failed: ${error.message}`);
        throw error;
      })
      .finally(() => this.syncPasses.delete(pass));
    this.syncPasses.add(pass);
    this.syncing = pass;
    return pass;
  }

  private position(): Uint8Array {
    const members = this.group.view?.members ?? [];
    return encodePosition({ nextSeq: this.store.nextSeq, lastStamp: this.store.lastStamp, members });
  }

  /** The joiner's side of the state transfer. When the group gives the load up this replica stops serving (it left
   *  the group holding part of the state), unless it rejoined as a new incarnation, which catches up again. */
  private async loadPosition(chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      if (!(signal.reason instanceof StateTransferRestartedError))
        this.fail(`catching up with the group failed: ${(signal.reason as Error).message}`);
    });
    const position = await readPosition(chunks, MAX_POSITION_BYTES);
    const startedMs = performance.now();
    const result = await catchUp(
      this.group,
      this.store,
      position,
      {
        chunkBytes: this.options.catchUpChunkBytes,
        timeoutMs: this.options.catchUpTimeoutMs,
      },
      signal,
    );
    if (this.options.durable) await this.store.syncAll();
    this.clock = this.store.lastStamp;
    this.counters.catchUpRecords += result.records;
    this.counters.catchUpBytes += result.bytes;
    this.counters.catchUpRemoved += result.removed;
    this.counters.catchUpMs += Math.round(performance.now() - startedMs);
  }

  /** A write or fsync failed: this replica no longer holds what the group holds, so it stops serving and leaves the
   *  group (its answers would otherwise abort every append). Restarting it replays its log and catches up. */
  private fail(reason: string): void {
    if (this.closed !== undefined) return;
    this.closed = reason;
    const error = new FileStoreClosedError(reason);
    this.errorListeners.forEach((listener) => listener(error));
    this.group.close().catch((e: Error) => this.errorListeners.forEach((listener) => listener(e)));
  }

  private checkOpen(): void {
    if (this.closed !== undefined) throw new FileStoreClosedError(this.closed);
  }
}

function storedOf(path: string, r: FrameRecord): StoredRecord {
  return {
    path,
    seq: r.seq,
    userTimeNs: r.userTimeNs,
    serverTime: r.serverTime,
    data: new Uint8Array(r.data),
  };
}

function entryReplyOfFrames(frames: FrameBatch): EntryReply {
  return { firstSeq: frames.firstSeq, first: frames.firstStamp, last: frames.lastStamp };
}

function resultOf(
  path: string,
  records: number,
  reply: EntryReply,
  replicas: number,
  durable: boolean,
): AppendResult {
  return {
    path,
    firstSeq: reply.firstSeq,
    serverTime: reply.first,
    lastServerTime: reply.last,
    records,
    replicas,
    durable,
  };
}

function checkPoint(at: TemporalPoint): void {
  if (at === null || typeof at !== 'object')
    throw new FileStoreRecordError('at', 'must be { timeNs, clock } or null');
  checkUserTime(at.timeNs, 'at.timeNs');
  if (at.clock !== 'user' && at.clock !== 'server')
    throw new FileStoreRecordError('at.clock', `must be 'user' or 'server', got ${JSON.stringify(at.clock)}`);
}
