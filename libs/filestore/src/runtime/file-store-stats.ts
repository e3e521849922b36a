import type { HlcTimestamp } from '../protocol/hlc';
import type { RecoveryReport } from '../storage/store-log';

/** Counters of one replica. */
export interface FileStoreStats {
  readonly durable: boolean;
  readonly files: number;
  readonly records: number;
  /** Bytes of record data held (not counting frame headers). */
  readonly bytes: number;
  /** Seq the next applied record gets: the replica holds records 0..nextSeq-1. */
  readonly nextSeq: number;
  readonly lastServerTime: HlcTimestamp;
  /** Appends issued at this replica, acknowledged, and waiting now. */
  readonly appendsIssued: number;
  /** Group commits this replica ordered for the appends it issued (appendsIssued / commitsIssued per commit). */
  readonly commitsIssued: number;
  readonly appendsAcknowledged: number;
  readonly pendingAppends: number;
  /** Appends (and their records) this replica applied from the group. */
  readonly appendsApplied: number;
  readonly recordsApplied: number;
  readonly recordsRead: number;
  /** What the replica found on its disk at open. */
  readonly recovery: RecoveryReport;
  /** Records fetched from members when joining, and records removed that the group did not hold. */
  readonly catchUpRecords: number;
  readonly catchUpBytes: number;
  readonly catchUpRemoved: number;
  /** Time spent fetching them (from the group's position arriving to the last record written). */
  readonly catchUpMs: number;
  readonly members: number;
}

/** One file as list() reports it. */
export interface FileInfo {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  readonly lastServerTime: HlcTimestamp;
}

/** What an acknowledged append did: the server time and seq of its first record, how many replicas acknowledged. */
export interface AppendResult {
  readonly path: string;
  readonly serverTime: HlcTimestamp;
  readonly lastServerTime: HlcTimestamp;
  readonly firstSeq: number;
  readonly records: number;
  readonly replicas: number;
  readonly durable: boolean;
}
