import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compareHlc, HLC_ZERO, type HlcTimestamp } from '../protocol/hlc';
import { blockOfSeq, type IndexBlock } from '../protocol/temporal-cut';
import { frameBatchOf, sliceFrame, type FrameBatch, type FrameRecord, type FrameSpan } from './record-frame';
import { scanSegments, type LogPosition, type ScanDamage, type ScannedFrame } from './segment-scan';

export interface FileLogBounds {
  /** Every write reaches the disk before the store acknowledges it: a segment closed while written since the last
   *  sync is kept for the next sync pass, and a new segment's directory entry is synced with it. */
  readonly durable: boolean;
  readonly maxSegmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly readChunkBytes: number;
}

/** A segment open for appending; `syncing` fsyncs in flight keep its descriptor open after closeWriter(). */
interface Writer {
  readonly segment: number;
  readonly fd: number;
  /** Written since its last fsync. */
  dirty: boolean;
  syncing: number;
  closing: boolean;
}

/**
 * Segments of one file closed while holding unsynced writes (a segment rolled over, or the writer closed to bound
 * the open ones), kept open for the next sync pass instead of an fsync that would stop the event loop. Past this
 * many the next one is synced at once.
 */
export const MAX_RETIRED_WRITERS_PER_FILE = 8;

interface Segment {
  readonly index: number;
  bytes: number;
}

export const SEGMENT_SUFFIX = '.seg';

/**
 * The log of one file of the store: segment files in its own directory, records in seq order, and a sparse index
 * in memory (one IndexBlock every indexIntervalBytes, at a record boundary) over server time, user time and seq.
 */
export class FileLog {
  readonly blocks: IndexBlock[] = [];
  private readonly segments: Segment[] = [];
  records = 0;
  dataBytes = 0;
  lastSeq = -1;
  lastStamp: HlcTimestamp = HLC_ZERO;
  private bytesInBlock = 0;
  private writer: Writer | undefined;
  private readonly retired: Writer[] = [];
  /** A segment was created since the last sync: the directory holding it is synced with the next pass. */
  private dirUnsynced = false;

  constructor(
    readonly path: string,
    readonly dir: string,
    private readonly bounds: FileLogBounds,
  ) {}

  segmentPath(index: number): string {
    return join(this.dir, `${String(index).padStart(10, '0')}${SEGMENT_SUFFIX}`);
  }

