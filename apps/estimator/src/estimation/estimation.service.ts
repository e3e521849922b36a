import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pid } from 'node:process';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  decodeCatalog,
  decodeSnapshot,
  deliveryWorkers,
  ESTIMATORS_GROUP,
  EstimationWorker,
  peekAreaResult,
  RecentSlots,
  wallClockMs,
  WireFormatError,
} from '@gridcloud/estimation';
import { AppMetrics, GroupPublisher, InjectGroup } from '@gridcloud/nest-vsync';
import { Group, processKey, VsyncProcess, type SystemView, type View } from '@gridcloud/vsync';
import { ESTIMATOR_OPTIONS } from '../config/estimator-config.module';
import type { EstimatorOptions } from '../config/estimator-options';
import type { KafkaSnapshotInput } from './kafka-snapshot-input';
import { ResultSinks } from './result-sinks';

/** Where a snapshot came from. */
type SnapshotSource = 'group' | 'kafka';

/** Counters of the snapshot inputs: what each brought, and the copies dropped because the other came first. */
interface InputCounters {
  group: number;
  kafka: number;
  /** Second copies of a slot (from either input): dropped, the first copy was estimated. */
  duplicateSnapshots: number;
  /** Kafka snapshots read before this worker was in the estimators group: no worker list to assign them. */
  kafkaWithoutView: number;
}

