import {
  closeSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compareHlc, HLC_ZERO, type HlcTimestamp } from '../protocol/hlc';
import { blockOfSeq, type IndexBlock } from '../protocol/temporal-cut';
import { frameBatchOf, type FrameBatch, type FrameRecord } from './record-frame';
import { scanSegments, type LogPosition, type ScanDamage, type ScannedFrame } from './segment-scan';

export interface FileLogBounds {
  /** fsync a segment before closing it (the store syncs appends itself before acknowledging them). */
  readonly durable: boolean;
  readonly maxSegmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly readChunkBytes: number;
  readonly maxBodyBytes: number;
}

/** The segment open for appending; `syncing` fsyncs in flight keep its descriptor open after closeWriter(). */
interface Writer {
  readonly segment: number;
  readonly fd: number;
  syncing: number;
  closing: boolean;
}

interface Segment {
  readonly index: number;
  bytes: number;
}

const SEGMENT_SUFFIX = '.seg';

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
  /** Written since the last fsync. */
  dirty = false;

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
    for await (const frame of this.scan(this.start(), this.end(), damage)) {
      if (frame.record.seq <= this.lastSeq) {
        damage.at = frame.at;
        damage.reason = `seq ${frame.record.seq} after ${this.lastSeq}`;
        break;
      }
      this.index(frame.record, frame.at, frame.raw.length);
      const run = runs[runs.length - 1];
      if (run !== undefined && run[1] === frame.record.seq) run[1]++;
      else runs.push([frame.record.seq, frame.record.seq + 1]);
    }
    if (damage.at.segment < 0) return { runs, cut: undefined };
    this.cutAt(damage.at);
    return { runs, cut: damage.reason };
  }

  /** Appends records (seqs above lastSeq, stamps not below lastStamp) with one write; the caller fsyncs if durable. */
  append(records: readonly FrameRecord[]): void {
    this.appendBatch(frameBatchOf(records));
  }

  /** Appends consecutive frames with one write; they start a new index block when the last one is full. */
  appendBatch(batch: FrameBatch): void {
    if (batch.firstSeq <= this.lastSeq || compareHlc(batch.firstStamp, this.lastStamp) < 0)
      throw new Error(
        `file log ${this.path}: record ${batch.firstSeq} is out of order after ${this.lastSeq}`,
      );
    const segment = this.segmentFor(batch.bytes.length);
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
    const fd = this.writerFd(segment.index);
    let written = 0;
    while (written < batch.bytes.length)
      written += writeSync(fd, batch.bytes, written, batch.bytes.length - written);
    segment.bytes += batch.bytes.length;
    this.bytesInBlock += batch.bytes.length;
    this.records += batch.count;
    this.dataBytes += batch.dataBytes;
    this.lastSeq = batch.lastSeq;
    this.lastStamp = batch.lastStamp;
    this.dirty = true;
  }

  /** Makes what was appended so far durable, on the thread pool: the event loop (and vsync's heartbeats) runs on
   *  while the disk syncs. Appends made meanwhile set `dirty` again for the next sync. */
  async sync(): Promise<void> {
    const writer = this.writer;
    if (writer === undefined || !this.dirty) return;
    this.dirty = false;
    writer.syncing++;
    try {
      await fsyncAsync(writer.fd);
    } finally {
      writer.syncing--;
      if (writer.closing && writer.syncing === 0) closeSync(writer.fd);
    }
  }

  /** Closes the segment being written (fsyncing it first in durable mode when written since the last sync); a
   *  sync still running closes it when it ends. */
  closeWriter(): void {
    const writer = this.writer;
    if (writer === undefined) return;
    if (this.dirty && this.bounds.durable) fsyncSync(writer.fd);
    this.dirty = false;
    this.writer = undefined;
    if (writer.syncing > 0) writer.closing = true;
    else closeSync(writer.fd);
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

  /** Removes every record with seq >= `seq` (recovery of a gap, or records the group does not hold). */
  async truncateFromSeq(seq: number): Promise<void> {
    if (seq > this.lastSeq) return;
    let cut: LogPosition | undefined;
    for await (const frame of this.framesFromSeq(seq)) {
      if (frame.record.seq >= seq) {
        cut = frame.at;
        break;
      }
    }
    if (cut !== undefined) this.cutAt(cut);
    this.reset();
    await this.recover();
  }

  private scan(from: LogPosition, to: LogPosition, damage?: ScanDamage): AsyncGenerator<ScannedFrame> {
    return scanSegments({
      segments: this.segments.map((s) => ({ index: s.index, bytes: s.bytes })),
      segmentPath: (i) => this.segmentPath(i),
      from,
      to,
      readChunkBytes: this.bounds.readChunkBytes,
      maxBodyBytes: this.bounds.maxBodyBytes,
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

  /** Indexes one record found by recovery (the segment sizes come from the disk). */
  private index(r: FrameRecord, at: LogPosition, bytes: number): void {
    const last = this.blocks[this.blocks.length - 1];
    const newSegment = last === undefined || last.segment !== at.segment;
    if (newSegment || this.bytesInBlock >= this.bounds.indexIntervalBytes) {
      this.blocks.push({ firstSeq: r.seq, firstStamp: r.serverTime, minUserTimeNs: r.userTimeNs, ...at });
      this.bytesInBlock = 0;
    } else if (r.userTimeNs < last.minUserTimeNs) last.minUserTimeNs = r.userTimeNs;
    this.bytesInBlock += bytes;
    this.records++;
    this.dataBytes += r.data.length;
    this.lastSeq = r.seq;
    this.lastStamp = r.serverTime;
  }

  private segmentFor(bytes: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && (last.bytes === 0 || last.bytes + bytes <= this.bounds.maxSegmentBytes))
      return last;
    const segment = { index: last === undefined ? 0 : last.index + 1, bytes: 0 };
    this.segments.push(segment);
    return segment;
  }

  private writerFd(segment: number): number {
    if (this.writer?.segment === segment) return this.writer.fd;
    this.closeWriter();
    mkdirSync(this.dir, { recursive: true });
    this.writer = { segment, fd: openSync(this.segmentPath(segment), 'a'), syncing: 0, closing: false };
    return this.writer.fd;
  }

  /** Cuts the log at `at`: that segment is truncated there and every later one removed. */
  private cutAt(at: LogPosition): void {
    this.closeWriter();
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

function fileSize(path: string): number {
  return statSync(path).size;
}

async function* scanNothing(): AsyncGenerator<ScannedFrame> {}
