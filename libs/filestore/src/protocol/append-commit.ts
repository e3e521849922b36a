import { FileStoreRecordError } from '../errors/file-store-record-error';
import { validateFilePath } from './file-path';

/**
 * A group commit: the appends a replica took in one turn of its event loop (many clients, many files), ordered
 * through the group as one multicast and applied in their order by every replica. It travels as the group call's
 * arguments `wallMs, logical, path1, batch1, path2, batch2, ...`: vsync's plain argument layout carries strings and
 * byte arrays as they are (each batch copied once into the message, no object per record), and its one-byte
 * argument count is why a commit holds at most MAX_COMMIT_APPENDS_LIMIT appends.
 */
export interface CommitEntry {
  readonly path: string;
  readonly batch: Uint8Array;
}

/** Arguments before the entries: the proposed server time (wall ms, logical). */
const COMMIT_HEADER_ARGS = 2;
/** vsync's plain layout counts arguments in one byte (255): two for the time, two per append. */
export const MAX_COMMIT_APPENDS_LIMIT = Math.floor((255 - COMMIT_HEADER_ARGS) / 2);
/** Bytes a commit's message takes besides its entries: count, two tagged f64 and the handler id. */
export const COMMIT_HEADER_BYTES = 2 + 2 * 9 + 4;

/** Bytes an append adds to its commit's message: the path and batch with their type tags and lengths. */
export function commitEntryBytes(path: string, batch: Uint8Array): number {
  return 5 + Buffer.byteLength(path, 'utf8') + 5 + batch.byteLength;
}

/** The group call's arguments for a commit (after the handler id). */
export function commitArgs(wallMs: number, logical: number, entries: readonly CommitEntry[]): unknown[] {
  if (entries.length === 0 || entries.length > MAX_COMMIT_APPENDS_LIMIT)
    throw new RangeError(`a commit holds 1..${MAX_COMMIT_APPENDS_LIMIT} appends, got ${entries.length}`);
  const args: unknown[] = [wallMs, logical];
  for (const e of entries) args.push(e.path, plainBytes(e.batch));
  return args;
}

/**
 * The batch as a plain Uint8Array over the same bytes. vsync's plain layout takes exactly Uint8Array (a Buffer must
 * come back as a Buffer, so it goes through structured clone): an HTTP body is a Buffer, and before this view every
 * commit was serialized by V8 and copied twice more at each replica, a tenth of a replica's time under load.
 */
function plainBytes(batch: Uint8Array): Uint8Array {
  return batch.constructor === Uint8Array
    ? batch
    : new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength);
}

/** The entries of a delivered commit (the arguments after the proposed time); throws FileStoreRecordError naming
 *  the first malformed one. Every replica decides alike, so a bad commit is refused everywhere before any write. */
export function commitEntries(args: readonly unknown[]): CommitEntry[] {
  if (args.length === 0 || args.length % 2 !== 0 || args.length / 2 > MAX_COMMIT_APPENDS_LIMIT)
    throw new FileStoreRecordError('commit', `expected 1..${MAX_COMMIT_APPENDS_LIMIT} (path, batch) pairs`);
  const entries: CommitEntry[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const path = args[i];
    const batch = args[i + 1];
    if (typeof path !== 'string') throw new FileStoreRecordError(`commit[${i / 2}].path`, 'must be a string');
    if (!(batch instanceof Uint8Array))
      throw new FileStoreRecordError(`commit[${i / 2}].batch`, 'must be a Uint8Array');
    entries.push({ path: validateFilePath(path), batch });
  }
  return entries;
}

/** Numbers a replica answers per append of a commit: first seq, first and last server time (wall ms, logical). */
export const COMMIT_REPLY_STRIDE = 5;

/** One append's part of a replica's answer to a commit. */
export interface EntryReply {
  readonly firstSeq: number;
  readonly first: { readonly wallMs: number; readonly logical: number };
  readonly last: { readonly wallMs: number; readonly logical: number };
}

/** The answer of a replica to a commit: COMMIT_REPLY_STRIDE numbers per append, in the commit's order. */
export function encodeCommitReply(entries: readonly EntryReply[]): number[] {
  const out: number[] = [];
  for (const e of entries)
    out.push(e.firstSeq, e.first.wallMs, e.first.logical, e.last.wallMs, e.last.logical);
  return out;
}

/** The part of a replica's answer about the append at `index`; throws RangeError if the answer is too short. */
export function entryReplyOf(reply: unknown, index: number): EntryReply {
  const at = index * COMMIT_REPLY_STRIDE;
  if (!Array.isArray(reply) || reply.length < at + COMMIT_REPLY_STRIDE)
    throw new RangeError(`a replica's answer to a commit holds no result for append ${index}`);
  const n = reply as number[];
  return {
    firstSeq: n[at],
    first: { wallMs: n[at + 1], logical: n[at + 2] },
    last: { wallMs: n[at + 3], logical: n[at + 4] },
  };
}
