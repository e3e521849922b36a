import { Kafka, logLevel, type Producer } from 'kafkajs';

/**
 * Kafka producer mode: each frame is a record on `topic` with key = the
 * stream's IDCODE, so all frames of a stream (its CFG-2 included) land on
 * one partition in order. Frames wait in a bounded queue and go out in
 * batches, one send in flight; a full queue drops new frames (counted).
 */
export class KafkaFrameProducer {
  framesSent = 0;
  framesDropped = 0;
  sendErrors = 0;
  private readonly producer: Producer;
  private queue: { key: string; value: Buffer }[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    brokers: readonly string[],
    private readonly topic: string,
    private readonly maxQueueFrames: number,
  ) {
    this.producer = new Kafka({ clientId: 'gridcloud-pmu-sim', brokers: [...brokers], logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  enqueue(idcode: number, bytes: Uint8Array): void {
    if (this.queue.length >= this.maxQueueFrames) {
      this.framesDropped += 1;
      return;
    }
    this.queue.push({ key: String(idcode), value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
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
        this.framesSent += batch.length;
      } catch {
        this.sendErrors += 1;
        this.framesDropped += batch.length;
      }
    }
    this.inFlight = undefined;
  }
}
