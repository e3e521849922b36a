import { BoundedProducer } from '@gridcloud/kafka';
import { snapshotToJson, type Snapshot, type SnapshotSink } from './snapshot-sink';

/**
 * Publishes snapshots to Kafka (key = the slot, value = JSON). The queue is
 * bounded by `maxSnapshotQueue`: when Kafka falls behind, new snapshots are
 * dropped and counted, never buffered without end.
 */
export class KafkaSnapshotSink implements SnapshotSink {
  private readonly producer: BoundedProducer;
  private readonly headers: { 'ingest-instance': string };

  constructor(brokers: readonly string[], topic: string, maxSnapshotQueue: number, instanceId: string) {
    this.producer = new BoundedProducer({
      brokers,
      clientId: 'gridcloud-ingest',
      topic,
      maxQueueRecords: maxSnapshotQueue,
    });
    this.headers = { 'ingest-instance': instanceId };
  }

  get sent(): number {
    return this.producer.sent;
  }
  get dropped(): number {
    return this.producer.dropped;
  }
  get sendErrors(): number {
    return this.producer.sendErrors;
  }
  get lastError(): string | undefined {
    return this.producer.lastError;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  publish(snapshot: Snapshot): void {
    this.producer.publish({
      key: String(snapshot.slot),
      value: JSON.stringify(snapshotToJson(snapshot)),
      headers: this.headers,
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
