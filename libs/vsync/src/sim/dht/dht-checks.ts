import type { DhtShard } from '../../dht';
import type { DhtHistory } from './dht-history';

export const DHT_INVARIANTS = [
  'dht: every acknowledged put is readable after any view change',
  'dht: one-hop reads are not older than a put acknowledged before them',
  'dht: no key duplicated at primaries',
  'dht: ordered reads return the last ordered write before them',
  'dht: aggregates count each key once',
  'dht: members finish their moves',
] as const;

const [LOST, STALE, DUPLICATED, ORDERED, AGGREGATE, FINISHED] = DHT_INVARIANTS;

/** Checks the recorded run against the DHT's invariants; `shards` are the live members' at the end, all settled. */
export function checkDht(
  history: DhtHistory,
  shards: readonly DhtShard[],
  withinTolerance: boolean,
): string[] {
  const violations: string[] = [];
  const v = (name: string, detail: string): number => violations.push(`[${name}] ${detail}`);
  for (const s of shards)
    if (!s.filled || s.waitingRequests > 0)
      v(FINISHED, `${s.self} still moving at the end (filled ${s.filled}, ${s.waitingRequests} waiting)`);
  if (withinTolerance) {
    checkAcked(history, shards, v);
    checkReads(history, v);
  }
  checkPlacement(shards, v);
  checkOrderedReads(history, v);
  checkAggregates(history, withinTolerance, v);
  return violations;
}

type Report = (name: string, detail: string) => void;

function checkPlacement(shards: readonly DhtShard[], v: Report): void {
  const holders = new Map<string, string[]>();
  for (const s of shards)
    for (const e of s.entries()) {
      if (!s.owners!.isOwner(s.self, e.key))
        v(DUPLICATED, `${s.self} still holds ${e.key}, which it does not own`);
      holders.set(e.key, [...(holders.get(e.key) ?? []), s.self]);
    }
  for (const [key, at] of holders) {
    const primaries = at.filter((m) => shards.find((s) => s.self === m)!.owners!.primaryOf(key) === m);
    if (primaries.length > 1)
      v(DUPLICATED, `${key} is held by ${primaries.length} primaries (${at.join(', ')})`);
  }
}

function checkAcked(history: DhtHistory, shards: readonly DhtShard[], v: Report): void {
  const latest = new Map<string, number>();
  for (const a of history.acked) latest.set(a.key, Math.max(a.t, latest.get(a.key) ?? 0));
  const held = new Map<string, number>();
  for (const s of shards)
    for (const e of s.entries()) if (s.owners!.primaryOf(e.key) === s.self) held.set(e.key, e.version.t);
  for (const [key, t] of latest)
    if ((held.get(key) ?? -1) < t)
      v(LOST, `${key}: acknowledged version ${t}, the primary holds ${held.get(key) ?? 'nothing'}`);
  const values = new Map<string, string>();
  for (const s of shards)
    for (const e of s.entries())
      if (s.owners!.primaryOf(e.key) === s.self) values.set(e.key, String(e.value));
  for (const [key, value] of lastOrderedWrites(history, history.totalOrder.length))
    if (values.get(key) !== value)
      v(
        LOST,
        `${key}: the last ordered write was ${value}, the primary holds ${values.get(key) ?? 'nothing'}`,
      );
}

/** The value each key had after the first `count` operations of the total order. */
function lastOrderedWrites(history: DhtHistory, count: number): Map<string, string> {
  const last = new Map<string, string>();
  for (const op of history.totalOrder.slice(0, count))
    for (const [key, value] of history.orderedPuts.get(op) ?? []) last.set(key, value);
  return last;
}

function checkReads(history: DhtHistory, v: Report): void {
  for (const r of history.reads) {
    const before = history.acked.filter(
      (a) => a.key === r.key && a.ackedAt < r.issuedAt && a.viewId <= r.viewId && a.t > (r.t ?? -1),
    );
    if (before.length > 0)
      v(
        STALE,
        `a read of ${r.key} in view ${r.viewId} returned ${r.t}, older than ${before[0].t} acknowledged before`,
      );
  }
}

function checkOrderedReads(history: DhtHistory, v: Report): void {
  const position = new Map(history.totalOrder.map((op, i) => [op, i]));
  for (const r of history.orderedReads) {
    const expected = lastOrderedWrites(history, position.get(r.op) ?? 0).get(r.key) ?? null;
    const got = r.value === null ? null : String(r.value.value);
    if (got !== expected)
      v(ORDERED, `${r.op} read ${r.key} at ${r.owner} as ${got}, the last ordered write was ${expected}`);
  }
}

function checkAggregates(history: DhtHistory, withinTolerance: boolean, v: Report): void {
  const position = new Map(history.totalOrder.map((op, i) => [op, i]));
  for (const a of history.aggregates) {
    const counted = a.parts.flat();
    const once = new Set(counted);
    if (once.size !== counted.length)
      v(AGGREGATE, `${a.op} counted ${counted.length - once.size} keys twice`);
    if (!withinTolerance) continue;
    const missing = history.acked.filter((p) => p.ackedAt < a.issuedAt && !once.has(p.key)).map((p) => p.key);
    for (const key of lastOrderedWrites(history, position.get(a.op) ?? 0).keys())
      if (!once.has(key)) missing.push(key);
    if (missing.length > 0) v(AGGREGATE, `${a.op} missed ${missing[0]}, written before it`);
  }
}
