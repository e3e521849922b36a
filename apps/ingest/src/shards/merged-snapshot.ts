import type { MergedSnapshot } from '@gridcloud/pdc';
import type { PmuSample } from '../pipeline/pmu-sample';
import type { Snapshot } from '../sinks/snapshot-sink';
import type { PartialSnapshot } from './partial-snapshot';

/**
 * The shards' partial snapshots of one slot as one ingest snapshot. IDCODEs
 * are merged in ascending order from the parts' (each already ascending);
 * the PMUs of a shard absent from the slot count as missing. The samples are
 * made only when a sink reads `values`, so a run without sinks never builds
 * an object per sample on this thread.
 */
export function mergedSnapshot(
  m: MergedSnapshot<PartialSnapshot>,
  expectedOf: (part: string) => readonly number[],
): Snapshot {
  const parts = m.parts.map((p) => p.value);
  const order = mergeOrder(parts);
  const pmuIds = Array.from(order.part, (p, k) => parts[p].idcodes[order.index[k]]);
  const missing = missingOf(parts, m.absentParts.flatMap(expectedOf));
  let values: PmuSample[] | undefined;
  // The parts' own arrival times (at the ingests that aligned them), not this merger's: a slot merged again by
  // another merger after a takeover (from Kafka's backlog, seconds later) reports the same times. This merger's clock
  // is only the fallback for a slot without parts.
  let firstArrivalMs = Number.POSITIVE_INFINITY;
  let lastArrivalMs = Number.NEGATIVE_INFINITY;
  for (const p of parts) {
    firstArrivalMs = Math.min(firstArrivalMs, p.firstArrivalMs);
    lastArrivalMs = Math.max(lastArrivalMs, p.lastArrivalMs);
  }
  // An absent part whose PMUs are not known yet (a region never heard from) still leaves the slot incomplete.
  const complete = missing.length === 0 && m.absentParts.length === 0;
  const reason = complete ? 'complete' : worstReason(m.reason, parts);
  return {
    slot: m.slot,
    timeSec: m.timeSec,
    pmuIds,
    get values() {
      values ??= Array.from(order.part, (p, k) => parts[p].sample(order.index[k]));
      return values;
    },
    missing,
    complete,
    reason,
    firstArrivalMs: Number.isFinite(firstArrivalMs) ? firstArrivalMs : m.firstArrivalMs,
    lastArrivalMs: Number.isFinite(lastArrivalMs) ? lastArrivalMs : m.firstArrivalMs,
    releasedAtMs: m.releasedAtMs,
    skippedSlotsBefore: m.skippedSlotsBefore,
  };
}

/**
 * Part and index of every sample in ascending IDCODE: a k-way merge of the parts' ascending columns. A PMU two
 * parts both carry (two regions configured with one PMU) is taken once, from the earlier part: first copy wins.
 */
function mergeOrder(parts: readonly PartialSnapshot[]): { part: Uint8Array; index: Uint32Array } {
  let total = 0;
  for (const p of parts) total += p.pmuCount;
  const part = new Uint8Array(total);
  const index = new Uint32Array(total);
  const at = parts.map(() => 0);
  let k = 0;
  for (let taken = 0; taken < total; taken += 1) {
    let best = -1;
    for (let p = 0; p < parts.length; p += 1) {
      if (at[p] >= parts[p].pmuCount) continue;
      if (best < 0 || parts[p].idcodes[at[p]] < parts[best].idcodes[at[best]]) best = p;
    }
    const id = parts[best].idcodes[at[best]];
    if (k === 0 || parts[part[k - 1]].idcodes[index[k - 1]] !== id) {
      part[k] = best;
      index[k] = at[best];
      k += 1;
    }
    at[best] += 1;
  }
  return { part: part.subarray(0, k), index: index.subarray(0, k) };
}

function missingOf(parts: readonly PartialSnapshot[], absent: readonly number[]): number[] {
  const all = [...absent];
  for (const p of parts) for (const id of p.missing) all.push(id);
  return all.sort((a, b) => a - b);
}

/** A slot every part delivered keeps the parts' own reason (a shard's window or overflow). */
function worstReason(
  merged: Snapshot['reason'],
  parts: readonly PartialSnapshot[],
): Exclude<Snapshot['reason'], 'complete'> {
  if (merged !== 'complete') return merged;
  for (const r of ['overflow', 'flush', 'window'] as const) if (parts.some((p) => p.reason === r)) return r;
  return 'window';
}
