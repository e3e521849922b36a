import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import type { SnapshotSink } from '../sinks/snapshot-sink';
import type { RegionMerge, RegionMergeEffect } from './region-merge';

export interface RegionConsumerOptions {
  readonly brokers: readonly string[];
  /** Partial snapshots of every region, keyed by slot. */
  readonly topic: string;
  readonly catalogTopic: string;
  /** Mergers in this consumer group share the region topic's partitions, hence its slots. */
  readonly group: string;
  /** Names this merger's own catalog reader (a group of one, so every merger reads every catalog). */
  readonly instanceId: string;
}

/**
 * The super-PDC's Kafka shell: a consumer in `group` on the region topic (mergers of one group split its
 * partitions, and Kafka hands a dead one's partitions to the others), a consumer of its own on the catalog topic,
 * every record passed to the pure RegionMerge with the arrival time, its merged snapshots to `sink`.
 */
export class RegionMergeConsumer {
  records = 0;
  /** Partitions of the region topic this merger owns now, and how often they were reassigned. */
  assigned: number[] = [];
  rebalances = 0;
  private readonly snapshots: Consumer;
  private readonly catalogs: Consumer;
  private readonly kafka: Kafka;
  /** The region topic's partition count, read once at start (a merger must be restarted if partitions are added). */
  private partitions: number | undefined;

  constructor(
    private readonly options: RegionConsumerOptions,
    private readonly merge: RegionMerge,
    private readonly sink: SnapshotSink,
    private readonly log: (line: string) => void,
    /** A region's gap closed: it delivered again after missing released slots. */
    private readonly onGap: (effect: Extract<RegionMergeEffect, { type: 'gap' }>) => void = () => {},
  ) {
    const kafka = new Kafka({
      clientId: 'gridcloud-ingest-merge',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    });
    this.kafka = kafka;
    this.snapshots = kafka.consumer({ groupId: options.group });
    this.catalogs = kafka.consumer({ groupId: `${options.group}.catalogs.${options.instanceId}` });
    this.snapshots.on(this.snapshots.events.GROUP_JOIN, (e) => {
      this.rebalances += 1;
      this.assigned = [...(e.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      if (this.partitions !== undefined) this.merge.assign(this.assigned, this.partitions);
    });
  }

  async start(): Promise<void> {
    this.partitions = await this.partitionCount();
    // Both start at the end: merging is about now, and every region re-sends its catalog within its interval.
    await this.catalogs.connect();
    await this.catalogs.subscribe({ topic: this.options.catalogTopic, fromBeginning: false });
    await this.catalogs.run({ eachMessage: async ({ message }) => this.receive(message) });
    await this.snapshots.connect();
    await this.snapshots.subscribe({ topic: this.options.topic, fromBeginning: false });
    await this.snapshots.run({
      eachBatch: async ({ batch, heartbeat }) => {
        for (const m of batch.messages) this.receive(m);
        await heartbeat();
      },
    });
  }

  private async partitionCount(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.topic] });
      return topics[0].partitions.length;
    } catch (error) {
      throw new Error(`region topic ${this.options.topic}: ${(error as Error).message}`);
    } finally {
      await admin.disconnect();
    }
  }

  tick(nowMs: number): void {
    this.apply(this.merge.tick(nowMs));
  }

  async stop(): Promise<void> {
    await this.snapshots.disconnect();
    await this.catalogs.disconnect();
    this.apply(this.merge.flush(Date.now()));
  }

  private receive(m: KafkaMessage): void {
    this.records += 1;
    this.apply(this.merge.receive(m.headers, m.value, Date.now()));
  }

  private apply(effects: readonly RegionMergeEffect[]): void {
    for (const e of effects) {
      if (e.type === 'snapshot') this.sink.publish(e.snapshot);
      else if (e.type === 'gap') this.onGap(e);
      // Each kind of refusal is logged once (a peer could send millions); all are counted in the stats.
      else if (e.type === 'refused' && this.merge.refused[e.reason] === 1) this.log(`merge: ${e.message}`);
    }
  }
}
