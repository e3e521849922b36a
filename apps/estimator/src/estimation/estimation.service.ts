import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  decodeAreaResult,
  decodeCatalog,
  decodeSnapshot,
  deliveryWorkers,
  EstimationWorker,
  WireFormatError,
} from '@gridcloud/estimation';
import { BoundedProducer } from '@gridcloud/kafka';
import { AppMetrics, GroupPublisher } from '@gridcloud/nest-vsync';
import { processKey, VsyncProcess, type SystemView, type View } from '@gridcloud/vsync';
import { ESTIMATOR_OPTIONS } from '../config/estimator-config.module';
import type { EstimatorOptions } from '../config/estimator-options';
import { ResultSinks } from './result-sinks';

/** How often pending backup computations are checked when --backup-delay-ms is set. */
const BACKUP_TICK_MS = 5;

/**
 * The wiring of one estimator worker: decoded deliveries go to libs/estimation's
 * EstimationWorker, its results to the `results` group (and Kafka). Holds no
 * estimation decision of its own.
 */
@Injectable()
export class EstimationService implements OnModuleInit, OnApplicationShutdown {
  readonly worker: EstimationWorker;
  private readonly sinks: ResultSinks;
  private readonly log = new Logger('estimator');
  private undecodable = 0;
  private lastView: { id: number; members: number; workers: number } | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ESTIMATOR_OPTIONS) private readonly options: EstimatorOptions,
    @Inject(VsyncProcess) private readonly process: VsyncProcess,
    @Inject(GroupPublisher) publisher: GroupPublisher,
    @Inject(AppMetrics) metrics: AppMetrics,
  ) {
    this.worker = new EstimationWorker(options.network, options.worker, () => performance.now());
    const s = options.settings;
    const kafka =
      s.kafkaBrokers.length === 0
        ? undefined
        : new BoundedProducer({
            brokers: s.kafkaBrokers.map((b) => `${b.host}:${b.port}`),
            clientId: 'gridcloud-estimator',
            topic: s.kafkaTopic,
            maxQueueRecords: s.maxKafkaQueue,
          });
    this.sinks = new ResultSinks(publisher, kafka);
    this.registerMetrics(metrics);
  }

  /** The worker's counters at GET /metrics, read at each scrape. */
  private registerMetrics(m: AppMetrics): void {
    const s = this.worker.stats;
    m.counter(
      'estimator_snapshots_received_total',
      'Snapshots delivered to this worker',
      () => s.snapshotsReceived,
    );
    m.counter(
      'estimator_snapshots_estimated_total',
      'Snapshots this worker computed an area of',
      () => s.snapshotsEstimated,
    );
    m.counter('estimator_areas_computed_total', 'Area estimates computed', () => s.areasComputed);
    m.counter(
      'estimator_duplicates_avoided_total',
      'Backups skipped: the result was already in',
      () => s.duplicatesAvoided,
    );
    m.counter('estimator_compute_ms_total', 'Milliseconds spent estimating areas', () => s.computeMsTotal);
    m.counter('estimator_area_failures_total', 'Area estimates that failed', () => s.areaFailures);
    m.counter(
      'estimator_results_published_total',
      'Results sent to the results group',
      () => this.sinks.counters.published,
    );
    m.gauge('estimator_catalog_version', 'Version of the PMU catalog in force', () => s.catalogVersion);
    m.gauge(
      'estimator_unmapped_channels',
      'Catalog channels not placed in the network',
      () => s.unmappedChannels,
    );
    m.gauge(
      'estimator_open_branches',
      'Branches taken as open in the last snapshot',
      () => s.openBranches.length,
    );
  }

  async onModuleInit(): Promise<void> {
    if (this.options.worker.backupDelayMs > 0) {
      this.ticker = setInterval(() => this.publishAll(this.worker.tick(Date.now())), BACKUP_TICK_MS);
    }
    await this.sinks.kafkaConnect();
  }

  onCatalog(bytes: Uint8Array): void {
    const catalog = this.decode(() => decodeCatalog(bytes));
    if (catalog === undefined) return;
    if (!this.worker.onCatalog(catalog)) return;
    const unmapped = this.worker.unmapped;
    const channels = catalog.pmus.reduce((n, p) => n + p.channels.length, 0);
    this.log.log(
      `catalog v${catalog.version}: ${catalog.pmus.length} PMUs, ${channels} channels, ${unmapped.length} unmapped`,
    );
    for (const u of unmapped.slice(0, 10))
      this.log.warn(`unmapped channel ${u.idcode}/${u.channel}: ${u.reason}`);
  }

  onSnapshot(bytes: Uint8Array, view: View | undefined, systemView: SystemView | undefined): void {
    const snapshot = this.decode(() => decodeSnapshot(bytes));
    if (snapshot === undefined || view === undefined || systemView === undefined) return;
    const workers = deliveryWorkers(view, systemView);
    this.lastView = { id: view.id, members: view.members.length, workers: workers.length };
    this.publishAll(this.worker.onSnapshot(snapshot, workers, processKey(this.process.self), Date.now()));
  }

  onResult(bytes: Uint8Array): void {
    const result = this.decode(() => decodeAreaResult(bytes));
    if (result !== undefined) this.worker.onResult(result.slot, result.area);
  }

  stats(): Record<string, unknown> {
    const s = this.worker.stats;
    return {
      snapshotsReceived: s.snapshotsReceived,
      snapshotsEstimated: s.snapshotsEstimated,
      areasComputed: s.areasComputed,
      duplicatesAvoided: s.duplicatesAvoided,
      computeMsMean: s.areasComputed === 0 ? 0 : s.computeMsTotal / s.areasComputed,
      computeMsMax: s.computeMsMax,
      view: this.lastView ?? null,
      catalogVersion: s.catalogVersion,
      unmappedChannels: s.unmappedChannels,
      openBranches: s.openBranches,
      snapshotsWithoutCatalog: s.snapshotsWithoutCatalog,
      unboundPmus: s.unboundPmus,
      areaFailures: s.areaFailures,
      undecodableMessages: this.undecodable,
      pendingBackups: this.worker.pendingBackups,
      results: { ...this.sinks.counters },
      kafka: this.sinks.kafkaCounters(),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    await this.sinks.close();
  }

  private publishAll(results: ReturnType<EstimationWorker['tick']>): void {
    for (const r of results) this.sinks.publish(r);
  }

  /** A message that does not decode is counted and logged, never thrown into the delivery. */
  private decode<T>(decode: () => T): T | undefined {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      this.undecodable += 1;
      this.log.warn(error.message);
      return undefined;
    }
  }
}
