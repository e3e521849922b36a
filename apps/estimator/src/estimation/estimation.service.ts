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
import { GroupPublisher } from '@gridcloud/nest-vsync';
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
  ) {
    this.worker = new EstimationWorker(options.network, options.worker, () => performance.now());
    const kafka =
      options.kafkaBrokers.length === 0
        ? undefined
        : new BoundedProducer({
            brokers: options.kafkaBrokers,
            clientId: 'gridcloud-estimator',
            topic: options.kafkaTopic,
            maxQueueRecords: options.maxKafkaQueue,
          });
    this.sinks = new ResultSinks(publisher, kafka);
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
