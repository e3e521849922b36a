import type { FrameKind } from './frame-types';

/**
 * Why a frame (or a run of bytes) was not accepted.
 * - `bad-sync`: bytes that do not start with a valid SYNC word (garbage skipped while resynchronising).
 * - `size-mismatch`: FRAMESIZE disagrees with the frame's content or its config, or is below the minimum.
 * - `crc`: the CHK word does not match the frame.
 * - `truncated`: the stream or datagram ended inside a frame.
 * - `no-config`: a data frame whose IDCODE has no configuration yet.
 * - `oversized`: FRAMESIZE above the configured `maxFrameBytes`.
 * - `malformed`: a field holds an impossible value (NUM_PMU 0, unknown command layout, bad CFG-3 name length).
 * - `config-limit`: a configuration would pass the store's `maxConfigs` (a new IDCODE) or `maxConfigBytes`.
 */
export type RejectReason =
  | 'bad-sync'
  | 'size-mismatch'
  | 'crc'
  | 'truncated'
  | 'no-config'
  | 'oversized'
  | 'malformed'
  | 'config-limit';

export const REJECT_REASONS: readonly RejectReason[] = [
  'bad-sync',
  'size-mismatch',
  'crc',
  'truncated',
  'no-config',
  'oversized',
  'malformed',
  'config-limit',
];

export interface FrameReject {
  readonly reason: RejectReason;
  /** What was wrong, in words, for logs and per-connection error reports. */
  readonly message: string;
  /** Number of input bytes discarded with this reject. */
  readonly bytes: number;
  /** Present when the header could be read. */
  readonly kind?: FrameKind;
  readonly idcode?: number;
}
