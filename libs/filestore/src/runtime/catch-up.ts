import type { Group, ProcessId } from '@gridcloud/vsync';
import { FileStoreCatchUpError } from '../errors/file-store-catch-up-error';
import { compareHlc, isHlcTimestamp, type HlcTimestamp } from '../protocol/hlc';
import {
  joinFrames,
  parseFrame,
  sliceFrame,
  type BatchFrame,
  type FrameBatch,
} from '../storage/record-frame';
import type { StoreLog } from '../storage/store-log';
import { CATCH_UP_FILES_ID, CATCH_UP_RECORDS_ID } from './handler-ids';

/**
 * The checkpoint the group hands a joiner at its view boundary: not the store, only where the group stands (the next
 * seq and last server time) and the members that hold it. Every old member makes the same bytes, so vsync's state
 * transfer may resume from any of them; the joiner then fetches the records it lacks from one of those members.
 */
export interface GroupPosition {
  readonly nextSeq: number;
  readonly lastStamp: HlcTimestamp;
  readonly members: readonly ProcessId[];
}

export function encodePosition(position: GroupPosition): Uint8Array {
  const members = position.members.map((m) => ({ address: m.address, incarnation: m.incarnation }));
  const { wallMs, logical } = position.lastStamp;
  return Buffer.from(JSON.stringify({ nextSeq: position.nextSeq, lastStamp: { wallMs, logical }, members }));
}

export async function readPosition(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<GroupPosition> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new FileStoreCatchUpError(`the group position is over ${maxBytes} bytes`);
    parts.push(Buffer.from(chunk));
  }
  const value = JSON.parse(Buffer.concat(parts).toString('utf8')) as GroupPosition;
  if (
    !Number.isSafeInteger(value?.nextSeq) ||
    !isHlcTimestamp(value.lastStamp) ||
    !Array.isArray(value.members)
  )
    throw new FileStoreCatchUpError('the group position is malformed');
  return value;
}

export interface CatchUpBounds {
  readonly chunkBytes: number;
  readonly timeoutMs: number;
}

export interface CatchUpResult {
  readonly records: number;
  readonly bytes: number;
  /** Records this replica held that the group does not (applied here only, before a crash) and were removed. */
  readonly removed: number;
}

/** Brings `store` to the group's position: removes what the group does not hold, then fetches the missing records
 *  file by file from the first member that answers. A store whose history differs is emptied and fetched whole.
 *  Once `signal` is aborted (the group gave this load up) the store is changed no further. A catch-up that fails or
 *  is given up midway removes what it fetched above nextSeq, so the store again holds exactly 0..nextSeq-1 (the new
 *  incarnation fetches the rest, or starts from there if it is the group's only member). */
export async function catchUp(
  group: Group,
  store: StoreLog,
  position: GroupPosition,
  bounds: CatchUpBounds,
  signal: AbortSignal,
): Promise<CatchUpResult> {
  try {
    signal.throwIfAborted();
    let removed = await store.truncateFrom(position.nextSeq);
    let fetched = await fetchFromAny(group, store, position, bounds, signal);
    if (compareHlc(store.lastStampHeld(), position.lastStamp) !== 0) {
      signal.throwIfAborted();
      removed += await store.truncateFrom(0);
      fetched = await fetchFromAny(group, store, position, bounds, signal);
      if (compareHlc(store.lastStampHeld(), position.lastStamp) !== 0)
        throw new FileStoreCatchUpError('the fetched records do not end at the group position');
    }
    return { ...fetched, removed };
  } catch (error) {
    await store.truncateFrom(store.nextSeq);
    throw error;
  }
}

