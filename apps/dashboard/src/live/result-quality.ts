import type { AreaResult } from '@gridcloud/estimation';

/** Per PMU, what the estimates say about its data: measurements removed as bad data. */
export interface PmuRow {
  readonly idcode: number;
  readonly badDataRemoved: number;
  readonly lastRemovedSlot: number;
}

/** The data-quality panel's figures that the `results` group carries. */
export interface ResultQuality {
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly incompleteEstimates: number;
  readonly missingAreas: number;
  readonly pmus: PmuRow[];
}

/**
 * Data quality as seen from the estimates: end-to-end latency (a snapshot's PMU timestamp to its whole-system
 * estimate here) over the latest maxLatencySamples estimates, snapshots that closed without every area, and per PMU
 * the measurements bad-data removal took out (first copy of each area result only, so replicas do not double it).
 * At most maxPmus PMUs are tracked; the PMUs with the fewest removals make room.
 */
export class ResultQualityTracker {
  private readonly latencies: number[] = [];
  private readonly pmus = new Map<number, { removed: number; lastSlot: number }>();
  private incomplete = 0;
  private missingAreas = 0;

  constructor(
    readonly maxLatencySamples: number,
    readonly maxPmus: number,
  ) {
    if (!Number.isInteger(maxLatencySamples) || maxLatencySamples < 1)
      throw new RangeError(`maxLatencySamples must be a positive integer, got ${maxLatencySamples}`);
    if (!Number.isInteger(maxPmus) || maxPmus < 1)
      throw new RangeError(`maxPmus must be a positive integer, got ${maxPmus}`);
  }

  /** A first copy of an area result (the caller skips the replicas' copies). */
  onAreaResult(r: AreaResult): void {
    for (const idcode of r.removedIdcode) {
      const row = this.pmus.get(idcode) ?? { removed: 0, lastSlot: r.slot };
      row.removed += 1;
      row.lastSlot = Math.max(row.lastSlot, r.slot);
      this.pmus.set(idcode, row);
      if (this.pmus.size > this.maxPmus) this.forgetQuietest();
    }
  }

  onEstimate(latencyMs: number): void {
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.maxLatencySamples) this.latencies.shift();
  }

  onIncomplete(missingAreas: number): void {
    this.incomplete += 1;
    this.missingAreas += missingAreas;
  }

  report(): ResultQuality {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      latencyMs: sorted.length === 0 ? null : { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] },
      incompleteEstimates: this.incomplete,
      missingAreas: this.missingAreas,
      pmus: [...this.pmus]
        .map(([idcode, p]) => ({ idcode, badDataRemoved: p.removed, lastRemovedSlot: p.lastSlot }))
        .sort((a, b) => b.badDataRemoved - a.badDataRemoved || a.idcode - b.idcode),
    };
  }

  private forgetQuietest(): void {
    let quietest: number | undefined;
    let fewest = Infinity;
    for (const [idcode, p] of this.pmus) if (p.removed < fewest) [quietest, fewest] = [idcode, p.removed];
    if (quietest !== undefined) this.pmus.delete(quietest);
  }
}
