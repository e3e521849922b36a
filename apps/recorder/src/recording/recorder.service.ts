import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Subscription } from 'rxjs';
import {
  decodeAreaResult,
  decodeCatalog,
  decodeSnapshot,
  ResultCollector,
  WireFormatError,
  type CollectorEvent,
} from '@gridcloud/estimation';
import { AppMetrics, SystemViews } from '@gridcloud/nest-vsync';
import { toClusterEvent } from '@gridcloud/supervision';
import { RECORDER_OPTIONS } from '../config/recorder-config.module';
import type { RecorderOptions } from '../config/recorder-options';
import type { InfluxPoint } from '../influx/influx-point';
import { InfluxWriter } from '../influx/influx-writer';
import {
  busVoltagePoints,
  clusterEventPoint,
  estimatePoint,
  groupPoints,
  incompletePoint,
  MEASUREMENTS,
  PmuQualityWindow,
} from '../influx/measurements';
import { ResultArchive } from './result-archive';
import { SnapshotRecording } from './snapshot-recording';

const LIVE = { source: 'live' } as const;
/** How long a stopping recorder keeps trying to write what it buffered. */
const CLOSE_GRACE_MS = 3_000;

/**
 * The recorder's wiring: deliveries of `estimators` (snapshots, catalogs), `results` (through ResultCollector) and
 * `cluster.events`, and the system views, become InfluxDB points; snapshots and catalogs also go to the Redis
 * recording that replay jobs read. Holds no estimation logic and no write policy (PointBuffer has it).
 */