async function fetchFromAny(
  group: Group,
  store: StoreLog,
  position: GroupPosition,
  bounds: CatchUpBounds,
  signal: AbortSignal,
): Promise<{ records: number; bytes: number }> {
  const self = group.process.self.address;
  const errors: string[] = [];
  if (store.nextSeq >= position.nextSeq) return { records: 0, bytes: 0 };
  for (const member of position.members) {
    if (member.address === self) continue;
    try {
      const got = await fetchRange(group, member, store, position.nextSeq, bounds, signal);
      signal.throwIfAborted();
      store.finishCatchUp(position.nextSeq);
      return got;
    } catch (error) {
      signal.throwIfAborted();
      errors.push(`${member.address}: ${(error as Error).message}`);
    }
  }
  throw new FileStoreCatchUpError(`no member served the records: ${errors.join('; ') || 'no member to ask'}`);
}

async function fetchRange(
  group: Group,
  member: ProcessId,
  store: StoreLog,
  toSeq: number,
  bounds: CatchUpBounds,
  signal: AbortSignal,
): Promise<{ records: number; bytes: number }> {
  const fromSeq = store.nextSeq;
  const options = { timeoutMs: bounds.timeoutMs };
  let afterPath = '';
  const total = { records: 0, bytes: 0 };
  for (;;) {
    const [paths, done] = await group.p2pQuery<[string[], boolean]>(
      member,
      CATCH_UP_FILES_ID,
      fromSeq,
      toSeq,
      afterPath,
      bounds.chunkBytes,
      options,
    );
    for (const path of paths) {
      const got = await fetchFile(group, member, store, path, { fromSeq, toSeq }, bounds, signal);
      total.records += got.records;
      total.bytes += got.bytes;
    }
    if (done || paths.length === 0) return total;
    afterPath = paths[paths.length - 1];
  }
}

async function fetchFile(
  group: Group,
  member: ProcessId,
  store: StoreLog,
  path: string,
  range: { fromSeq: number; toSeq: number },
  bounds: CatchUpBounds,
  signal: AbortSignal,
): Promise<{ records: number; bytes: number }> {
  let from = Math.max(range.fromSeq, (store.file(path)?.lastSeq ?? -1) + 1);
  const total = { records: 0, bytes: 0 };
  for (;;) {
    const [frames, done] = await group.p2pQuery<[Uint8Array, boolean]>(
      member,
      CATCH_UP_RECORDS_ID,
      path,
      from,
      range.toSeq,
      bounds.chunkBytes,
      { timeoutMs: bounds.timeoutMs },
    );
    signal.throwIfAborted();
    const parsed = parseFrames(frames);
    const fresh = freshPart(
      parsed,
      Math.max(store.nextSeq, (store.file(path)?.lastSeq ?? -1) + 1),
      range.toSeq,
    );
    if (fresh !== undefined) store.applyFetched(path, fresh);
    total.records += fresh?.count ?? 0;
    total.bytes += frames.length;
    if (done || parsed.length === 0) return total;
    from = parsed[parsed.length - 1].frame.lastSeq + 1;
  }
}

interface FetchedFrame {
  readonly frame: BatchFrame;
  readonly raw: Buffer;
}

/** The records of the fetched frames with seq in [fromSeq, toSeq) (a file's seqs grow), as frames to append: whole
 *  frames as they came, a frame holding records on either side of the range framed anew. */
function freshPart(parsed: readonly FetchedFrame[], fromSeq: number, toSeq: number): FrameBatch | undefined {
  const kept: FrameBatch[] = [];
  for (const { frame, raw } of parsed) {
    const part = sliceFrame(frame, raw, fromSeq, toSeq);
    if (part !== undefined) kept.push(part);
  }
  return kept.length === 0 ? undefined : joinFrames(kept);
}

function parseFrames(bytes: Uint8Array): FetchedFrame[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const frames: FetchedFrame[] = [];
  let at = 0;
  while (at < buf.length) {
    const parsed = parseFrame(buf, at);
    if (parsed.kind !== 'frame') throw new FileStoreCatchUpError(`a fetched frame is damaged at byte ${at}`);
    frames.push({ frame: parsed.frame, raw: buf.subarray(at, parsed.end) });
    at = parsed.end;
  }
  return frames;
}
