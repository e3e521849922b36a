import {
  CATALOG_RECORD,
  encodeCatalog,
  encodeSnapshot,
  INGEST_INSTANCE_HEADER,
  SNAPSHOT_RECORD,
  SNAPSHOT_RECORD_KIND_HEADER,
  type PmuCatalog,
} from '@gridcloud/estimation';
import { BoundedProducer, type ProducerRecord } from '@gridcloud/kafka';
import { PmuCatalogTracker, type PmuDescriptions } from './pmu-catalog-tracker';
import { snapshotToJson, type Snapshot, type SnapshotSink } from './snapshot-sink';

/** `binary`: libs/estimation's snapshot layout plus catalog records (what estimators read); `json`: readable. */
export type KafkaSnapshotFormat = 'binary' | 'json';

export interface KafkaSnapshotSinkOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Records waiting for Kafka at most; past it new ones are dropped and counted. */
  readonly maxSnapshotQueue: number;
  readonly instanceId: string;
  readonly format: KafkaSnapshotFormat;
  /** The catalog is re-sent at least this often (binary format), so a consumer starting late gets it. */
  readonly catalogIntervalMs: number;
}

/** Where records go: libs/kafka's BoundedProducer, or anything with its publish contract. */
export interface RecordPublisher {
  publish(record: ProducerRecord): boolean;
}

/**
 * Publishes snapshots to Kafka. In the binary format every record carries the
 * estimators group's bytes: a `snapshot` record (encodeSnapshot, naming the
 * catalog version) or a `catalog` record (encodeCatalog), told apart by the
 * `gridcloud-record` header. All records of one ingest instance share its key,
 * hence one partition, so a consumer reads the catalog before the snapshots
 * sent under it and the snapshots in slot order, as the group's FIFO send
 * gives. The catalog goes out before the first snapshot under a new version
 * and again every `catalogIntervalMs` (snapshot time). The JSON format keeps
 * the earlier records (key = slot, no catalog). The queue is bounded by
 * `maxSnapshotQueue`: when Kafka falls behind, new records are dropped and
 * counted, never buffered without end.
 */
export class KafkaSnapshotSink implements SnapshotSink {
  catalogsSent = 0;
  private readonly producer: BoundedProducer | undefined;
  private readonly records: RecordPublisher;
  private catalog: PmuCatalogTracker | undefined;
  /** Snapshot time (releasedAtMs) the catalog was last published at; -Infinity: never. */
  private catalogSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: KafkaSnapshotSinkOptions,
    /** Where records go; by default a BoundedProducer on the options' brokers and topic. */
    records?: RecordPublisher,
  ) {
    if (!(options.catalogIntervalMs > 0))
      throw new RangeError(`catalogIntervalMs must be positive, got ${options.catalogIntervalMs}`);
    if (records === undefined) {
      this.producer = new BoundedProducer({
        brokers: options.brokers,
        clientId: 'gridcloud-ingest',
        topic: options.topic,
        maxQueueRecords: options.maxSnapshotQueue,
      });
    }
    this.records = records ?? this.producer!;
  }

  get sent(): number {
    return this.producer?.sent ?? 0;
  }
  get dropped(): number {
    return this.producer?.dropped ?? 0;
  }
  get sendErrors(): number {
    return this.producer?.sendErrors ?? 0;
  }
  get lastError(): string | undefined {
    return this.producer?.lastError;
  }

  /** Where the PMU configurations come from (ingest's registry); without it snapshots name catalog version 0. */
  describePmusFrom(registry: PmuDescriptions): void {
    this.catalog = new PmuCatalogTracker(registry);
  }

  connect(): Promise<void> {
    return this.producer?.connect() ?? Promise.resolve();
  }

  publish(snapshot: Snapshot): void {
    if (this.options.format === 'json') {
      this.records.publish({
        key: String(snapshot.slot),
        value: JSON.stringify(snapshotToJson(snapshot)),
        headers: { [INGEST_INSTANCE_HEADER]: this.options.instanceId },
      });
      return;
    }
    const changed = this.catalog?.refresh(snapshot.values.map((v) => v.idcode));
    const current = this.catalog?.catalog;
    const due = snapshot.releasedAtMs - this.catalogSentAtMs >= this.options.catalogIntervalMs;
    if (current !== undefined && current.version > 0 && (changed !== undefined || due))
      this.publishCatalog(current, snapshot.releasedAtMs);
    this.records.publish(this.record(SNAPSHOT_RECORD, encodeSnapshot(snapshot, current?.version ?? 0)));
  }

  close(): Promise<void> {
    return this.producer?.close() ?? Promise.resolve();
  }

  private publishCatalog(catalog: PmuCatalog, atMs: number): void {
    // A catalog dropped by a full queue is sent again on the next interval.
    if (this.records.publish(this.record(CATALOG_RECORD, encodeCatalog(catalog)))) this.catalogsSent += 1;
    this.catalogSentAtMs = atMs;
  }

  private record(kind: string, bytes: Uint8Array): ProducerRecord {
    return {
      key: this.options.instanceId,
      value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      headers: { [SNAPSHOT_RECORD_KIND_HEADER]: kind, [INGEST_INSTANCE_HEADER]: this.options.instanceId },
    };
  }
}
