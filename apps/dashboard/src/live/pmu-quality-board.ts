import type { IngestPmuFigures, IngestQualityPart } from './ingest-quality-report';

/**
 * A PMU's state on the panel, worst first: `silent` (no frame for SILENT_AFTER_MS by ingest's clock), `missing`
 * (frames missing from snapshots lately), `time` (GPS/UTC sync lost lately, or a non-zero time quality code now),
 * `crc` (CRC errors lately), `late` (frames after their snapshot left, lately), `ok`.
 */
export const PMU_STATES = ['silent', 'missing', 'time', 'crc', 'late', 'ok'] as const;
export type PmuState = (typeof PMU_STATES)[number];

/** A PMU is silent when its last frame is this much older than the report naming it. */
const SILENT_AFTER_MS = 3000;
/** "Lately" is at least this long: counters are compared with a baseline this old or older. */
const RECENT_WINDOW_MS = 10_000;
/** A PMU no report has named for this long (its ingest stopped, or released it) leaves the panel. */
const FORGET_AFTER_MS = 60_000;

export interface PmuQualityRow extends IngestPmuFigures {
  readonly state: PmuState;
  readonly ingest: string;
  /** The report the figures come from. */
  readonly seq: number;
  readonly reportAtMs: number;
  /** Counters' growth over the recent window. */
  readonly recent: {
    readonly missing: number;
    readonly late: number;
    readonly crcErrors: number;
    readonly syncLost: number;
  };
}

/** What the panel gets: the worst `maxShownPmus` PMUs first and the count of every PMU in each state. */
export interface IngestQualityPanel {
  readonly pmus: PmuQualityRow[];
  readonly tracked: number;
  readonly states: Record<PmuState, number>;
  readonly reports: number;
  readonly invalidReports: number;
  readonly pmusOverLimit: number;
}

interface Entry {
  latest: IngestPmuFigures;
  ingest: string;
  seq: number;
  reportAtMs: number;
  receivedAtMs: number;
  baseline: IngestPmuFigures & { atMs: number };
  recentBase: IngestPmuFigures & { atMs: number };
}

/**
 * ingest's per-PMU data quality, from the parts of its `ingest.quality` reports. Pure bookkeeping, the time passed
 * in. At most maxPmus PMUs are kept (further ones are counted, not kept); a PMU no report named for
 * FORGET_AFTER_MS is forgotten.
 */
export class PmuQualityBoard {
  private readonly pmus = new Map<number, Entry>();
  private reports = 0;
  private invalid = 0;
  private overLimit = 0;

  constructor(
    readonly maxPmus: number,
    readonly maxShownPmus: number,
  ) {
    if (!Number.isInteger(maxPmus) || maxPmus < 1)
      throw new RangeError(`maxPmus must be a positive integer, got ${maxPmus}`);
    if (!Number.isInteger(maxShownPmus) || maxShownPmus < 1)
      throw new RangeError(`maxShownPmus must be a positive integer, got ${maxShownPmus}`);
  }

  onPart(part: IngestQualityPart, nowMs: number): void {
    if (part.part === 0) this.reports += 1;
    for (const figures of part.pmus) this.onFigures(part, figures, nowMs);
  }

  onInvalid(): void {
    this.invalid += 1;
  }

  panel(nowMs: number): IngestQualityPanel {
    for (const [id, e] of this.pmus) if (nowMs - e.receivedAtMs > FORGET_AFTER_MS) this.pmus.delete(id);
    const rows = [...this.pmus.values()].map(toRow).sort(worstFirst);
    const states = Object.fromEntries(PMU_STATES.map((s) => [s, 0])) as Record<PmuState, number>;
    for (const r of rows) states[r.state] += 1;
    return {
      pmus: rows.slice(0, this.maxShownPmus),
      tracked: rows.length,
      states,
      reports: this.reports,
      invalidReports: this.invalid,
      pmusOverLimit: this.overLimit,
    };
  }

  private onFigures(part: IngestQualityPart, figures: IngestPmuFigures, nowMs: number): void {
    let e = this.pmus.get(figures.pmuId);
    if (e === undefined) {
      if (this.pmus.size >= this.maxPmus) {
        this.overLimit += 1;
        return;
      }
      // The first report is its own baseline: what happened before the dashboard listened is not "lately".
      const base = { ...figures, atMs: part.atMs };
      e = {
        latest: figures,
        ingest: part.ingest,
        seq: part.seq,
        reportAtMs: part.atMs,
        receivedAtMs: nowMs,
        baseline: base,
        recentBase: base,
      };
      this.pmus.set(figures.pmuId, e);
    }
    // Two baselines leapfrog, so "lately" always spans between one and two windows.
    if (part.atMs - e.recentBase.atMs >= RECENT_WINDOW_MS) {
      e.baseline = e.recentBase;
      e.recentBase = { ...figures, atMs: part.atMs };
    }
    Object.assign(e, {
      latest: figures,
      ingest: part.ingest,
      seq: part.seq,
      reportAtMs: part.atMs,
      receivedAtMs: nowMs,
    });
  }
}

function toRow(e: Entry): PmuQualityRow {
  const f = e.latest;
  // A counter below its baseline means ingest restarted: count from zero.
  const grew = (now: number, then: number): number => (now >= then ? now - then : now);
  const recent = {
    missing: grew(f.missing, e.baseline.missing),
    late: grew(f.late, e.baseline.late),
    crcErrors: grew(f.crcErrors, e.baseline.crcErrors),
    syncLost: grew(f.syncLost, e.baseline.syncLost),
  };
  return {
    ...f,
    ingest: e.ingest,
    seq: e.seq,
    reportAtMs: e.reportAtMs,
    recent,
    state: stateOf(f, e.reportAtMs, recent),
  };
}

function stateOf(f: IngestPmuFigures, reportAtMs: number, recent: PmuQualityRow['recent']): PmuState {
  if (f.lastSeenMs === 0 || reportAtMs - f.lastSeenMs > SILENT_AFTER_MS) return 'silent';
  if (recent.missing > 0) return 'missing';
  if (recent.syncLost > 0 || f.lastTimeQualityCode !== 0) return 'time';
  if (recent.crcErrors > 0) return 'crc';
  if (recent.late > 0) return 'late';
  return 'ok';
}

function worstFirst(a: PmuQualityRow, b: PmuQualityRow): number {
  return (
    PMU_STATES.indexOf(a.state) - PMU_STATES.indexOf(b.state) ||
    b.recent.missing - a.recent.missing ||
    b.missing - a.missing ||
    b.latencyP99Ms - a.latencyP99Ms ||
    a.pmuId - b.pmuId
  );
}
