import { open } from 'node:fs/promises';
import { FRAME_PREFIX_BYTES, parseFrame, type BatchFrame } from './record-frame';

/** A place in a file's log: a segment number and a byte offset in it. */
export interface LogPosition {
  readonly segment: number;
  readonly position: number;
}

export interface ScannedFrame {
  readonly frame: BatchFrame;
  /** The frame's bytes as on disk (a view valid until the next frame is taken). */
  readonly raw: Buffer;
  readonly at: LogPosition;
}

/** Where a scan of segments stopped early, when it met a damaged or torn frame. */
export interface ScanDamage {
  at: LogPosition;
  reason: string;
}

export interface ScanRange {
  readonly segments: readonly { readonly index: number; readonly bytes: number }[];
  readonly segmentPath: (index: number) => string;
  readonly from: LogPosition;
  /** Exclusive end; a segment past the end is not read. */
  readonly to: LogPosition;
  readonly readChunkBytes: number;
  readonly damage?: ScanDamage;
}

/** Frames between two positions, segment after segment, reading `readChunkBytes` at a time (or a whole frame, when
 *  one is larger). A damaged or torn frame ends the scan and is reported in `range.damage` (recovery cuts the log
 *  there). */
export async function* scanSegments(range: ScanRange): AsyncGenerator<ScannedFrame> {
  for (const segment of range.segments) {
    if (segment.index < range.from.segment) continue;
    if (segment.index > range.to.segment) return;
    const start = segment.index === range.from.segment ? range.from.position : 0;
    const end =
      segment.index === range.to.segment ? Math.min(range.to.position, segment.bytes) : segment.bytes;
    if (start >= end) continue;
    const complete = yield* scanOne(range, segment.index, start, end);
    if (!complete) return;
  }
}

async function* scanOne(
  range: ScanRange,
  segment: number,
  start: number,
  end: number,
): AsyncGenerator<ScannedFrame, boolean> {
  const handle = await open(range.segmentPath(segment), 'r');
  try {
    let buf = Buffer.alloc(0);
    let bufStart = start;
    let at = 0;
    while (bufStart + at < end) {
      const parsed = parseFrame(buf, at);
      if (parsed.kind === 'frame') {
        yield {
          frame: parsed.frame,
          raw: buf.subarray(at, parsed.end),
          at: { segment, position: bufStart + at },
        };
        at = parsed.end;
        continue;
      }
      if (parsed.kind === 'corrupt') return damaged(range, segment, bufStart + at, parsed.reason);
      // Incomplete: keep the partial frame and read the rest of it (at least a chunk) after it.
      const readFrom = bufStart + buf.length;
      if (readFrom >= end) return damaged(range, segment, bufStart + at, 'torn frame at the end');
      const held = buf.length - at;
      const frameBytes = held >= FRAME_PREFIX_BYTES ? FRAME_PREFIX_BYTES + buf.readUInt32LE(at) : 0;
      const want = Math.min(Math.max(range.readChunkBytes, frameBytes - held), end - readFrom);
      const more = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(more, 0, want, readFrom);
      if (bytesRead === 0) return damaged(range, segment, bufStart + at, 'segment shorter than expected');
      buf = Buffer.concat([buf.subarray(at), more.subarray(0, bytesRead)]);
      bufStart += at;
      at = 0;
    }
    return true;
  } finally {
    await handle.close();
  }
}

function damaged(range: ScanRange, segment: number, position: number, reason: string): boolean {
  if (range.damage !== undefined) {
    range.damage.at = { segment, position };
    range.damage.reason = reason;
  }
  return false;
}
