import { BoundedProducer } from '@gridcloud/kafka';
import type { RecordPublisher } from '../sinks/kafka-snapshot-sink';
import { PmuCatalogTracker, type PmuDescriptions } from '../sinks/pmu-catalog-tracker';
import type { Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { regionCatalogRecord, regionSnapshotRecord } from './region-record';

export interface RegionSinkOptions {
  readonly brokers: readonly string[];
  readonly region: string;
  /** Partial snapshots, keyed by slot. */
  readonly topic: string;
  /** The region's PMU catalog, keyed by region; every merger reads all of it. */
  readonly catalogTopic: string;
  /** Records waiting for Kafka at most, per topic; past it new ones are dropped and counted. */
  readonly maxSnapshotQueue: number;
  /** The catalog is re-sent at least this often (snapshot time), so a merger starting late gets it. */
  readonly catalogIntervalMs: number;
}

/**
 * A regional PDC's output: every snapshot this ingest aligned over its own PMUs goes to the region topic as one
 * record of columns (the shards' PartialSnapshot layout) keyed by slot, and the region's PMU catalog goes to the
 * catalog topic before the first snapshot under a new version and again every `catalogIntervalMs`. Both queues
 * are bounded by `maxSnapshotQueue`; what does not fit is dropped and counted.
 */
export class RegionSnapshotSink implements SnapshotSink {
  catalogsSent = 0;
  private readonly snapshots: RecordPublisher & Partial<BoundedProducer>;
  private readonly catalogs: RecordPublisher & Partial<BoundedProducer>;
  private tracker: PmuCatalogTracker | undefined;
  private catalogSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: RegionSinkOptions,
    /** Where records go; by default BoundedProducers on the options' brokers and topics. */
    publishers?: { readonly snapshots: RecordPublisher; readonly catalogs: RecordPublisher },
  ) {
    if (!(options.catalogIntervalMs > 0))
      throw new RangeError(`catalogIntervalMs must be positive, got ${options.catalogIntervalMs}`);
    const producer = (topic: string) =>
      new BoundedProducer({
        brokers: options.brokers,
        clientId: `gridcloud-ingest-region-${options.region}`,
        topic,
        maxQueueRecords: options.maxSnapshotQueue,
      });
    this.snapshots = publishers?.snapshots ?? producer(options.topic);
    this.catalogs = publishers?.catalogs ?? producer(options.catalogTopic);
  }

  /** Partial snapshots and catalogs queued, sent, dropped and failed, for the stats line. */
  get counters(): Record<string, unknown> {
    return {
      region: this.options.region,
      sent: this.snapshots.sent ?? 0,
      dropped: this.snapshots.dropped ?? 0,
      sendErrors: (this.snapshots.sendErrors ?? 0) + (this.catalogs.sendErrors ?? 0),
      catalogsSent: this.catalogsSent,
      catalogsDropped: this.catalogs.dropped ?? 0,
      lastError: this.snapshots.lastError ?? this.catalogs.lastError,
    };
  }

  describePmusFrom(registry: PmuDescriptions): void {
    this.tracker = new PmuCatalogTracker(registry);
  }

  async connect(): Promise<void> {
    await this.snapshots.connect?.();
    await this.catalogs.connect?.();
  }

  publish(snapshot: Snapshot): void {
    const changed = this.tracker?.refresh(snapshot.pmuIds);
    const current = this.tracker?.catalog;
    const due = snapshot.releasedAtMs - this.catalogSentAtMs >= this.options.catalogIntervalMs;
    if (current !== undefined && current.version > 0 && (changed !== undefined || due)) {
      // A catalog dropped by a full queue goes again on the next interval.
      if (this.catalogs.publish(regionCatalogRecord(this.options.region, current))) this.catalogsSent += 1;
      this.catalogSentAtMs = snapshot.releasedAtMs;
    }
    this.snapshots.publish(regionSnapshotRecord(this.options.region, snapshot));
  }

  async close(): Promise<void> {
    await this.snapshots.close?.();
    await this.catalogs.close?.();
  }
}
