import type { PathStamps } from '@gridcloud/estimation';

/** One estimated snapshot as the results observer saw it. */
export interface EstimatedSnapshot {
  readonly timeSec: number;
  readonly arrivedMs: number;
  /** The path of the area result that completed the estimate (absent from a version 1 sender). */
  readonly stamps?: PathStamps;
  readonly computeMs: number;
}

/**
 * The stages from a frame's PMU timestamp to its estimate's arrival at the results consumer, each the difference
 * of two stamps on the critical path (the area result that completed the snapshot's estimate):
 * - pmuToIngest: PMU timestamp to ingest's receipt of the snapshot's last frame (pmu-sim's send, TCP, decode);
 * - ingestAlign: receipt to the aligner's release (waiting for the other PMUs of the instant);
 * - groupDelivery: release to the worker's delivery (encode, vsync send, the estimators group);
 * - workerQueue: delivery to the start of this area's compute (other areas and snapshots ahead of it);
 * - compute: the area estimate itself;
 * - resultDelivery: compute done to arrival at the consumer (encode, vsync, the results group, assembly).
 * ingest stamps with Date.now() (whole milliseconds), the rest with a sub-millisecond wall clock, so the first
 * two stages and the third are each off by up to a millisecond; they still add up to `total`.
 */
export const STAGES = [
  'pmuToIngest',
  'ingestAlign',
  'groupDelivery',
  'workerQueue',
  'compute',
  'resultDelivery',
  'total',
] as const;
export type Stage = (typeof STAGES)[number];

export function stagesOf(e: EstimatedSnapshot): Record<Stage, number> | undefined {
  const t = e.stamps;
  if (t === undefined || [t.receivedAtMs, t.releasedAtMs, t.deliveredAtMs].some(Number.isNaN))
    return undefined;
  const pmuMs = e.timeSec * 1000;
  return {
    pmuToIngest: t.receivedAtMs - pmuMs,
    ingestAlign: t.releasedAtMs - t.receivedAtMs,
    groupDelivery: t.deliveredAtMs - t.releasedAtMs,
    workerQueue: t.computedAtMs - e.computeMs - t.deliveredAtMs,
    compute: e.computeMs,
    resultDelivery: e.arrivedMs - t.computedAtMs,
    total: e.arrivedMs - pmuMs,
  };
}

export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
}

/** p50 and p99 of every stage over the snapshots that carry stamps, in ms; `stamped` says how many did. */
export function stageBreakdown(
  estimated: readonly EstimatedSnapshot[],
): { stamped: number } & Record<Stage, { p50: number | null; p99: number | null }> {
  const rows = estimated.flatMap((e) => stagesOf(e) ?? []);
  const out = { stamped: rows.length } as { stamped: number } & Record<
    Stage,
    { p50: number | null; p99: number | null }
  >;
  for (const stage of STAGES) {
    const sorted = rows.map((r) => r[stage]).sort((a, b) => a - b);
    out[stage] = { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }
  return out;
}

/**
 * For the snapshots in the slowest 1% end to end: the mean of each stage, which says where the tail is made
 * (the p99 of each stage alone need not come from the same snapshots).
 */
export function tailShare(estimated: readonly EstimatedSnapshot[]): Record<Stage, number> | null {
  const rows = estimated.flatMap((e) => stagesOf(e) ?? []).sort((a, b) => a.total - b.total);
  const tail = rows.slice(Math.floor(rows.length * 0.99));
  if (tail.length === 0) return null;
  const out = {} as Record<Stage, number>;
  for (const stage of STAGES)
    out[stage] = Math.round((tail.reduce((s, r) => s + r[stage], 0) / tail.length) * 10) / 10;
  return out;
}
