import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs';

export interface BoundedProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  /** Records waiting for Kafka at most; past it new records are dropped and counted. */
  readonly maxQueueRecords: number;
}

export interface ProducerRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers?: IHeaders;
}

/**
 * A Kafka producer for real-time streams: records wait in a queue bounded by
 * `maxQueueRecords` and go out in batches with one send in flight. When Kafka
 * falls behind, new records are dropped and counted rather than buffered
 * without end; a failed send drops its batch, counted, and the stream goes on.
 * Topics are never auto-created (kafkajs races broker-side creation).
 */
export class BoundedProducer {
  sent = 0;
  dropped = 0;
  sendErrors = 0;
  lastError: string | undefined;
  private readonly producer: Producer;
  private queue: ProducerRecord[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: BoundedProducerOptions) {
    if (!Number.isInteger(options.maxQueueRecords) || options.maxQueueRecords < 1) {
      throw new RangeError(`maxQueueRecords must be a positive integer, got ${options.maxQueueRecords}`);
    }
    if (options.brokers.length === 0) throw new RangeError('brokers must name at least one host:port');
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    });
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Queues one record; false when the queue was full and the record was dropped. */
  publish(record: ProducerRecord): boolean {
    if (this.queue.length >= this.options.maxQueueRecords) {
      this.dropped += 1;
      return false;
    }
    this.queue.push(record);
    this.inFlight ??= this.drain();
    return true;
  }

  /** Sends what is queued, then disconnects. */
  async close(): Promise<void> {
    await this.inFlight;
    await this.producer.disconnect();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.producer.send({ topic: this.options.topic, messages: batch });
        this.sent += batch.length;
      } catch (error) {
        this.sendErrors += 1;
        this.dropped += batch.length;
        this.lastError = error instanceof Error ? error.message : String(error);
      }
    }
    this.inFlight = undefined;
  }
}
