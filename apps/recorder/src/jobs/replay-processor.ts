import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  decodeCatalog,
  decodeSnapshot,
  WireFormatError,
  type CollectorEvent,
  type PmuCatalog,
  type SystemEstimate,
  type WorkerOptions,
} from '@gridcloud/estimation';
import type { Network } from '@gridcloud/grid';
import type { InfluxDB } from 'influx';
import {
  busVoltagePoints,
  estimatePoint,
  incompletePoint,
  type EstimateSource,
} from '../influx/measurements';
import { writeBatch } from '../influx/influx-writer';
import type { SnapshotRecording } from '../recording/snapshot-recording';
import type { ReplayJobData, ReplayJobResult } from './job-data';
import { csvHeader, csvRows } from './csv';
import { ReEstimation } from './re-estimation';

/** What a replay needs besides its job: the recording, the case, the worker options and where results go. */
export interface ReplayContext {
  readonly recording: SnapshotRecording;
  readonly network: Network;
  readonly worker: WorkerOptions;
  readonly influx: InfluxDB;
  readonly database: string;
  readonly exportDir: string;
  /** Snapshots read from Redis (and written to InfluxDB) per step: bounds the job's memory. */
  readonly batchSnapshots: number;
}

/** The job as the processor sees it: an id, and a way to report progress in percent. */
export interface JobHandle {
  readonly id: string;
  updateProgress(percent: number): Promise<void>;
}

/**
 * Re-estimates a recorded window batch by batch: read from the Redis stream, decode, estimate with libs/estimation,
 * write the estimates (tagged source=replay, job=<id>) to InfluxDB, report progress by time covered. A failed write
 * throws, so BullMQ retries the job; a retry writes the same points again, which InfluxDB keeps once.
 */
export async function runReplay(
  job: JobHandle,
  data: ReplayJobData,
  ctx: ReplayContext,
): Promise<ReplayJobResult> {
  const worker = { ...ctx.worker, areas: data.areas ?? ctx.worker.areas };
  const replay = new ReEstimation(ctx.network, worker, () => performance.now());
  const catalogs = new Map<number, PmuCatalog | undefined>();
  const from: EstimateSource = { source: 'replay', job: job.id };
  const csvFile = data.csv === true ? path.join(ctx.exportDir, `replay-${job.id}.csv`) : null;
  if (csvFile !== null) await fs.writeFile(csvFile, csvHeader());
  const tally = {
    undecodable: 0,
    costSum: 0,
    voltages: 0,
    firstMs: null as number | null,
    lastMs: null as number | null,
  };
  const write = async (events: readonly CollectorEvent[]): Promise<void> => {
    const estimates: SystemEstimate[] = [];
    const points = [];
    for (const e of events) {
      if (e.type === 'incomplete') points.push(incompletePoint(e.timeSec, e.missingAreas.length, from));
      else estimates.push(e.estimate);
    }
    for (const e of estimates) {
      tally.costSum += e.cost;
      const voltages = busVoltagePoints(e, ctx.network.busIds, from);
      tally.voltages += voltages.length;
      points.push(estimatePoint(e, from), ...voltages);
    }
    if (points.length > 0) await writeBatch(ctx.influx, ctx.database, points);
    if (csvFile !== null) await fs.appendFile(csvFile, csvRows(estimates, ctx.network.busIds, 'replay'));
  };
  let after: string | undefined;
  for (;;) {
    const batch = await ctx.recording.read(data.fromMs, data.toMs, ctx.batchSnapshots, after);
    if (batch.length === 0) break;
    after = batch[batch.length - 1].id;
    const events: CollectorEvent[] = [];
    for (const r of batch) {
      const snapshot = decodeOrCount(() => decodeSnapshot(r.bytes), tally);
      if (snapshot === undefined) continue;
      tally.firstMs ??= r.timeMs;
      tally.lastMs = r.timeMs;
      const catalog = await catalogOf(snapshot.catalogVersion, catalogs, ctx.recording, tally);
      events.push(...replay.step(snapshot, catalog));
    }
    await write(events);
    await job.updateProgress(progressOf(data, batch[batch.length - 1].timeMs));
  }
  await write(replay.finish());
  await job.updateProgress(100);
  const c = replay.counters;
  return {
    snapshots: c.snapshots + tally.undecodable,
    assembled: c.assembled,
    incomplete: c.incomplete,
    withoutCatalog: c.withoutCatalog,
    undecodable: tally.undecodable,
    firstMs: tally.firstMs,
    lastMs: tally.lastMs,
    voltages: tally.voltages,
    costMean: c.assembled === 0 ? null : tally.costSum / c.assembled,
    csvFile,
  };
}

function progressOf(data: ReplayJobData, atMs: number): number {
  const span = data.toMs - data.fromMs;
  return span <= 0 ? 100 : Math.min(99, Math.floor(((atMs - data.fromMs) / span) * 100));
}

async function catalogOf(
  version: number,
  cache: Map<number, PmuCatalog | undefined>,
  recording: SnapshotRecording,
  tally: { undecodable: number },
): Promise<PmuCatalog | undefined> {
  if (!cache.has(version)) {
    const bytes = await recording.catalog(version);
    cache.set(version, bytes === undefined ? undefined : decodeOrCount(() => decodeCatalog(bytes), tally));
  }
  return cache.get(version);
}

/** Recorded bytes that do not decode are counted and skipped; they never fail the job. */
function decodeOrCount<T>(decode: () => T, tally: { undecodable: number }): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    tally.undecodable += 1;
    return undefined;
  }
}
