import { ConfigStore, StreamDecoder } from '@gridcloud/c37118';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';

export interface KafkaConsumerLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxConfigBytesPerSource: number;
}

/**
 * Kafka consumer mode: raw frames from `topic` (key = stream IDCODE, so a
 * stream's CFG-2 and data share a partition, in order), in a consumer group
 * so several ingest replicas share the partitions. One decoder per partition;
 * each record is one frame, decoded like a datagram.
 */
export class KafkaFrameConsumer {
  records = 0;
  private readonly consumer: Consumer;
  private readonly decoders = new Map<number, StreamDecoder>();

  constructor(
    brokers: readonly string[],
    private readonly topic: string,
    groupId: string,
    private readonly limits: KafkaConsumerLimits,
    private readonly pipeline: IngestPipeline,
  ) {
    this.consumer = new Kafka({
      clientId: 'gridcloud-ingest',
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    // A new group starts at the end: alignment is about now, and the producer resends CFG-2 periodically.
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await this.consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        const decoder = this.decoderFor(batch.partition);
        for (const m of batch.messages) {
          if (m.value === null) continue;
          this.records += 1;
          decoder.pushDatagram(m.value);
        }
        await heartbeat();
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private decoderFor(partition: number): StreamDecoder {
    let d = this.decoders.get(partition);
    if (d !== undefined) return d;
    const label = `kafka:${this.topic}/${partition}`;
    const configs = new ConfigStore({
      maxConfigs: this.limits.maxConfigsPerSource,
      maxConfigBytes: this.limits.maxConfigBytesPerSource,
    });
    d = new StreamDecoder(
      { maxFrameBytes: this.limits.maxFrameBytes, configs },
      {
        onData: (view) => this.pipeline.onData(view, label, Date.now()),
        onFrame: (frame) => {
          if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3')
            this.pipeline.onConfig(frame, label, Date.now());
        },
        onReject: (reject) => this.pipeline.onReject(reject, label),
      },
    );
    this.decoders.set(partition, d);
    return d;
  }
}
