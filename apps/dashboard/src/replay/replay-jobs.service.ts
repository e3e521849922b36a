import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Queue, QueueEvents } from 'bullmq';
import type { InfluxDB } from 'influx';
import type { Redis } from 'ioredis';
import { Subject } from 'rxjs';
import { DASHBOARD_OPTIONS } from '../config/dashboard-config.module';
import type { DashboardOptions } from '../config/dashboard-options';
import { ReplayRequestError } from '../errors/replay-request-error';
import { parseInfluxTarget, parseRedisTarget } from './replay-targets';
import {
  checkReplayRequest,
  compareBus,
  type BusComparison,
  type BusPoint,
  type RecordedSpan,
} from './replay-window';

/** The recorder's job name for a re-estimation of a recorded window. */
const REPLAY_JOB = 'replay';
/** Replay jobs of this dashboard remembered for the page (the newest; older ones are forgotten). */
const MAX_REMEMBERED_JOBS = 32;

/** One replay job as the page shows it. */
export interface ReplayJobView {
  readonly id: string;
  readonly fromMs: number;
  readonly toMs: number;
  state: 'waiting' | 'completed' | 'failed';
  progress: number;
  result?: unknown;
  error?: string;
}

/**
 * The Replay panel's wiring: reads the recorder's recording span in Redis, adds one BullMQ `replay` job per request
 * on the recorder's queue, follows this dashboard's jobs through QueueEvents (progress, completed, failed) and reads
 * their results back from InfluxDB beside the live estimates of the same instants.
 */
@Injectable()
export class ReplayJobs implements OnModuleInit, OnApplicationShutdown {
  /** Every change of one of this dashboard's jobs. */
  readonly changes$ = new Subject<ReplayJobView>();
  private readonly jobs = new Map<string, ReplayJobView>();
  private readonly log = new Logger('replay');
  private redis: Redis | undefined;
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private influx: InfluxDB | undefined;

  constructor(@Inject(DASHBOARD_OPTIONS) private readonly options: DashboardOptions) {}

