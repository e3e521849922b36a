import { Kafka, logLevel, type Producer } from 'kafkajs';
import { snapshotToJson, type Snapshot, type SnapshotSink } from './snapshot-sink';

/**
 * Publishes snapshots to Kafka (key = the slot, value = JSON), batched with
 * one send in flight. The queue is bounded by `maxSnapshotQueue`: when Kafka
 * falls behind, new snapshots are dropped and counted, never buffered without end.
 */
export class KafkaSnapshotSink implements SnapshotSink {
  sent = 0;
  dropped = 0;
  sendErrors = 0;
  lastError: string | undefined;
  private readonly producer: Producer;
  private queue: { key: string; value: string; headers: { 'ingest-instance': string } }[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    brokers: readonly string[],
    private readonly topic: string,
    private readonly maxSnapshotQueue: number,
    private readonly instanceId: string,
  ) {
    this.producer = new Kafka({ clientId: 'gridcloud-ingest', brokers: [...brokers], logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  publish(snapshot: Snapshot): void {
    if (this.queue.length >= this.maxSnapshotQueue) {
      this.dropped += 1;
      return;
    }
    this.queue.push({ key: String(snapshot.slot), value: JSON.stringify(snapshotToJson(snapshot)), headers: { 'ingest-instance': this.instanceId } });
    this.inFlight ??= this.drain();
  }

  async close(): Promise<void> {
    await this.inFlight;
    await this.producer.disconnect();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.producer.send({ topic: this.topic, messages: batch });
        this.sent += batch.length;
      } catch (error) {
        this.sendErrors += 1;
        this.dropped += batch.length;
        this.lastError = (error as Error).message;
      }
    }
    this.inFlight = undefined;
  }
}
