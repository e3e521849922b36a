import { AREA_RESULT_MESSAGE, encodeAreaResult, RESULTS_GROUP, type AreaResult } from '@gridcloud/estimation';
import type { BoundedProducer } from '@gridcloud/kafka';
import type { GroupPublisher } from '@gridcloud/nest-vsync';

/** Counters of where results went. */
export interface ResultSinkCounters {
  published: number;
  publishErrors: number;
  lastError: string | undefined;
}

/**
 * Sends each area result, binary-encoded, to the `results` group and, when
 * configured, to Kafka (libs/kafka's BoundedProducer, key `<slot>/<area>`).
 */
export class ResultSinks {
  readonly counters: ResultSinkCounters = { published: 0, publishErrors: 0, lastError: undefined };

  private kafka: BoundedProducer | undefined;

  constructor(private readonly publisher: GroupPublisher) {}

  /** Results go to Kafka too from now on (the producer is made once Kafka's client is loaded). */
  attachKafka(producer: BoundedProducer): void {
    this.kafka = producer;
  }

  publish(result: AreaResult): void {
    const bytes = encodeAreaResult(result);
    this.publisher.send(RESULTS_GROUP, AREA_RESULT_MESSAGE, bytes).then(
      () => (this.counters.published += 1),
      (error: unknown) => {
        this.counters.publishErrors += 1;
        this.counters.lastError = error instanceof Error ? error.message : String(error);
      },
    );
    this.kafka?.publish({
      key: `${result.slot}/${result.area}`,
      value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    });
  }

  kafkaCounters(): Record<string, unknown> | undefined {
    const k = this.kafka;
    return k === undefined
      ? undefined
      : { sent: k.sent, dropped: k.dropped, sendErrors: k.sendErrors, lastError: k.lastError };
  }

  /** Connects the Kafka producer, when there is one. */
  async kafkaConnect(): Promise<void> {
    await this.kafka?.connect();
  }

  async close(): Promise<void> {
    await this.kafka?.close();
  }
}