  /**
   * The Redis, BullMQ and InfluxDB clients are loaded only when replay is configured: importing them costs most of
   * a second of CPU at every start of a dashboard that does not replay (the embedded cluster's).
   */
  async onModuleInit(): Promise<void> {
    const s = this.options.settings;
    if (s.redisUrl === undefined || s.influxUrl === undefined) return;
    const [{ Queue, QueueEvents }, { InfluxDB }, { Redis }] = await Promise.all([
      import('bullmq'),
      import('influx'),
      import('ioredis'),
    ]);
    const connection = parseRedisTarget(s.redisUrl);
    this.redis = new Redis({ ...connection, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', (e: Error) => this.log.warn(`redis: ${e.message}`));
    this.queue = new Queue(s.jobQueue, { connection });
    this.queue.on('error', (e: Error) => this.log.warn(`queue: ${e.message}`));
    this.events = new QueueEvents(s.jobQueue, { connection });
    this.events.on('error', (e: Error) => this.log.warn(`queue events: ${e.message}`));
    this.events.on('progress', ({ jobId, data }) => this.update(jobId, { progress: Number(data) }));
    this.events.on('completed', ({ jobId, returnvalue }) =>
      this.update(jobId, { state: 'completed', progress: 100, result: parsed(returnvalue) }),
    );
    this.events.on('failed', ({ jobId, failedReason }) =>
      this.update(jobId, { state: 'failed', error: failedReason }),
    );
    const t = parseInfluxTarget(s.influxUrl);
    this.influx = new InfluxDB({ ...t });
  }

  async onApplicationShutdown(): Promise<void> {
    this.changes$.complete();
    await Promise.allSettled([this.events?.close(), this.queue?.close()]);
    this.redis?.disconnect();
  }

  /** Why replay is off, or undefined when it is on. */
  get unavailable(): string | undefined {
    if (this.options.settings.redisUrl === undefined)
      return "replay needs --redis-url (the recorder's Redis) and --influx-url";
    if (this.options.settings.influxUrl === undefined) return 'replay needs --influx-url to read its results';
    return undefined;
  }

  list(): ReplayJobView[] {
    return [...this.jobs.values()];
  }

  /** The recorded span: first and last snapshot times and the count, or undefined for an empty recording. */
  async span(): Promise<RecordedSpan | undefined> {
    const redis = this.required(this.redis);
    const key = `${this.options.settings.redisPrefix}:snapshots`;
    const [first] = await redis.xrange(key, '-', '+', 'COUNT', 1);
    const [last] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
    if (first === undefined || last === undefined) return undefined;
    const ms = (id: string): number => Number(id.split('-')[0]);
    return { firstMs: ms(first[0]), lastMs: ms(last[0]), snapshots: await redis.xlen(key) };
  }

  /** Adds one replay job for the window after checking it against the recording; refusals are ReplayRequestErrors. */
  async start(body: unknown): Promise<ReplayJobView> {
    const queue = this.required(this.queue);
    const unfinished = this.list().filter((j) => j.state === 'waiting').length;
    const window = checkReplayRequest(
      body,
      await this.span(),
      unfinished,
      this.options.settings.maxReplayJobs,
    );
    const job = await queue.add(REPLAY_JOB, window, {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
    });
    const view: ReplayJobView = { id: job.id!, ...window, state: 'waiting', progress: 0 };
    this.remember(view);
    this.changes$.next(view);
    return view;
  }

  /** A completed job's replayed values of one bus (by case bus number) beside the live ones at the same instants. */
  async results(body: unknown): Promise<BusComparison> {
    const influx = this.required(this.influx);
    const { jobId, bus } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof jobId !== 'string' || !/^[\w.-]{1,64}$/.test(jobId))
      throw new ReplayRequestError(`jobId must be a job id, got ${String(jobId)}`);
    if (!Number.isInteger(bus) || !this.options.network.busIds.includes(bus as number))
      throw new ReplayRequestError(`bus must be a bus number of the case, got ${String(bus)}`);
    const { Job } = await import('bullmq');
    const job = await Job.fromId(this.required(this.queue), jobId);
    if (job === undefined || job.name !== REPLAY_JOB) throw new ReplayRequestError(`no replay job ${jobId}`);
    const { fromMs, toMs } = job.data as { fromMs: number; toMs: number };
    const max = this.options.settings.maxReplayPoints;
    const read = (where: string): Promise<BusPoint[]> =>
      this.points(
        influx,
        `${where} AND "bus" = '${bus as number}' AND time >= ${fromMs}ms AND time <= ${toMs}ms`,
        max + 1,
      );
    const [replay, live] = await Promise.all([
      read(`"source" = 'replay' AND "job" = '${jobId}'`),
      read(`"source" = 'live'`),
    ]);
    return compareBus(bus as number, replay, live, max);
  }

  private async points(influx: InfluxDB, where: string, limit: number): Promise<BusPoint[]> {
    const rows = await influx.query<{ time: Date; vm: number; va_deg: number }>(
      `SELECT vm, va_deg FROM "raw"."bus_voltage" WHERE ${where} ORDER BY time ASC LIMIT ${limit}`,
    );
    return rows.map((r) => ({ timeMs: r.time.getTime(), vm: r.vm, va: r.va_deg }));
  }

  private update(jobId: string, change: Partial<ReplayJobView>): void {
    const view = this.jobs.get(jobId);
    if (view === undefined) return;
    if (view.state !== 'waiting' && change.state === undefined) return;
    Object.assign(view, change);
    this.changes$.next(view);
  }

  private remember(view: ReplayJobView): void {
    this.jobs.set(view.id, view);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= MAX_REMEMBERED_JOBS) break;
      this.jobs.delete(id);
    }
  }

  private required<T>(client: T | undefined): T {
    if (client === undefined) throw new ReplayRequestError(this.unavailable ?? 'replay is not set up');
    return client;
  }
}

/** BullMQ hands a completed job's return value over as JSON text. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
