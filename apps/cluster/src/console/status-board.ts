import { RunningTotal } from './running-total';

/** One status line's figures (printed as text, or as a JSON line with --json-status). */
export interface ClusterStatus {
  readonly atMs: number;
  /** PMUs ingest expects (from its configurations). */
  readonly pmus: number | null;
  readonly framesIn: number;
  readonly framesPerS: number | null;
  readonly snapshots: number;
  readonly snapshotsPerS: number | null;
  readonly estimates: number;
  readonly estimatesPerS: number | null;
  /** From a snapshot's PMU timestamp to its whole-system estimate's arrival at the console, this interval. */
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
  /** The largest bus-voltage error of this interval's estimates against pmu-sim's truth, per unit. */
  readonly maxVoltageErrorPu: number | null;
  /** Critical measurements and critical pairs of the last estimate's measurement set (null before one). */
  readonly critical: { readonly measurements: number; readonly pairs: number } | null;
  /** Instance ids of the estimator workers: members of `estimators` that are also in `service.estimator`. */
  readonly estimators: readonly string[];
  readonly restarts: number;
  readonly rejectedFrames: number;
  readonly incompleteEstimates: number;
}

/** The fields of ingest's `{"event":"stats"}` line the console reads (summary mode). */
interface IngestStatsLine {
  readonly expectedPmus?: number;
  readonly aligner?: {
    readonly framesOffered?: number;
    readonly snapshots?: number;
    readonly refused?: Record<string, number>;
  };
}

/** Latencies kept per status interval; past it the interval's quantiles come from the first ones. */
export const MAX_LATENCY_SAMPLES = 20_000;

/** Gathers what the console hears between two status lines. Pure: the caller passes the time. */
export class StatusBoard {
  private readonly frames = new RunningTotal();
  private readonly snapshots = new RunningTotal();
  private readonly rejected = new RunningTotal();
  private readonly estimates = new RunningTotal();
  private estimateCount = 0;
  private incomplete = 0;
  private latencies: number[] = [];
  private maxErrorPu: number | undefined;
  private critical: ClusterStatus['critical'] = null;
  private estimatorIds: readonly string[] = [];
  private restarts = 0;
  private pmus: number | null = null;

  onIngestStats(line: IngestStatsLine): void {
    if (typeof line.expectedPmus === 'number') this.pmus = line.expectedPmus;
    const a = line.aligner;
    if (a === undefined) return;
    if (a.framesOffered !== undefined) this.frames.observe(a.framesOffered);
    if (a.snapshots !== undefined) this.snapshots.observe(a.snapshots);
    if (a.refused !== undefined) this.rejected.observe(Object.values(a.refused).reduce((s, n) => s + n, 0));
  }

  /** Ingest was (re)started: its counters begin again at zero. */
  onIngestStarted(): void {
    this.frames.reset();
    this.snapshots.reset();
    this.rejected.reset();
  }

  onEstimate(
    latencyMs: number,
    voltageErrorPu: number | undefined,
    critical?: { readonly measurements: number; readonly pairs: number },
  ): void {
    this.estimateCount += 1;
    if (critical !== undefined) this.critical = critical;
    this.estimates.observe(this.estimateCount);
    if (this.latencies.length < MAX_LATENCY_SAMPLES) this.latencies.push(latencyMs);
    if (voltageErrorPu !== undefined) this.maxErrorPu = Math.max(this.maxErrorPu ?? 0, voltageErrorPu);
  }

  onIncompleteEstimate(): void {
    this.incomplete += 1;
  }

  onEstimators(instanceIds: readonly string[]): void {
    this.estimatorIds = instanceIds;
  }

  onRestart(): void {
    this.restarts += 1;
  }

  /** The figures of the interval ending now; the next interval starts empty. */
  take(nowMs: number): ClusterStatus {
    const sorted = this.latencies.sort((a, b) => a - b);
    const status: ClusterStatus = {
      atMs: nowMs,
      pmus: this.pmus,
      framesIn: this.frames.total,
      framesPerS: round1(this.frames.takeRate(nowMs)),
      snapshots: this.snapshots.total,
      snapshotsPerS: round1(this.snapshots.takeRate(nowMs)),
      estimates: this.estimates.total,
      estimatesPerS: round1(this.estimates.takeRate(nowMs)),
      latencyMs: { p50: round1(quantile(sorted, 0.5)), p99: round1(quantile(sorted, 0.99)) },
      maxVoltageErrorPu: this.maxErrorPu ?? null,
      critical: this.critical,
      estimators: this.estimatorIds,
      restarts: this.restarts,
      rejectedFrames: this.rejected.total,
      incompleteEstimates: this.incomplete,
    };
    this.latencies = [];
    this.maxErrorPu = undefined;
    return status;
  }
}

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round1(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v * 10) / 10;
}

export function formatStatus(s: ClusterStatus): string {
  const rate = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)}/s`);
  const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} ms`);
  const err = s.maxVoltageErrorPu === null ? '-' : `${s.maxVoltageErrorPu.toExponential(2)} pu`;
  const critical = s.critical === null ? '-' : `${s.critical.measurements} (pairs ${s.critical.pairs})`;
  return (
    `frames in ${rate(s.framesPerS)} | snapshots ${rate(s.snapshotsPerS)} | estimates ${rate(s.estimatesPerS)} ` +
    `(${s.estimates}) | latency p50 ${ms(s.latencyMs.p50)} p99 ${ms(s.latencyMs.p99)} | max |V| error ${err} | ` +
    `critical measurements ${critical} | ` +
    `estimators [${s.estimators.join(' ')}] | restarts ${s.restarts} | rejected frames ${s.rejectedFrames}`
  );
}
