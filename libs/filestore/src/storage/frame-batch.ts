import { scanBatch, type BatchBounds } from '../protocol/append-batch';
import type { HlcTimestamp } from '../protocol/hlc';
import { sealFrame, type FrameBatch } from './record-frame';

/**
 * The disk frame of an append as it travels through the group (append-batch.ts: big-endian user time and length,
 * then data): checked against the bounds in one pass over its record headers, then written as it is behind a frame
 * header holding its first seq and first server time (the records after it take the next ones, as nextHlc steps).
 */
export function framesOfBatch(
  batch: Uint8Array,
  firstSeq: number,
  first: HlcTimestamp,
  bounds: BatchBounds,
): FrameBatch {
  return sealFrame(batch, scanBatch(batch, bounds), firstSeq, first);
}
