import fs from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { RECORDER_OPTIONS } from '../config/recorder-config.module';
import { parseRedisUrl, type RecorderOptions } from '../config/recorder-options';
import { JobDataError } from '../errors/job-data-error';
import { influxClient } from '../influx/influx-writer';
import { RecorderService } from '../recording/recorder.service';
import { runExport } from './export-processor';
import { EXPORT_JOB, REPLAY_JOB, toExportJobData, toReplayJobData } from './job-data';
import { runReplay } from './replay-processor';

/** BullMQ's connection options from a redis:// URL (BullMQ needs maxRetriesPerRequest null on its own clients). */
export function bullConnection(redisUrl: string): {
  host: string;
  port: number;
  password?: string;
  db?: number;
  maxRetriesPerRequest: null;
} {
  const url = parseRedisUrl(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
    maxRetriesPerRequest: null,
  };
}

/**
 * The BullMQ worker of the `--job-queue` queue: `replay` and `export` jobs, at most `--job-concurrency` at once,
 * retried as their producer asked (attempts, backoff). Bad job data fails at once (UnrecoverableError). Runs only
 * when both Redis and InfluxDB are configured.
 */
@Injectable()
export class ReplayJobsService implements OnModuleInit, OnApplicationShutdown {
  private worker: Worker | undefined;
  private readonly log = new Logger('jobs');
  readonly counts = { completed: 0, failed: 0 };

  constructor(
    @Inject(RECORDER_OPTIONS) private readonly options: RecorderOptions,
    @Inject(RecorderService) private readonly recorder: RecorderService,
  ) {}

  async onModuleInit(): Promise<void> {
    const s = this.options.settings;
    const influx = this.options.influx;
    const recording = this.recorder.recording;
    if (s.redisUrl === undefined || influx === undefined || recording === undefined) return;
    await fs.mkdir(s.exportDir, { recursive: true });
    const client = influxClient(influx);
    const base = { influx: client, database: influx.database, exportDir: s.exportDir };
    const replay = {
      ...base,
      recording,
      network: this.options.network,
      worker: this.options.worker,
      batchSnapshots: s.replayBatchSnapshots,
    };
    const exporting = { ...base, sliceMs: s.exportSliceMs };
    const process = async (job: Job): Promise<unknown> => {
      const handle = { id: String(job.id), updateProgress: (p: number) => job.updateProgress(p) };
      try {
        if (job.name === REPLAY_JOB)
          return await runReplay(handle, toReplayJobData(job.data, this.options.network.busCount), replay);
        if (job.name === EXPORT_JOB) return await runExport(handle, toExportJobData(job.data), exporting);
        throw new JobDataError(`unknown job name '${job.name}': use '${REPLAY_JOB}' or '${EXPORT_JOB}'`);
      } catch (error) {
        if (error instanceof JobDataError) throw new UnrecoverableError(error.message);
        throw error;
      }
    };
    this.worker = new Worker(s.jobQueue, process, {
      connection: bullConnection(s.redisUrl),
      concurrency: s.jobConcurrency,
    });
    this.worker.on('completed', () => (this.counts.completed += 1));
    this.worker.on('failed', (job, error) => {
      this.counts.failed += 1;
      this.log.warn(
        `job ${job?.name ?? '?'} ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
      );
    });
    this.worker.on('error', (error) => this.log.warn(`queue: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
