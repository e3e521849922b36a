import type { PmuQualityReport, QualityReport } from '@gridcloud/pdc';

/** The group the per-PMU quality reports go to, and their message name (`ingest.quality/report`). */
export const QUALITY_GROUP = 'ingest.quality';
export const QUALITY_REPORT_MESSAGE = 'report';
/** Largest part of one report, as UTF-8 JSON bytes: far below a vsync frame, so thousands of PMUs go in parts. */
export const MAX_QUALITY_PART_BYTES = 32 * 1024;
/** Source labels are cut to this many characters, so one row has a known largest size. */
const MAX_SOURCE_LABEL_CHARS = 64;

/**
 * One PMU as a row of the report, in this column order (a tuple, so a thousand rows do not repeat the field
 * names): IDCODE, latency p50 and p99 (ms), frames, missing, late, CRC errors, time quality frames degraded, STAT
 * sync-lost frames, last time quality code, last arrival (ms since the epoch, 0: never), source label.
 */
export type QualityRow = [
  pmuId: number,
  latencyP50Ms: number,
  latencyP99Ms: number,
  frames: number,
  missing: number,
  late: number,
  crcErrors: number,
  timeQualityDegraded: number,
  syncLost: number,
  lastTimeQualityCode: number,
  lastSeenMs: number,
  source: string,
];

/** One message of a report: parts `0..parts-1` of report `seq` together list every PMU ingest tracks once. */
export interface QualityReportPart {
  /** The publishing ingest (its instance id). */
  readonly ingest: string;
  readonly seq: number;
  readonly part: number;
  readonly parts: number;
  readonly atMs: number;
  readonly intervalMs: number;
  readonly pmus: QualityRow[];
}

export interface ReportHeader {
  readonly ingest: string;
  readonly seq: number;
  readonly atMs: number;
  readonly intervalMs: number;
}

/**
 * Splits a quality report into parts of at most `maxPartBytes` of JSON each, rows in IDCODE order. Pure: the
 * caller passes the PMUs' source labels and the time. A report with no PMU is one empty part, so readers still
 * see that ingest is alive and tracks nothing.
 */
export function qualityReportParts(
  report: QualityReport,
  sourceOf: (pmuId: number) => string | undefined,
  header: ReportHeader,
  maxPartBytes: number = MAX_QUALITY_PART_BYTES,
): QualityReportPart[] {
  const empty = bytesOf({ ...header, part: 0, parts: 0, pmus: [] });
  if (empty + maxRowBytes() > maxPartBytes)
    throw new RangeError(
      `maxPartBytes ${maxPartBytes} cannot hold one PMU row (${empty + maxRowBytes()} bytes)`,
    );
  const chunks: QualityRow[][] = [[]];
  let used = empty;
  for (const p of report.pmus) {
    const row = toRow(p, sourceOf(p.pmuId));
    const size = bytesOf(row) + 1; // the comma between rows
    if (used + size > maxPartBytes) {
      chunks.push([]);
      used = empty;
    }
    chunks[chunks.length - 1].push(row);
    used += size;
  }
  return chunks.map((pmus, part) => ({ ...header, part, parts: chunks.length, pmus }));
}

function toRow(p: PmuQualityReport, source: string | undefined): QualityRow {
  return [
    p.pmuId,
    round(p.latencyMs.p50),
    round(p.latencyMs.p99),
    p.frames,
    p.missing,
    p.late,
    p.crcErrors,
    p.timeQualityDegraded,
    p.syncLost,
    p.lastTimeQualityCode,
    p.lastArrivalMs,
    (source ?? '').slice(0, MAX_SOURCE_LABEL_CHARS),
  ];
}

/** Latencies to a tenth of a millisecond: enough for the panel, and a fixed number of characters. */
function round(ms: number): number {
  return Number.isFinite(ms) ? Math.round(ms * 10) / 10 : 0;
}

/** The largest row: every counter at 2^53, the longest label of multi-byte characters. */
function maxRowBytes(): number {
  const big = Number.MAX_SAFE_INTEGER;
  const row = [
    65535,
    -big,
    -big,
    big,
    big,
    big,
    big,
    big,
    big,
    255,
    big,
    '\u{ffff}'.repeat(MAX_SOURCE_LABEL_CHARS),
  ];
  return bytesOf(row) + 1;
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
