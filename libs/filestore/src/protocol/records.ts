import type { HlcTimestamp } from './hlc';

/** One record to append: its sensor time (user time, e.g. a C37.118 frame's SOC+FRACSEC in ns) and its bytes. */
export interface FileRecordInput {
  readonly userTimeNs: bigint;
  readonly data: Uint8Array;
}

/** A record as the store holds it: the file, the sensor time, the server time the group stamped it with. */
export interface StoredRecord {
  readonly path: string;
  /** Position in the store's total order of records (0, 1, 2, ...), the same at every replica. */
  readonly seq: number;
  readonly userTimeNs: bigint;
  readonly serverTime: HlcTimestamp;
  readonly data: Uint8Array;
}

/** Which time a temporal read cuts at: the sensor's ('user') or the group's hybrid logical clock ('server'). */
export type TimeClock = 'user' | 'server';

/** "As of" a time: nanoseconds since the epoch on the chosen clock. */
export interface TemporalPoint {
  readonly timeNs: bigint;
  readonly clock: TimeClock;
}

/** Largest user time accepted (a signed 64-bit value on disk). */
export const MAX_USER_TIME_NS = (1n << 63n) - 1n;
