import fs from 'node:fs/promises';
import path from 'node:path';
import type { InfluxDB } from 'influx';
import { RAW_POLICY } from '../influx/influx-schema';
import { MEASUREMENTS } from '../influx/measurements';
import type { ExportJobData, ExportJobResult } from './job-data';
import { csvHeader, csvRow } from './csv';
import type { JobHandle } from './replay-processor';

export interface ExportContext {
  readonly influx: InfluxDB;
  readonly database: string;
  readonly exportDir: string;
  /** The window is read from InfluxDB in slices this long: bounds the rows held at once. */
  readonly sliceMs: number;
}

interface VoltageRow {
  time: Date;
  bus: string;
  vm: number;
  va_deg: number;
}

/**
 * Exports the recorded bus voltages of a window to `<exportDir>/export-<job id>.csv`, slice by slice, with progress
 * by slices done. A failed query throws, so BullMQ retries the job, which writes the file anew.
 */
export async function runExport(
  job: JobHandle,
  data: ExportJobData,
  ctx: ExportContext,
): Promise<ExportJobResult> {
  const file = path.join(ctx.exportDir, `export-${job.id}.csv`);
  await fs.writeFile(file, csvHeader());
  const source = data.source ?? 'live';
  const jobFilter = data.job === undefined ? '' : ` AND "job" = '${data.job}'`;
  let rows = 0;
  const slices = Math.max(1, Math.ceil((data.toMs - data.fromMs + 1) / ctx.sliceMs));
  for (let k = 0; k < slices; k += 1) {
    const start = data.fromMs + k * ctx.sliceMs;
    const end = Math.min(data.toMs, start + ctx.sliceMs - 1);
    const result = await ctx.influx.query<VoltageRow>(
      `SELECT vm, va_deg, bus FROM "${RAW_POLICY}"."${MEASUREMENTS.busVoltage}" ` +
        `WHERE time >= ${start}ms AND time <= ${end}ms AND "source" = '${source}'${jobFilter}`,
      { database: ctx.database, precision: 'ms' },
    );
    const sorted = [...result].sort(
      (a, b) => a.time.getTime() - b.time.getTime() || Number(a.bus) - Number(b.bus),
    );
    await fs.appendFile(
      file,
      sorted.map((r) => csvRow(r.time.getTime(), source, r.bus, r.vm, r.va_deg)).join(''),
    );
    rows += sorted.length;
    await job.updateProgress(Math.floor(((k + 1) / slices) * 100));
  }
  return { file, rows };
}
