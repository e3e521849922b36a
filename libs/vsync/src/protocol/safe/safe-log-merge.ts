import { compareProcess, type ProcessId } from '../process-id';
import type { DataRecord } from '../wire-message';
import { SafeLogConflictError } from './errors/safe-log-conflict-error';

/** One safe record as an acceptor's log keeps it (the log is per group, so the group is not repeated). */
export interface SafeLogEntry {
  readonly epoch: number;
  readonly lamport: number;
  readonly sender: ProcessId;
  readonly seq: number;
  readonly payload: Uint8Array;
}

export function toLogEntry(r: DataRecord): SafeLogEntry {
  return { epoch: r.epoch, lamport: r.lamport, sender: r.sender, seq: r.seq, payload: r.payload };
}

/** A record's identity: sender incarnation, epoch and place in the sender's stream never repeat. */
export function safeEntryKey(e: SafeLogEntry): string {
  return `${e.sender.address}#${e.sender.incarnation}/${e.epoch}/${e.seq}`;
}

/**
 * The recovered history of a group from its members' logs: the union of their entries in an order that keeps every
 * log's own order. Each member logs safe records in the order it delivers them (its log is its delivery order, plus
 * possibly a tail accepted and not yet delivered), so the result delivers every logged record once, and every
 * member's deliveries in the order it made them. Records no log orders against each other (a crashed member's and
 * the survivors', in one epoch) go by epoch, Lamport time and sender: every member computes the same result.
 */
export function mergeSafeLogs(logs: readonly (readonly SafeLogEntry[])[]): SafeLogEntry[] {
  const lists = logs.map(dedupe);
  const heads = lists.map(() => 0);
  const holders = new Map<string, number>();
  for (const list of lists)
    for (const e of list) holders.set(safeEntryKey(e), (holders.get(safeEntryKey(e)) ?? 0) + 1);
  const merged: SafeLogEntry[] = [];
  for (;;) {
    const atHead = new Map<string, number>();
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i][heads[i]];
      if (e !== undefined) atHead.set(safeEntryKey(e), (atHead.get(safeEntryKey(e)) ?? 0) + 1);
    }
    if (atHead.size === 0) return merged;
    let next: SafeLogEntry | undefined;
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i][heads[i]];
      if (e === undefined || atHead.get(safeEntryKey(e)) !== holders.get(safeEntryKey(e))) continue;
      if (next === undefined || compareEntries(e, next) < 0) next = e;
    }
    if (next === undefined) throw new SafeLogConflictError('the logs order some records in a cycle');
    const key = safeEntryKey(next);
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i][heads[i]];
      if (e !== undefined && safeEntryKey(e) === key) heads[i]++;
    }
    merged.push(next);
  }
}

function compareEntries(a: SafeLogEntry, b: SafeLogEntry): number {
  return a.epoch - b.epoch || a.lamport - b.lamport || compareProcess(a.sender, b.sender) || a.seq - b.seq;
}

/** A record appears once per log (a log replayed twice into itself is read once). */
function dedupe(list: readonly SafeLogEntry[]): SafeLogEntry[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = safeEntryKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
