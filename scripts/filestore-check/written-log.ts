import type { AppendResult, StoredRecord } from '@gridcloud/filestore';

/** One record a writer sent, and what became of it. */
export interface WrittenRecord {
  readonly path: string;
  readonly userTimeNs: bigint;
  readonly data: string;
  /** The store's time of its append, once acknowledged. */
  serverWallMs: number | null;
  /** When (performance.now()) the writer had the acknowledgement; null while unacknowledged. */
  ackedAt: number | null;
}

export interface SnapshotRequest {
  readonly clock: 'user' | 'server';
  readonly timeNs: bigint;
  /** When (performance.now()) the request was sent. */
  readonly sentAt: number;
}

/**
 * The writers' own log: every record they sent, keyed by file and user time, with its acknowledgement. Snapshots are
 * judged against it: a record acknowledged before the snapshot was asked for, at or before its time, must be in it;
 * nothing after its time may be; and nothing may be in it that no writer sent.
 */
export class WrittenLog {
  private readonly records = new Map<string, WrittenRecord>();
  /** Per file, its records in user-time order (each file has one writer, appending in order). */
  private readonly byFile = new Map<string, WrittenRecord[]>();

  sent(path: string, userTimeNs: bigint, data: string): WrittenRecord {
    const record: WrittenRecord = { path, userTimeNs, data, serverWallMs: null, ackedAt: null };
    this.records.set(keyOf(path, userTimeNs), record);
    const list = this.byFile.get(path) ?? [];
    list.push(record);
    this.byFile.set(path, list);
    return record;
  }

  acknowledged(records: readonly WrittenRecord[], receipt: AppendResult): void {
    const now = performance.now();
    for (const r of records) {
      r.serverWallMs = receipt.serverTime.wallMs;
      r.ackedAt = now;
    }
  }

  get files(): string[] {
    return [...this.byFile.keys()];
  }

  acknowledgedRecords(): WrittenRecord[] {
    return [...this.records.values()].filter((r) => r.ackedAt !== null);
  }

  /** The newest acknowledged user time every file has reached (a user-clock snapshot at or before it is settled). */
  settledUserTimeNs(): bigint | null {
    let settled: bigint | null = null;
    for (const list of this.byFile.values()) {
      const last = list.findLast((r) => r.ackedAt !== null);
      if (last === undefined) return null;
      if (settled === null || last.userTimeNs < settled) settled = last.userTimeNs;
    }
    return settled;
  }

  /** What is wrong with a snapshot, one line per fault (empty: consistent). */
  judge(request: SnapshotRequest, seen: readonly StoredRecord[]): string[] {
    const faults: string[] = [];
    const seenKeys = new Set<string>();
    for (const s of seen) {
      const key = keyOf(s.path, s.userTimeNs);
      seenKeys.add(key);
      const written = this.records.get(key);
      if (written === undefined || written.data !== Buffer.from(s.data).toString())
        faults.push(`${key}: in the snapshot, never written so`);
      else if (timeOf(request.clock, s.userTimeNs, s.serverTime.wallMs) > request.timeNs)
        faults.push(`${key}: newer than the snapshot's ${request.clock} time ${request.timeNs}`);
    }
    for (const r of this.records.values()) {
      if (r.ackedAt === null || r.ackedAt > request.sentAt) continue;
      if (timeOf(request.clock, r.userTimeNs, r.serverWallMs!) > request.timeNs) continue;
      if (!seenKeys.has(keyOf(r.path, r.userTimeNs)))
        faults.push(`${keyOf(r.path, r.userTimeNs)}: acknowledged, missing`);
    }
    return faults;
  }
}

function keyOf(path: string, userTimeNs: bigint): string {
  return `${path}@${userTimeNs}`;
}

/** A record's time on a clock, in ns; the server clock is compared at its wall milliseconds. */
function timeOf(clock: 'user' | 'server', userTimeNs: bigint, serverWallMs: number): bigint {
  return clock === 'user' ? userTimeNs : BigInt(serverWallMs) * 1_000_000n;
}