  get totalBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Rebuilds the index from the segments on disk; cuts a torn or damaged tail (and any segment after it). Returns
   *  the runs of consecutive seqs found, and whether a tail was cut. */
  async recover(): Promise<{ runs: Array<[number, number]>; cut: string | undefined }> {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)
      .filter((n) => n.endsWith(SEGMENT_SUFFIX))
      .sort()) {
      const index = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      if (Number.isSafeInteger(index)) this.segments.push({ index, bytes: fileSize(join(this.dir, name)) });
    }
    const runs: Array<[number, number]> = [];
    const damage: ScanDamage = { at: { segment: -1, position: 0 }, reason: '' };
    for await (const { frame, at, raw } of this.scan(this.start(), this.end(), damage)) {
      if (frame.firstSeq <= this.lastSeq) {
        damage.at = at;
        damage.reason = `seq ${frame.firstSeq} after ${this.lastSeq}`;
        break;
      }
      this.index(frame, at, raw.length);
      const run = runs[runs.length - 1];
      if (run !== undefined && run[1] === frame.firstSeq) run[1] = frame.lastSeq + 1;
      else runs.push([frame.firstSeq, frame.lastSeq + 1]);
    }
    if (damage.at.segment < 0) return { runs, cut: undefined };
    this.cutAt(damage.at);
    return { runs, cut: damage.reason };
  }

  /** Appends records (seqs above lastSeq, stamps not below lastStamp) with one write; the caller fsyncs if durable. */
  append(records: readonly FrameRecord[]): void {
    this.appendBatch(frameBatchOf(records));
  }

  /** Appends frames with one write; they start a new index block when the last one is full. */
  appendBatch(batch: FrameBatch): void {
    if (batch.firstSeq <= this.lastSeq || compareHlc(batch.firstStamp, this.lastStamp) < 0)
      throw new Error(
        `file log ${this.path}: record ${batch.firstSeq} is out of order after ${this.lastSeq}`,
      );
    const segment = this.segmentFor(batch.byteLength);
    const last = this.blocks[this.blocks.length - 1];
    if (
      last === undefined ||
      last.segment !== segment.index ||
      this.bytesInBlock >= this.bounds.indexIntervalBytes
    ) {
      const at = { segment: segment.index, position: segment.bytes };
      this.blocks.push({
        firstSeq: batch.firstSeq,
        firstStamp: batch.firstStamp,
        minUserTimeNs: batch.minUserTimeNs,
        ...at,
      });
      this.bytesInBlock = 0;
    } else if (batch.minUserTimeNs < last.minUserTimeNs) last.minUserTimeNs = batch.minUserTimeNs;
    const writer = this.writerOf(segment.index);
    writeAll(writer.fd, batch.chunks, batch.byteLength);
    segment.bytes += batch.byteLength;
    this.bytesInBlock += batch.byteLength;
    this.records += batch.count;
    this.dataBytes += batch.dataBytes;
    this.lastSeq = batch.lastSeq;
    this.lastStamp = batch.lastStamp;
    writer.dirty = true;
  }

  /** Written since the last sync: segment data, or a new segment's directory entry. */
  get dirty(): boolean {
    return this.writer?.dirty === true || this.retired.length > 0 || this.dirUnsynced;
  }

  /** Segments closed with unsynced writes, waiting for the next sync. */
  get retiredWriters(): number {
    return this.retired.length;
  }

  /** Makes what was appended so far durable, on the thread pool: the event loop (and vsync's heartbeats) runs on
   *  while the disk syncs. Syncs the segment being written, the segments closed since the last sync (then closes
   *  them) and, when a segment was created, the directory. Appends made meanwhile are left for the next sync. */
  async sync(): Promise<void> {
    // Segments closed since the last sync are closed for good once synced.
    const writers = this.retired.splice(0);
    for (const writer of writers) writer.closing = true;
    if (this.writer?.dirty === true) writers.push(this.writer);
    const syncDir = this.dirUnsynced;
    this.dirUnsynced = false;
    for (const writer of writers) {
      writer.dirty = false;
      writer.syncing++;
    }
    try {
      await Promise.all([
        ...writers.map((writer) => fsyncAsync(writer.fd)),
        ...(syncDir ? [syncPathAsync(this.dir)] : []),
      ]);
    } finally {
      for (const writer of writers) settleSync(writer);
    }
  }

  /**
   * Closes the segment being written. In durable mode a segment written since the last sync is fsynced first, or,
   * with `deferSync`, kept open for the next sync() to sync and close (up to MAX_RETIRED_WRITERS_PER_FILE). A sync
   * still running closes it when it ends.
   */
  closeWriter(deferSync = false): void {
    const writer = this.writer;
    if (writer === undefined) return;
    this.writer = undefined;
    if (writer.dirty && this.bounds.durable) {
      if (deferSync && this.retired.length < MAX_RETIRED_WRITERS_PER_FILE) {
        this.retired.push(writer);
        return;
      }
      fsyncSync(writer.fd);
    }
    writer.dirty = false;
    release(writer);
  }

  /** Closes every descriptor, syncing first in durable mode what is not synced yet (shutdown, removal). */
  close(): void {
    this.closeWriter();
    for (const writer of this.retired.splice(0)) {
      fsyncSync(writer.fd);
      writer.dirty = false;
      release(writer);
    }
    if (this.dirUnsynced && this.bounds.durable) syncPathSync(this.dir);
    this.dirUnsynced = false;
  }

  /** Frames from the start of block `fromBlock` to the start of block `endBlock` (or the current end), as the log
   *  stands now: records appended during the scan are not seen. */
  framesOfBlocks(fromBlock: number, endBlock: number): AsyncGenerator<ScannedFrame> {
    if (fromBlock >= endBlock) return scanNothing();
    const from = this.blocks[fromBlock];
    const to = endBlock < this.blocks.length ? this.blocks[endBlock] : this.end();
    return this.scan({ segment: from.segment, position: from.position }, to);
  }

  /** Frames from the block holding `seq` to the end as it stands now (catch-up serving). */
  framesFromSeq(seq: number): AsyncGenerator<ScannedFrame> {
    if (this.blocks.length === 0 || seq > this.lastSeq) return scanNothing();
    return this.framesOfBlocks(blockOfSeq(this.blocks, seq), this.blocks.length);
  }

  /** Removes every record with seq >= `seq` (recovery of a gap, or records the group does not hold). A frame holding
   *  records on both sides is cut whole and its records below `seq` written again as a frame of their own. */
  async truncateFromSeq(seq: number): Promise<void> {
    if (seq > this.lastSeq) return;
    let cut: LogPosition | undefined;
    let kept: FrameBatch | undefined;
    for await (const { frame, at, raw } of this.framesFromSeq(seq)) {
      if (frame.lastSeq >= seq) {
        cut = at;
        // A part of a frame is framed anew, in buffers of its own: the scan's buffer is gone after the cut.
        kept = sliceFrame(frame, raw, frame.firstSeq, seq);
        break;
      }
    }
    if (cut !== undefined) this.cutAt(cut);
    this.reset();
    await this.recover();
    if (kept !== undefined) this.appendBatch(kept);
  }

  private scan(from: LogPosition, to: LogPosition, damage?: ScanDamage): AsyncGenerator<ScannedFrame> {
    return scanSegments({
      segments: this.segments.map((s) => ({ index: s.index, bytes: s.bytes })),
      segmentPath: (i) => this.segmentPath(i),
      from,
      to,
      readChunkBytes: this.bounds.readChunkBytes,
      damage,
    });
  }

  private start(): LogPosition {
    return { segment: this.segments[0]?.index ?? 0, position: 0 };
  }

  private end(): LogPosition {
    const last = this.segments[this.segments.length - 1];
    return last === undefined ? { segment: 0, position: 0 } : { segment: last.index, position: last.bytes };
  }

  /** Indexes one frame found by recovery (the segment sizes come from the disk). */
  private index(frame: FrameSpan, at: LogPosition, bytes: number): void {
    const last = this.blocks[this.blocks.length - 1];
    const newSegment = last === undefined || last.segment !== at.segment;
    if (newSegment || this.bytesInBlock >= this.bounds.indexIntervalBytes) {
      const { firstSeq, firstStamp, minUserTimeNs } = frame;
      this.blocks.push({ firstSeq, firstStamp, minUserTimeNs, ...at });
      this.bytesInBlock = 0;
    } else if (frame.minUserTimeNs < last.minUserTimeNs) last.minUserTimeNs = frame.minUserTimeNs;
    this.bytesInBlock += bytes;
    this.records += frame.count;
    this.dataBytes += frame.dataBytes;
    this.lastSeq = frame.lastSeq;
    this.lastStamp = frame.lastStamp;
  }

  private segmentFor(bytes: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && (last.bytes === 0 || last.bytes + bytes <= this.bounds.maxSegmentBytes))
      return last;
    const segment = { index: last === undefined ? 0 : last.index + 1, bytes: 0 };
    this.segments.push(segment);
    return segment;
  }

  /** The writer of `segment`, opened for appending (created when new). A segment left for another is kept for the
   *  next sync pass when it holds unsynced writes. */
  private writerOf(segment: number): Writer {
    if (this.writer?.segment === segment) return this.writer;
    this.closeWriter(true);
    mkdirSync(this.dir, { recursive: true });
    const path = this.segmentPath(segment);
    if (this.bounds.durable && !existsSync(path)) this.dirUnsynced = true;
    this.writer = { segment, fd: openSync(path, 'a'), dirty: false, syncing: 0, closing: false };
    return this.writer;
  }

  /** Cuts the log at `at`: that segment is truncated there and every later one removed. */
  private cutAt(at: LogPosition): void {
    this.close();
    for (const s of this.segments.filter((s) => s.index > at.segment))
      rmSync(this.segmentPath(s.index), { force: true });
    truncateSync(this.segmentPath(at.segment), at.position);
    const kept = this.segments.filter((s) => s.index <= at.segment);
    this.segments.splice(0, this.segments.length, ...kept);
    const cutSegment = this.segments.find((s) => s.index === at.segment);
    if (cutSegment !== undefined) cutSegment.bytes = at.position;
  }

  private reset(): void {
    this.blocks.length = 0;
    this.segments.length = 0;
    this.records = 0;
    this.dataBytes = 0;
    this.lastSeq = -1;
    this.lastStamp = HLC_ZERO;
    this.bytesInBlock = 0;
  }
}

const fsyncAsync = promisify(fsync);

/** Writes `chunks` (`bytes` in all) at the end of `fd`, going on after a short write. */
export function writeAll(fd: number, chunks: readonly Uint8Array[], bytes: number): void {
  let written = writevSync(fd, chunks as Uint8Array[]);
  for (let i = 0, start = 0; written < bytes; start += chunks[i].length, i++) {
    const end = start + chunks[i].length;
    while (written < end) written += writeSync(fd, chunks[i], written - start, end - written);
  }
}

/** A sync of `writer` ended: a writer closed meanwhile is closed once no sync holds it. */
function settleSync(writer: Writer): void {
  writer.syncing--;
  if (writer.closing && writer.syncing === 0) closeSync(writer.fd);
}

/** A writer is given up: closed now, or by the last sync still holding it. */
function release(writer: Writer): void {
  writer.closing = true;
  if (writer.syncing === 0) closeSync(writer.fd);
}

/** fsyncs a file or directory by path, on the thread pool. */
export async function syncPathAsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a file or directory by path, at once. */
export function syncPathSync(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileSize(path: string): number {
  return statSync(path).size;
}

async function* scanNothing(): AsyncGenerator<ScannedFrame> {}
