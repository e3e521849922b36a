import { BoundedProducer } from '@gridcloud/kafka';

/**
 * Kafka producer mode: each frame is a record on `topic` with key = the
 * stream's IDCODE, so all frames of a stream (its CFG-2 included) land on one
 * partition in order. A full queue (`maxQueueFrames`) drops new frames, counted.
 */
export class KafkaFrameProducer {
  private readonly producer: BoundedProducer;

  constructor(brokers: readonly string[], topic: string, maxQueueFrames: number) {
    this.producer = new BoundedProducer({
      brokers,
      clientId: 'gridcloud-pmu-sim',
      topic,
      maxQueueRecords: maxQueueFrames,
    });
  }

  get framesSent(): number {
    return this.producer.sent;
  }
  get framesDropped(): number {
    return this.producer.dropped;
  }
  get sendErrors(): number {
    return this.producer.sendErrors;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** `bytes` must not be reused by the caller: it is sent later, from the queue. */
  enqueue(idcode: number, bytes: Uint8Array): void {
    this.producer.publish({
      key: String(idcode),
      value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
