import { JobDataError } from '../errors/job-data-error';

/** The queue's job names. */
export const REPLAY_JOB = 'replay';
export const EXPORT_JOB = 'export';

/** Re-estimate the recorded snapshots of [fromMs, toMs] and write the estimates to InfluxDB as `source=replay`. */
export interface ReplayJobData {
  readonly fromMs: number;
  readonly toMs: number;
  /** Areas to cut the network into for the replay (default: the recorder's --areas). */
  readonly areas?: number;
  /** Also write the re-estimated bus voltages to a CSV file in the export directory. */
  readonly csv?: boolean;
}

/** Write the recorded bus voltages of [fromMs, toMs] to a CSV file: `source` live (default) or a replay job's. */
export interface ExportJobData {
  readonly fromMs: number;
  readonly toMs: number;
  readonly source?: 'live' | 'replay';
  /** With source replay: that replay job's id. */
  readonly job?: string;
}

export interface ReplayJobResult {
  readonly snapshots: number;
  readonly assembled: number;
  readonly incomplete: number;
  readonly withoutCatalog: number;
  readonly undecodable: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** `bus_voltage` points written: one per observable bus of each assembled estimate. */
  readonly voltages: number;
  readonly costMean: number | null;
  readonly csvFile: string | null;
}

export interface ExportJobResult {
  readonly file: string;
  readonly rows: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The longest window a job may cover: a bound on the work one job can ask for. */
export const MAX_JOB_WINDOW_MS = 7 * 24 * 3_600_000;

function window(what: string, v: Record<string, unknown>): { fromMs: number; toMs: number } {
  const { fromMs, toMs } = v;
  if (typeof fromMs !== 'number' || !Number.isFinite(fromMs) || fromMs < 0)
    throw new JobDataError(`${what}: fromMs must be a time in ms since the epoch, got ${String(fromMs)}`);
  if (typeof toMs !== 'number' || !Number.isFinite(toMs) || toMs < fromMs)
    throw new JobDataError(`${what}: toMs must be a time in ms not before fromMs, got ${String(toMs)}`);
  if (toMs - fromMs > MAX_JOB_WINDOW_MS)
    throw new JobDataError(`${what}: the window is ${toMs - fromMs} ms, longer than ${MAX_JOB_WINDOW_MS} ms`);
  return { fromMs, toMs };
}

export function toReplayJobData(v: unknown, maxAreas: number): ReplayJobData {
  if (!isRecord(v)) throw new JobDataError('replay: job data must be an object');
  const { areas, csv } = v;
  if (
    areas !== undefined &&
    (!Number.isInteger(areas) || (areas as number) < 1 || (areas as number) > maxAreas)
  )
    throw new JobDataError(`replay: areas must be an integer in [1, ${maxAreas}], got ${String(areas)}`);
  if (csv !== undefined && typeof csv !== 'boolean')
    throw new JobDataError(`replay: csv must be true or false, got ${String(csv)}`);
  return { ...window('replay', v), areas: areas as number | undefined, csv };
}

export function toExportJobData(v: unknown): ExportJobData {
  if (!isRecord(v)) throw new JobDataError('export: job data must be an object');
  const { source, job } = v;
  if (source !== undefined && source !== 'live' && source !== 'replay')
    throw new JobDataError(`export: source must be 'live' or 'replay', got ${String(source)}`);
  if (job !== undefined && (typeof job !== 'string' || !/^[\w.-]{1,64}$/.test(job)))
    throw new JobDataError(`export: job must be a job id (letters, digits, . _ -), got ${String(job)}`);
  return { ...window('export', v), source, job };
}
