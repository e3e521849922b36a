import { checkRange } from '../errors/check';
import { PmuQuality } from './pmu-quality';
import type { PmuQualityReport, QualityReport } from './quality-report';

export interface DataQualityOptions {
  /** Most PMUs tracked individually; rejects from further IDCODEs count as unattributed. */
  readonly maxPmus: number;
}

/**
 * Per-PMU data-quality statistics: latency, missing, late, duplicate, CRC and
 * other rejects, time quality. Pure bookkeeping; the caller supplies times.
 * Memory is bounded by `maxPmus` and the fixed-size latency histograms.
 */
export class DataQualityStats {
  private readonly pmus = new Map<number, PmuQuality>();
  private readonly unattributed: Record<string, number> = {};

  constructor(readonly options: DataQualityOptions) {
    checkRange('maxPmus', options.maxPmus, 1, 65_536, true);
  }

  recordFrame(
    pmuId: number,
    latencyMs: number,
    timeQualityCode: number,
    stat: number,
    arrivalMs: number,
  ): void {
    this.pmu(pmuId)?.recordFrame(latencyMs, timeQualityCode, stat, arrivalMs);
  }

  /**
   * The counters of one PMU, created while fewer than `maxPmus` are tracked; undefined past that. A caller that
   * records many frames of the same PMUs may keep them rather than look each PMU up per frame.
   */
  tracker(pmuId: number): PmuQuality | undefined {
    return this.pmu(pmuId);
  }

  recordMissing(pmuId: number): void {
    const p = this.pmu(pmuId);
    if (p !== undefined) p.missing += 1;
  }

  recordLate(pmuId: number): void {
    const p = this.pmu(pmuId);
    if (p !== undefined) p.late += 1;
  }

  recordDuplicate(pmuId: number): void {
    const p = this.pmu(pmuId);
    if (p !== undefined) p.duplicates += 1;
  }

  /**
   * A rejected frame; `pmuId` is the PMU the caller attributes it to. A reject never starts tracking a PMU: the
   * IDCODE in a rejected frame's header may be garbage (a CRC failure), and entries it created would crowd real
   * PMUs out of `maxPmus`. Rejects naming an untracked PMU count as unattributed.
   */
  recordReject(pmuId: number | undefined, reason: string): void {
    const p = pmuId === undefined ? undefined : this.pmus.get(pmuId);
    if (p !== undefined) p.recordReject(reason);
    else this.unattributed[reason] = (this.unattributed[reason] ?? 0) + 1;
  }

  get trackedPmus(): number {
    return this.pmus.size;
  }

  forPmu(pmuId: number): PmuQualityReport | undefined {
    const p = this.pmus.get(pmuId);
    return p === undefined ? undefined : toReport(p);
  }

  report(): QualityReport {
    const pmus = [...this.pmus.values()].sort((a, b) => a.pmuId - b.pmuId).map(toReport);
    return { pmus, unattributedRejects: { ...this.unattributed } };
  }

  private pmu(pmuId: number): PmuQuality | undefined {
    let p = this.pmus.get(pmuId);
    if (p === undefined && this.pmus.size < this.options.maxPmus) {
      p = new PmuQuality(pmuId);
      this.pmus.set(pmuId, p);
    }
    return p;
  }
}

function toReport(p: PmuQuality): PmuQualityReport {
  // A late or duplicate frame arrived but did not make its snapshot, which already counted it missing.
  const inTime = Math.max(0, p.frames - p.late - p.duplicates);
  const expected = inTime + p.missing;
  return {
    pmuId: p.pmuId,
    frames: p.frames,
    missing: p.missing,
    late: p.late,
    duplicates: p.duplicates,
    crcErrors: p.crcErrors,
    rejects: { ...p.rejects },
    timeQualityDegraded: p.timeQualityDegraded,
    syncLost: p.syncLost,
    dataErrors: p.dataErrors,
    lastTimeQualityCode: p.lastTimeQualityCode,
    worstTimeQualityCode: p.worstTimeQualityCode,
    lastArrivalMs: p.lastArrivalMs,
    latencyMs: {
      mean: p.latency.meanMs,
      p50: p.latency.quantileMs(0.5),
      p99: p.latency.quantileMs(0.99),
      max: p.latency.maxMs,
    },
    availability: expected === 0 ? 1 : inTime / expected,
  };
}
