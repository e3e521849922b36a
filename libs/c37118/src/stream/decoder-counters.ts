import type { FrameKind } from '../codec/frame-types';
import type { RejectReason } from '../codec/reject';

export type FrameCounts = Record<FrameKind, number>;
export type RejectCounts = Record<RejectReason, number>;

export interface DecoderCounters {
  readonly frames: FrameCounts;
  readonly rejected: RejectCounts;
  bytesIn: number;
  /** Bytes of accepted frames; after end(), bytesAccepted + bytesDiscarded === bytesIn. */
  bytesAccepted: number;
  /** Bytes that belonged to no accepted frame. */
  bytesDiscarded: number;
}

export function newCounters(): DecoderCounters {
  return {
    frames: { data: 0, header: 0, cfg1: 0, cfg2: 0, cfg3: 0, cmd: 0 },
    rejected: {
      'bad-sync': 0,
      'size-mismatch': 0,
      crc: 0,
      truncated: 0,
      'no-config': 0,
      oversized: 0,
      malformed: 0,
      'config-limit': 0,
    },
    bytesIn: 0,
    bytesAccepted: 0,
    bytesDiscarded: 0,
  };
}

export function totalRejected(c: DecoderCounters): number {
  let n = 0;
  for (const v of Object.values(c.rejected)) n += v;
  return n;
}
