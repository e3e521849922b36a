import { FileStoreOptionsError } from './errors/file-store-options-error';
import { MAX_COMMIT_APPENDS_LIMIT } from './protocol/append-commit';

/** How one replica of the store is opened. Every bound has its unit last. */
export interface FileStoreOptions {
  /** Directory of this replica's files (one per replica; created if missing). */
  readonly dataDir: string;
  /** fsync before acknowledging an append (and create files durably); false: acknowledged once written to the OS. */
  readonly durable: boolean;
  /** Replicas that must have applied (durable: synced) an append before append() resolves. */
  readonly ackReplicas: number;
  /** The vsync group of the replicas (default 'filestore'). */
  readonly groupName?: string;
  /** Largest record (default 1 MiB). */
  readonly maxRecordBytes?: number;
  /** Most records in one append (default 10,000). */
  readonly maxBatchRecords?: number;
  /** Largest append, records and their 12-byte headers (default 2 MiB; it travels as one group message). */
  readonly maxBatchBytes?: number;
  /** Appends one group commit holds at most (default 64, at most 126: vsync's plain layout counts arguments in a
   *  byte). A commit is what this replica took in one event-loop turn, ordered through the group as one message. */
  readonly maxCommitAppends?: number;
  /** Records one group commit holds at most (default 20,000); a single append larger than this still goes alone. */
  readonly maxCommitRecords?: number;
  /** Message bytes of one group commit at most (default 2 MiB, at most 3 MiB); a single append still goes alone. */
  readonly maxCommitBytes?: number;
  /** Group commits this replica has out at once before a commit that is not full waits for one to complete
   *  (default 4): under load, commits then grow instead of multiplying. A full commit always goes. */
  readonly maxCommitsInFlight?: number;
  /** Appends issued at this replica and not acknowledged yet; one more fails with FileStoreOverloadError (default 1,024). */
  readonly maxPendingAppends?: number;
  /** How long an append waits for its acknowledgements (default 10,000 ms). */
  readonly appendTimeoutMs?: number;
  /** A file's segment is closed and a new one started past this size (default 64 MiB). */
  readonly maxSegmentBytes?: number;
  /** One sparse-index entry per this many bytes of a file (default 64 KiB): memory is about 80 bytes per entry. */
  readonly indexIntervalBytes?: number;
  /** Bytes read from disk at a time by reads and recovery (default 256 KiB). */
  readonly readChunkBytes?: number;
  /** Segment files kept open for writing (default 256). */
  readonly maxOpenWriters?: number;
  /** Bytes of records per catch-up request a joining replica makes to a member (default 1 MiB). */
  readonly catchUpChunkBytes?: number;
  /** How long one catch-up request waits for its member (default 10,000 ms). */
  readonly catchUpTimeoutMs?: number;
  /** Bytes of appends a joining replica holds back while it catches up (default 256 MiB): the group's
   *  state-transfer buffer; past it the join fails and is retried by the caller. */
  readonly maxCatchUpBufferBytes?: number;
}

export type ResolvedFileStoreOptions = Required<FileStoreOptions>;

const MIB = 1024 * 1024;
/** The group message carrying an append must fit vsync's frame (4 MiB by default) with room for its envelope. */
export const MAX_BATCH_BYTES_LIMIT = 3 * MIB;

const BOUNDS = {
  maxRecordBytes: { value: MIB, min: 1, max: MAX_BATCH_BYTES_LIMIT },
  maxBatchRecords: { value: 10_000, min: 1, max: 1_000_000 },
  maxBatchBytes: { value: 2 * MIB, min: 13, max: MAX_BATCH_BYTES_LIMIT },
  maxCommitAppends: { value: 64, min: 1, max: MAX_COMMIT_APPENDS_LIMIT },
  maxCommitRecords: { value: 20_000, min: 1, max: 1_000_000 },
  maxCommitBytes: { value: 2 * MIB, min: 1, max: MAX_BATCH_BYTES_LIMIT },
  maxCommitsInFlight: { value: 4, min: 1, max: 1_024 },
  maxPendingAppends: { value: 1_024, min: 1, max: 1_000_000 },
  appendTimeoutMs: { value: 10_000, min: 1, max: 600_000 },
  maxSegmentBytes: { value: 64 * MIB, min: 4096, max: 2 ** 40 },
  indexIntervalBytes: { value: 64 * 1024, min: 256, max: 2 ** 30 },
  readChunkBytes: { value: 256 * 1024, min: 4096, max: 64 * MIB },
  maxOpenWriters: { value: 256, min: 1, max: 65_536 },
  catchUpChunkBytes: { value: MIB, min: 4096, max: MAX_BATCH_BYTES_LIMIT },
  catchUpTimeoutMs: { value: 10_000, min: 1, max: 600_000 },
  maxCatchUpBufferBytes: { value: 256 * MIB, min: 1, max: 2 ** 40 },
  ackReplicas: { value: 1, min: 1, max: 64 },
} as const;

/** Fills defaults and checks every option, throwing FileStoreOptionsError naming the first bad one. */
export function resolveFileStoreOptions(options: FileStoreOptions): ResolvedFileStoreOptions {
  if (options === null || typeof options !== 'object')
    throw new FileStoreOptionsError('options', 'must be an object');
  if (typeof options.dataDir !== 'string' || options.dataDir.length === 0)
    throw new FileStoreOptionsError('dataDir', 'must be a non-empty directory path');
  if (typeof options.durable !== 'boolean')
    throw new FileStoreOptionsError('durable', 'must be true or false');
  const groupName = options.groupName ?? 'filestore';
  if (typeof groupName !== 'string' || groupName.length === 0 || groupName.length > 255)
    throw new FileStoreOptionsError('groupName', 'must be a string of 1..255 characters');
  const resolved: Record<string, unknown> = { dataDir: options.dataDir, durable: options.durable, groupName };
  for (const [name, bound] of Object.entries(BOUNDS)) {
    const value = (options as unknown as Record<string, unknown>)[name] ?? bound.value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < bound.min || value > bound.max)
      throw new FileStoreOptionsError(
        name,
        `must be an integer in ${bound.min}..${bound.max}, got ${String(value)}`,
      );
    resolved[name] = value;
  }
  const r = resolved as ResolvedFileStoreOptions;
  if (r.maxRecordBytes + 12 > r.maxBatchBytes)
    throw new FileStoreOptionsError(
      'maxRecordBytes',
      `a record of ${r.maxRecordBytes} bytes must fit maxBatchBytes (${r.maxBatchBytes})`,
    );
  return r;
}
