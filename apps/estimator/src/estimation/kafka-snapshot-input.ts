import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { SNAPSHOT_RECORD_KIND_HEADER, snapshotRecordKind } from '@gridcloud/estimation';

export interface KafkaSnapshotInputOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Names this worker's private consumer group (with a random suffix, so a restart starts afresh). */
  readonly workerName: string;
  /** How long start() waits for the broker to hand over the partitions. */
  readonly assignTimeoutMs: number;
}

/** What the input hands on: the record's bytes, by kind. */
export interface KafkaSnapshotHandlers {
  onCatalog(bytes: Uint8Array): void;
  onSnapshot(bytes: Uint8Array): void;
}

/** Counters of the Kafka input. */
export interface KafkaInputCounters {
  records: number;
  catalogs: number;
  snapshots: number;
  /** Records without a known `gridcloud-record` header (JSON-format records, foreign producers): skipped. */
  unknownRecords: number;
}

/** Bytes one fetch may bring: bounds what a worker holds from Kafka at once. */
const MAX_FETCH_BYTES = 16 * 1024 * 1024;
const MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;

/**
 * Reads every partition of the snapshots topic, in order per partition. Each
 * worker is the only member of a consumer group of its own, so the broker
 * never splits the partitions between workers: every worker sees every
 * record, as every member of the `estimators` group does. A new group starts
 * at the end of each partition (estimation is about now; ingest re-sends the
 * catalog periodically) and commits nothing that matters to anyone else.
 */
export class KafkaSnapshotInput {
  readonly counters: KafkaInputCounters = { records: 0, catalogs: 0, snapshots: 0, unknownRecords: 0 };
  private readonly consumer: Consumer;

  constructor(
    private readonly options: KafkaSnapshotInputOptions,
    private readonly handlers: KafkaSnapshotHandlers,
  ) {
    if (options.brokers.length === 0) throw new RangeError('brokers must name at least one host:port');
    this.consumer = new Kafka({
      clientId: 'gridcloud-estimator',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `gridcloud-estimator-${options.workerName}-${randomUUID()}`,
      maxBytes: MAX_FETCH_BYTES,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
    });
  }

  /** Connects and resolves once the partitions are assigned, so records published from then on are read. */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: false });
    const assigned = new Promise<void>((resolve) => {
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        this.take(message);
        return Promise.resolve();
      },
    });
    await withTimeout(assigned, this.options.assignTimeoutMs, () => {
      return new Error(
        `Kafka gave no partitions of ${this.options.topic} within ${this.options.assignTimeoutMs} ms: are the brokers ${this.options.brokers.join(',')} up and the topic there?`,
      );
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private take(message: KafkaMessage): void {
    this.counters.records += 1;
    const kind = snapshotRecordKind(message.headers?.[SNAPSHOT_RECORD_KIND_HEADER] as Buffer | undefined);
    if (kind === undefined || message.value === null) {
      this.counters.unknownRecords += 1;
      return;
    }
    const bytes = new Uint8Array(message.value.buffer, message.value.byteOffset, message.value.byteLength);
    if (kind === 'catalog') {
      this.counters.catalogs += 1;
      this.handlers.onCatalog(bytes);
    } else {
      this.counters.snapshots += 1;
      this.handlers.onSnapshot(bytes);
    }
  }
}

function withTimeout(p: Promise<void>, ms: number, error: () => Error): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
