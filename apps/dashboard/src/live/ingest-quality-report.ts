import { QualityReportError } from '../errors/quality-report-error';

/** The group ingest publishes its per-PMU data quality to, and the message (`ingest.quality/report`). */
export const INGEST_QUALITY_GROUP = 'ingest.quality';
export const QUALITY_REPORT_MESSAGE = 'report';

/** One PMU's figures in a report, as ingest counts them since it started. */
export interface IngestPmuFigures {
  readonly pmuId: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly frames: number;
  readonly missing: number;
  readonly late: number;
  readonly crcErrors: number;
  readonly timeQualityDegraded: number;
  readonly syncLost: number;
  readonly lastTimeQualityCode: number;
  /** Ingest's clock, ms since the epoch; 0: no frame yet. */
  readonly lastSeenMs: number;
  readonly source: string;
}

/** One part of one report, decoded. */
export interface IngestQualityPart {
  readonly ingest: string;
  readonly seq: number;
  readonly part: number;
  readonly parts: number;
  readonly atMs: number;
  readonly intervalMs: number;
  readonly pmus: IngestPmuFigures[];
}

/** Most rows one part may carry: ingest bounds a part at 32 KiB, and a row takes more than 20 bytes. */
const MAX_ROWS_PER_PART = 2048;
const ROW_COLUMNS = 12;

/**
 * Reads a part as ingest sends it (apps/ingest's `QualityReportPart`: a header and rows as tuples, see its
 * README); anything else is a QualityReportError saying what was wrong.
 */
export function decodeQualityPart(payload: unknown): IngestQualityPart {
  if (typeof payload !== 'object' || payload === null)
    throw new QualityReportError('a report must be an object');
  const p = payload as Record<string, unknown>;
  if (typeof p.ingest !== 'string') throw new QualityReportError('ingest must be a string');
  const header = {
    seq: count(p.seq, 'seq'),
    part: count(p.part, 'part'),
    parts: count(p.parts, 'parts'),
    atMs: count(p.atMs, 'atMs'),
    intervalMs: count(p.intervalMs, 'intervalMs'),
  };
  if (header.part >= header.parts)
    throw new QualityReportError(`part ${header.part} is not below parts ${header.parts}`);
  if (!Array.isArray(p.pmus) || p.pmus.length > MAX_ROWS_PER_PART)
    throw new QualityReportError(`pmus must be an array of at most ${MAX_ROWS_PER_PART} rows`);
  return { ingest: p.ingest.slice(0, 128), ...header, pmus: p.pmus.map((r, i) => decodeRow(r, i)) };
}

function decodeRow(row: unknown, index: number): IngestPmuFigures {
  if (!Array.isArray(row) || row.length !== ROW_COLUMNS || typeof row[11] !== 'string')
    throw new QualityReportError(
      `pmus[${index}] is not a row of ${ROW_COLUMNS} columns ending in the source`,
    );
  const n = (i: number, name: string): number => finite(row[i], `pmus[${index}].${name}`);
  const c = (i: number, name: string): number => count(row[i], `pmus[${index}].${name}`);
  return {
    pmuId: c(0, 'pmuId'),
    latencyP50Ms: n(1, 'latencyP50Ms'),
    latencyP99Ms: n(2, 'latencyP99Ms'),
    frames: c(3, 'frames'),
    missing: c(4, 'missing'),
    late: c(5, 'late'),
    crcErrors: c(6, 'crcErrors'),
    timeQualityDegraded: c(7, 'timeQualityDegraded'),
    syncLost: c(8, 'syncLost'),
    lastTimeQualityCode: c(9, 'lastTimeQualityCode'),
    lastSeenMs: c(10, 'lastSeenMs'),
    source: (row[11] as string).slice(0, 64),
  };
}

function finite(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new QualityReportError(`${name} must be a finite number`);
  return v;
}

function count(v: unknown, name: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0)
    throw new QualityReportError(`${name} must be a non-negative integer`);
  return v as number;
}
