/** Data-quality figures of one PMU, as plain data for logs, JSON and dashboards. */
export interface PmuQualityReport {
  readonly pmuId: number;
  readonly frames: number;
  readonly missing: number;
  readonly late: number;
  readonly duplicates: number;
  readonly crcErrors: number;
  readonly rejects: Readonly<Record<string, number>>;
  readonly timeQualityDegraded: number;
  readonly syncLost: number;
  readonly dataErrors: number;
  readonly lastTimeQualityCode: number;
  readonly worstTimeQualityCode: number;
  /** When its latest frame arrived (the caller's clock, ms); 0 before any frame. */
  readonly lastArrivalMs: number;
  /** Arrival minus timestamp, in milliseconds. */
  readonly latencyMs: {
    readonly mean: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Fraction of snapshots this PMU made in time: in-time frames / (in-time frames + missing). */
  readonly availability: number;
}

export interface QualityReport {
  readonly pmus: readonly PmuQualityReport[];
  /** Rejects that name no known PMU (garbage, bad SYNC, an IDCODE over the limit). */
  readonly unattributedRejects: Readonly<Record<string, number>>;
}