@Injectable()
export class RecorderService implements OnModuleInit, OnApplicationShutdown {
  readonly collector: ResultCollector;
  readonly writer: InfluxWriter | undefined;
  readonly recording: SnapshotRecording | undefined;
  readonly archive: ResultArchive | undefined;
  private readonly redis: Redis | undefined;
  private readonly quality: PmuQualityWindow;
  private readonly log = new Logger('recorder');
  private readonly counts = {
    snapshots: 0,
    catalogs: 0,
    results: 0,
    clusterEvents: 0,
    undecodable: 0,
    estimates: 0,
  };
  private views: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RECORDER_OPTIONS) private readonly options: RecorderOptions,
    @Inject(SystemViews) private readonly systemViews: SystemViews,
    @Inject(AppMetrics) metrics: AppMetrics,
  ) {
    const s = options.settings;
    this.collector = new ResultCollector({ maxOpenSnapshots: s.maxOpenSnapshots, maxClosedSnapshots: 4_096 });
    this.quality = new PmuQualityWindow(s.maxQualityPmus);
    this.writer =
      options.influx === undefined
        ? undefined
        : new InfluxWriter(
            options.influx,
            { rawRetention: s.influxRawRetention, downsampledRetention: s.influxDownsampledRetention },
            {
              maxBufferedPoints: s.maxInfluxBufferPoints,
              maxBatchPoints: s.influxBatchPoints,
              flushIntervalMs: s.influxFlushIntervalMs,
              retryInitialMs: Math.min(500, s.influxRetryMaxMs),
              retryMaxMs: s.influxRetryMaxMs,
            },
          );
    if (s.redisUrl !== undefined) {
      // No offline queue: while Redis is away a recording write fails at once and is counted, never piles up.
      this.redis = new Redis(s.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
      });
      this.redis.on('error', () => undefined);
      this.recording = new SnapshotRecording(this.redis, {
        keyPrefix: s.redisPrefix,
        maxRecordedSnapshots: s.maxRecordedSnapshots,
        maxRecordedCatalogs: s.maxRecordedCatalogs,
        maxPendingWrites: s.maxPendingRedisWrites,
      });
    }
    if (s.filestoreUrls.length > 0)
      this.archive = new ResultArchive(s.filestoreUrls, (m) => this.log.warn(`file store: ${m}`));
    this.registerMetrics(metrics);
  }

  async onModuleInit(): Promise<void> {
    this.writer?.start();
    await this.redis?.connect().catch((error: unknown) => this.log.warn(`redis: ${String(error)}; retrying`));
    this.views = this.systemViews.views$.subscribe((v) => this.write(groupPoints(v, Date.now())));
    this.timer = setInterval(() => this.tick(), this.options.settings.qualityIntervalMs);
    this.timer.unref();
  }

  onSnapshot(bytes: Uint8Array): void {
    const s = this.decode(() => decodeSnapshot(bytes));
    if (s === undefined) return;
    this.counts.snapshots += 1;
    this.quality.add(s);
    this.recording?.record(s.timeSec, bytes);
  }

  onCatalog(bytes: Uint8Array): void {
    const c = this.decode(() => decodeCatalog(bytes));
    if (c === undefined) return;
    this.counts.catalogs += 1;
    this.recording?.recordCatalog(c.version, bytes);
  }

  onResult(bytes: Uint8Array): void {
    const r = this.decode(() => decodeAreaResult(bytes));
    if (r === undefined) return;
    this.counts.results += 1;
    this.archive?.add(r, bytes);
    this.onCollected(this.collector.offer(r));
  }

  onClusterEvent(payload: unknown): void {
    const e = toClusterEvent(payload);
    if (e === undefined) {
      this.counts.undecodable += 1;
      return;
    }
    this.counts.clusterEvents += 1;
    this.write([clusterEventPoint(e)]);
  }

  stats(): Record<string, unknown> {
    const w = this.writer?.buffer;
    return {
      ...this.counts,
      collector: { ...this.collector.counters },
      influx: w === undefined ? null : { ready: this.writer!.ready, buffered: w.size, ...w.counters },
      recording: this.recording === undefined ? null : { ...this.recording.counters },
      filestore: this.archive === undefined ? null : { ...this.archive.counters },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.views?.unsubscribe();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.onCollected(this.collector.flush());
    this.tick();
    await Promise.all([this.writer?.close(CLOSE_GRACE_MS), this.archive?.close()]);
    this.redis?.disconnect();
  }

  private onCollected(events: CollectorEvent[]): void {
    const every = this.options.settings.busVoltageEvery;
    for (const e of events) {
      if (e.type === 'incomplete') {
        this.write([incompletePoint(e.timeSec, e.missingAreas.length, LIVE)]);
        continue;
      }
      this.counts.estimates += 1;
      this.write([estimatePoint(e.estimate, LIVE)]);
      if (this.counts.estimates % every === 0)
        this.write(busVoltagePoints(e.estimate, this.options.network.busIds, LIVE));
    }
  }

  /** Every quality interval: the PMU quality window, and the recorder's own figures (drops included). */
  private tick(): void {
    const now = Date.now();
    this.write(this.quality.drain(now));
    const w = this.writer?.buffer;
    const fields: Record<string, number> = {
      snapshots: this.counts.snapshots,
      results: this.counts.results,
      estimates: this.counts.estimates,
      incomplete: this.collector.counters.incomplete,
      late_results: this.collector.counters.late,
      undecodable: this.counts.undecodable,
    };
    if (w !== undefined)
      Object.assign(fields, {
        buffered: w.size,
        dropped: w.counters.dropped,
        write_errors: w.counters.writeErrors,
      });
    if (this.recording !== undefined)
      Object.assign(fields, {
        recorded: this.recording.counters.recorded,
        recording_dropped: this.recording.counters.dropped,
      });
    this.write([{ measurement: MEASUREMENTS.recorder, tags: {}, fields, timeMs: now }]);
  }

  private write(points: readonly InfluxPoint[]): void {
    this.writer?.add(points);
  }

  private registerMetrics(m: AppMetrics): void {
    const counters: [string, string, () => number][] = [
      ['snapshots', 'Snapshots received from the estimators group', () => this.counts.snapshots],
      ['estimates', 'Snapshots assembled from the results group', () => this.counts.estimates],
      [
        'influx_points_written',
        'Points written to InfluxDB',
        () => this.writer?.buffer.counters.written ?? 0,
      ],
      [
        'influx_points_dropped',
        'Points dropped: InfluxDB down and the buffer full',
        () => this.writer?.buffer.counters.dropped ?? 0,
      ],
      [
        'influx_write_errors',
        'Failed InfluxDB writes (retried)',
        () => this.writer?.buffer.counters.writeErrors ?? 0,
      ],
      [
        'recorded_snapshots',
        'Snapshots recorded in Redis for replay',
        () => this.recording?.counters.recorded ?? 0,
      ],
      [
        'recording_dropped',
        'Snapshots not recorded: Redis away or slow',
        () => this.recording?.counters.dropped ?? 0,
      ],
    ];
    for (const [name, help, read] of counters) m.counter(`recorder_${name}_total`, help, read);
    m.gauge(
      'recorder_influx_buffered_points',
      'Points waiting for InfluxDB',
      () => this.writer?.buffer.size ?? 0,
    );
  }

  /** A message that does not decode is counted and logged, never thrown into the delivery. */
  private decode<T>(decode: () => T): T | undefined {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      this.counts.undecodable += 1;
      this.log.warn(error.message);
      return undefined;
    }
  }
}