/** How long start-up waits for Kafka to assign the snapshot topic's partitions. */
const KAFKA_ASSIGN_TIMEOUT_MS = 60_000;

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
  private readonly input: InputCounters = { group: 0, kafka: 0, duplicateSnapshots: 0, kafkaWithoutView: 0 };
  /** Set only with Kafka input: without a second input no copy can come twice. */
  private readonly slots: RecentSlots | undefined;
  private kafkaInput: KafkaSnapshotInput | undefined;
  private lastView: { id: number; members: number; workers: number } | undefined;
  /** The pending wake-up of the compute loop: an immediate when an area is due, a timer when only backups wait. */
  private wake: { cancel(): void } | undefined;
  private closed = false;

  constructor(
    @Inject(ESTIMATOR_OPTIONS) private readonly options: EstimatorOptions,
    @Inject(VsyncProcess) private readonly process: VsyncProcess,
    @Inject(GroupPublisher) publisher: GroupPublisher,
    @Inject(AppMetrics) metrics: AppMetrics,
    @InjectGroup(ESTIMATORS_GROUP) private readonly estimators: Group,
  ) {
    this.worker = new EstimationWorker(options.network, options.worker, () => performance.now());
    this.sinks = new ResultSinks(publisher);
    if (options.settings.kafkaSnapshotsFrom.length > 0)
      this.slots = new RecentSlots(options.settings.maxRememberedSnapshots);
    this.registerMetrics(metrics);
  }

  /** The worker's counters at GET /metrics, read at each scrape. */
  private registerMetrics(m: AppMetrics): void {
    const s = this.worker.stats;
    const counters: [string, string, () => number][] = [
      ['snapshots_received', 'Snapshots delivered to this worker', () => s.snapshotsReceived],
      ['snapshots_estimated', 'Snapshots this worker computed an area of', () => s.snapshotsEstimated],
      ['areas_computed', 'Area estimates computed', () => s.areasComputed],
      ['duplicates_avoided', 'Queued areas skipped: the result was already in', () => s.duplicatesAvoided],
      ['areas_shed', 'Queued areas dropped: this worker fell behind', () => s.areasShed],
      ['compute_ms', 'Milliseconds spent estimating areas', () => s.computeMsTotal],
      ['area_failures', 'Area estimates that failed', () => s.areaFailures],
      ['results_published', 'Results sent to the results group', () => this.sinks.counters.published],
      ['kafka_snapshots', 'Snapshots taken from Kafka (first copies)', () => this.input.kafka],
      ['duplicate_snapshots', 'Second copies of a snapshot dropped', () => this.input.duplicateSnapshots],
    ];
    for (const [name, help, read] of counters) m.counter(`estimator_${name}_total`, help, read);
    const gauges: [string, string, () => number][] = [
      ['queued_areas', 'Areas waiting to be computed', () => this.worker.queuedAreas],
      ['catalog_version', 'Version of the PMU catalog in force', () => s.catalogVersion],
      ['unmapped_channels', 'Catalog channels not placed in the network', () => s.unmappedChannels],
      ['open_branches', 'Branches taken as open in the last snapshot', () => s.openBranches.length],
    ];
    for (const [name, help, read] of gauges) m.gauge(`estimator_${name}`, help, read);
  }

  /**
   * Kafka's client is loaded only when Kafka is configured: importing kafkajs costs most of a second of CPU at
   * every start, which the embedded cluster (no Kafka) would pay five times over.
   */
  async onModuleInit(): Promise<void> {
    const s = this.options.settings;
    if (s.kafkaBrokers.length > 0) {
      const { BoundedProducer } = await import('@gridcloud/kafka');
      this.sinks.attachKafka(
        new BoundedProducer({
          brokers: s.kafkaBrokers.map((b) => `${b.host}:${b.port}`),
          clientId: 'gridcloud-estimator',
          topic: s.kafkaTopic,
          maxQueueRecords: s.maxKafkaQueue,
        }),
      );
      await this.sinks.kafkaConnect();
    }
    if (s.kafkaSnapshotsFrom.length > 0) await this.startKafkaInput();
  }

  private async startKafkaInput(): Promise<void> {
    const s = this.options.settings;
    const { KafkaSnapshotInput } = await import('./kafka-snapshot-input');
    this.kafkaInput = new KafkaSnapshotInput(
      {
        brokers: s.kafkaSnapshotsFrom.map((b) => `${b.host}:${b.port}`),
        topic: s.kafkaSnapshotsTopic,
        workerName: `${hostname()}-${pid}`,
        assignTimeoutMs: KAFKA_ASSIGN_TIMEOUT_MS,
      },
      { onCatalog: (bytes) => this.onCatalog(bytes), onSnapshot: (bytes) => this.onKafkaSnapshot(bytes) },
    );
    await this.kafkaInput.start();
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

  /** A snapshot delivered by the estimators group, with that delivery's views. */
  onSnapshot(bytes: Uint8Array, view: View | undefined, systemView: SystemView | undefined): void {
    this.takeSnapshot(bytes, view, systemView, 'group');
  }

  /**
   * A snapshot read from Kafka: assigned from the views in force now. Unlike a
   * delivery, the moment of reading differs between workers, so a view change
   * between two workers' reads may give them different worker lists.
   */
  private onKafkaSnapshot(bytes: Uint8Array): void {
    const view = this.estimators.view;
    const systemView = this.process.systemView;
    if (view === undefined || systemView === undefined) {
      this.input.kafkaWithoutView += 1;
      return;
    }
    this.takeSnapshot(bytes, view, systemView, 'kafka');
  }

  private takeSnapshot(
    bytes: Uint8Array,
    view: View | undefined,
    systemView: SystemView | undefined,
    source: SnapshotSource,
  ): void {
    const snapshot = this.decode(() => decodeSnapshot(bytes));
    if (snapshot === undefined || view === undefined || systemView === undefined) return;
    if (this.slots !== undefined && !this.slots.take(snapshot.slot)) {
      this.input.duplicateSnapshots += 1;
      return;
    }
    this.input[source] += 1;
    const workers = deliveryWorkers(view, systemView);
    this.lastView = { id: view.id, members: view.members.length, workers: workers.length };
    // The wall clock with sub-millisecond resolution: it stamps each result's delivery and compute times.
    this.worker.onSnapshot(snapshot, workers, processKey(this.process.self), wallClockMs());
    this.schedule();
  }

  /** A result from any worker: only its (slot, area) matters here, read from the header without decoding every bus. */
  onResult(bytes: Uint8Array): void {
    const id = this.decode(() => peekAreaResult(bytes));
    if (id !== undefined) this.worker.onResult(id.slot, id.area);
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
      queuedAreas: this.worker.queuedAreas,
      areasShed: s.areasShed,
      results: { ...this.sinks.counters },
      kafka: this.sinks.kafkaCounters(),
      input: { ...this.input, kafkaRecords: this.kafkaInput?.counters },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.wake?.cancel();
    await this.kafkaInput?.stop();
    await this.sinks.close();
  }

  /** Wakes the compute loop when the next queued area falls due. */
  private schedule(): void {
    const due = this.worker.nextDueMs;
    if (this.wake !== undefined || this.closed || due === undefined) return;
    const waitMs = due - wallClockMs();
    if (waitMs <= 0) {
      const immediate = setImmediate(() => this.computeNext());
      this.wake = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(() => this.computeNext(), waitMs);
      this.wake = { cancel: () => clearTimeout(timer) };
    }
  }

  /**
   * One area per event-loop turn: vsync's sockets and timers run between two
   * areas, so a slow estimate or a backlog never starves the failure detector.
   */
  private computeNext(): void {
    this.wake = undefined;
    for (const r of this.worker.runDue(wallClockMs(), 1)) this.sinks.publish(r);
    this.schedule();
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
