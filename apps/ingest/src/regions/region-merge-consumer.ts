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
  /** A merger silent this long leaves the group and its partitions go to the others. */
  readonly sessionTimeoutMs: number;
}

/** Offsets committed for the region topic, and the commits that failed (a rebalance in progress refuses them). */
export interface CommitCounters {
  commits: number;
  failed: number;
  lastError: string | undefined;
  /**
   * Records of open slots not remembered past MAX_HELD_RECORDS_PER_PARTITION: the offset may then be committed past
   * them, and a merger dying before their slot leaves loses those parts.
   */
  heldOverflow: number;
}

/** Records of a partition remembered as belonging to open slots, at most (one record is about 40 bytes here). */
const MAX_HELD_RECORDS_PER_PARTITION = 65_536;

/** One partition's records not yet done with: the offset after the last one read, and those of slots still open. */
interface PartitionProgress {
  next: bigint;
  /** In offset order, at most MAX_HELD_RECORDS_PER_PARTITION. */
  readonly held: { readonly slot: number; readonly offset: bigint }[];
  committed: bigint | undefined;
}

/**
 * The super-PDC's Kafka shell: a consumer in `group` on the region topic (mergers of one group split its
 * partitions, and Kafka hands a dead one's partitions to the others), a consumer of its own on the catalog topic,
 * every record passed to the pure RegionMerge with the arrival time, its merged snapshots to `sink`.
 *
 * A partition's offset is committed only past records whose slot has left the merger (merged, late or refused), at
 * each tick: a merger that dies leaves its open slots' records to the partition's next owner, which merges them, so
 * no slot is lost; slots it released after its last commit are merged again there, and the copies downstream keep
 * the first (as estimates do).
 */
export class RegionMergeConsumer {
  records = 0;
  /** Partitions of the region topic this merger owns now, and how often they were reassigned. */
  assigned: number[] = [];
  rebalances = 0;
  readonly commits: CommitCounters = { commits: 0, failed: 0, lastError: undefined, heldOverflow: 0 };
  private readonly progress = new Map<number, PartitionProgress>();
  private committing = false;
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
    this.snapshots = kafka.consumer({ groupId: options.group, sessionTimeout: options.sessionTimeoutMs });
    this.catalogs = kafka.consumer({ groupId: `${options.group}.catalogs.${options.instanceId}` });
    this.snapshots.on(this.snapshots.events.GROUP_JOIN, (e) => {
      this.rebalances += 1;
      this.assigned = [...(e.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      for (const partition of [...this.progress.keys()])
        if (!this.assigned.includes(partition)) this.progress.delete(partition);
      if (this.partitions === undefined) return;
      const r = this.merge.assign(this.assigned, this.partitions);
      const took =
        r.takenOver.length === 0 ? '' : `; took over ${r.takenOver.join(',')} up to slot ${r.upToSlot}`;
      const dropped = r.abandoned === 0 ? '' : `; dropped ${r.abandoned} open slots of partitions given away`;
      this.log(`merge: partitions ${this.assigned.join(',')} of ${this.partitions}${took}${dropped}`);
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
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const progress = this.progressOf(batch.partition);
        for (const m of batch.messages) {
          this.receive(m);
          const offset = BigInt(m.offset);
          if (offset >= progress.next) progress.next = offset + 1n;
          const slot = slotOfKey(m.key);
          if (slot === undefined || !this.merge.holds(slot)) continue;
          if (progress.held.length >= MAX_HELD_RECORDS_PER_PARTITION) this.commits.heldOverflow += 1;
          else hold(progress.held, { slot, offset });
        }
        this.settle(progress);
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
    void this.commit();
  }

  private progressOf(partition: number): PartitionProgress {
    let p = this.progress.get(partition);
    if (p === undefined) {
      p = { next: -1n, held: [], committed: undefined };
      this.progress.set(partition, p);
    }
    return p;
  }

  /** Drops the records at the front whose slot has left the merger. */
  private settle(p: PartitionProgress): void {
    let done = 0;
    while (done < p.held.length && !this.merge.holds(p.held[done].slot)) done += 1;
    if (done > 0) p.held.splice(0, done);
  }

  /** Commits, per partition, the offset of its oldest record still open (or past the last one read). */
  private async commit(): Promise<void> {
    if (this.committing) return;
    const offsets = [];
    for (const [partition, p] of this.progress) {
      this.settle(p);
      const offset = p.held.length > 0 ? p.held[0].offset : p.next;
      if (offset < 0n || offset === p.committed) continue;
      offsets.push({ topic: this.options.topic, partition, offset: String(offset) });
    }
    if (offsets.length === 0) return;
    this.committing = true;
    try {
      await this.snapshots.commitOffsets(offsets);
      for (const o of offsets) {
        const p = this.progress.get(o.partition);
        if (p !== undefined) p.committed = BigInt(o.offset);
      }
      this.commits.commits += 1;
    } catch (error) {
      // A rebalance refuses the commit; the records are then merged again by the partition's next owner.
      this.commits.failed += 1;
      this.commits.lastError = (error as Error).message;
    } finally {
      this.committing = false;
    }
  }

  async stop(): Promise<void> {
    this.apply(this.merge.flush(Date.now()));
    while (this.committing) await new Promise((r) => setTimeout(r, 10));
    await this.commit();
    await this.snapshots.disconnect();
    await this.catalogs.disconnect();
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

/** A region record's key is its slot in decimal; anything else is refused by the merger and held by nobody. */
function slotOfKey(key: Buffer | null): number | undefined {
  if (key === null || key.length === 0 || key.length > 20) return undefined;
  const slot = Number(key.toString('latin1'));
  return Number.isSafeInteger(slot) ? slot : undefined;
}

/** Keeps `held` in offset order; after a rebalance a partition may be read again from its committed offset. */
function hold(held: { slot: number; offset: bigint }[], record: { slot: number; offset: bigint }): void {
  let at = held.length;
  while (at > 0 && held[at - 1].offset > record.offset) at -= 1;
  if (at > 0 && held[at - 1].offset === record.offset) return;
  held.splice(at, 0, record);
}
