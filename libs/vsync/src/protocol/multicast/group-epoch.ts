import { assert } from '../errors/invariant-error';
import { isPlanted } from '../testing/planted-bugs';
import { type ProcessId, sameProcess } from '../process-id';
import type { DataRecord, Ordering, WireBody } from '../wire-message';
import { compareTotal } from './record-order';
import { MAX_NUMBERS_PER_REQUEST, OrderNumbers } from './order-numbers';
import { SenderStream } from './sender-stream';

/** How a group epoch acts on the world; supplied by the process core. */
export interface EpochEffects {
  deliver(record: DataRecord, groupViewId: number): void;
  /** Reliable send to one other member of the group. */
  send(to: ProcessId, body: WireBody): void;
  /** The outbox went from empty to holding records: the core packs and sends them before its step ends. */
  outboxFilled(epoch: GroupEpoch): void;
}

/** When a member acknowledges received messages without waiting for the tick. */
export interface AnnounceBounds {
  readonly ackThresholdMessages: number;
}

/** Bytes of records one data message packs at most (payloads plus PACKED_RECORD_OVERHEAD_BYTES each), unless the
 *  core's maxPayloadBytes is smaller; a record larger than the bound travels alone. */
export const MAX_PACK_BYTES = 60 * 1024;
/** Most bytes a record adds to a pack besides its payload: ordering, query id, lamport and length varints. */
export const PACKED_RECORD_OVERHEAD_BYTES = 24;

/** One group during one system view ("epoch"): the members' streams, FIFO delivery, total order by group sequence
 *  number, and stability. Total order: the sequencer (rank 0) hands out numbers 1, 2, 3...; a sender stamps each
 *  total-order record with one it was granted (orderRequest/orderGrant; the sequencer numbers its own at once), and
 *  every member delivers them in number order with no gap. A number is part of its record, so the records any set of
 *  members holds are ordered alike, crashed members included; the flush delivers the rest in number order, skipping
 *  numbers whose record no survivor holds. */
export class GroupEpoch {
  private readonly streams: SenderStream[];
  /** acks[q][s]: how many of s's messages member q reports having received. */
  private readonly acks: number[][];
  private readonly myRank: number;
  private readonly numbers: OrderNumbers;
  /** The group sequence number the next total-order delivery must carry. */
  private nextDelivery = 1;
  private lastAckedTotal = 0;
  private readonly totalPending: DataRecord[] = [];
  private frozenFlag = false;
  /** Own records sent in this step, not yet handed to the links: they leave as one packed data message. */
  private outbox: DataRecord[] = [];
  private lastRanked: ProcessId | undefined;
  private lastRank = -1;
  private outboxBytes = 0;

  constructor(
    readonly group: string,
    readonly epoch: number,
    readonly groupViewId: number,
    readonly members: readonly ProcessId[],
    self: ProcessId,
    private readonly effects: EpochEffects,
    /** Bound of one packed data message's records, in bytes (see MAX_PACK_BYTES). */
    private readonly packBytes = MAX_PACK_BYTES,
  ) {
    this.myRank = members.findIndex((m) => sameProcess(m, self));
    assert(this.myRank >= 0, `group epoch ${group}@${epoch} created on a non-member`);
    this.streams = members.map(() => new SenderStream());
    this.numbers = new OrderNumbers(this.myRank === 0);
    this.acks = members.map(() => members.map(() => 0));
  }

  get frozen(): boolean {
    return this.frozenFlag;
  }

  /** Own messages sent in this epoch and not yet received by every member. */
  get inFlight(): number {
    return this.streams[this.myRank].received - this.stableCount(this.myRank);
  }

  /** Whether one more own multicast of `payloadBytes` fits the send window: at most `windowMessages` own messages and
   *  `windowBytes` payload bytes not yet stable, except that one message larger than the byte bound goes alone.
   *  `reserved` messages of `reservedBytes` not sent yet hold room in the window already (admitted, SendAdmission). */
  hasRoomFor(
    payloadBytes: number,
    windowMessages: number,
    windowBytes: number,
    reserved = 0,
    reservedBytes = 0,
  ): boolean {
    const taken = this.inFlight + reserved;
    if (taken >= windowMessages) return false;
    return taken === 0 || this.streams[this.myRank].heldBytes + reservedBytes + payloadBytes <= windowBytes;
  }

  /** Whether the next own total-order record has its group sequence number (always, at the sequencer). */
  get canNumber(): boolean {
    return this.numbers.available;
  }

  /** Asks the sequencer for numbers so that `wanted` own total-order records about to be sent will have one;
   *  asking ahead of need keeps a sender's stream flowing while the answer is on its way. */
  requestNumbers(wanted: number): void {
    if (this.frozenFlag) return;
    const count = this.numbers.shortfall(wanted);
    if (count === 0) return;
    this.numbers.asked(count);
    this.effects.send(this.members[0], { kind: 'orderRequest', group: this.group, epoch: this.epoch, count });
  }

  /** Sequencer: grants a member the next `count` numbers. A frozen sequencer grants nothing: the flush ends the
   *  epoch, and the asker's records wait for the next one. */
  receiveOrderRequest(from: ProcessId, count: number): void {
    const rank = this.rankOf(from);
    if (!this.numbers.isSequencer || this.frozenFlag || rank <= 0) return;
    if (!Number.isInteger(count) || count < 1 || count > MAX_NUMBERS_PER_REQUEST) return;
    const first = this.numbers.grant(count);
    this.effects.send(from, { kind: 'orderGrant', group: this.group, epoch: this.epoch, first, count });
  }

  receiveOrderGrant(from: ProcessId, first: number, count: number): void {
    if (this.rankOf(from) !== 0 || !Number.isInteger(first) || first < 1) return;
    this.numbers.granted(first, count);
  }

  /** Stops deliveries and sends: the flush report is being collected, and only the decided set may follow. */
  freeze(): void {
    this.flushOutbox();
    this.frozenFlag = true;
  }

  /** Sends the records of the outbox to every other member as one data message (the same body object for all, so
   *  the codec encodes it once). */
  flushOutbox(): void {
    if (this.outbox.length === 0) return;
    const body: WireBody = { kind: 'data', records: this.outbox };
    this.outbox = [];
    this.outboxBytes = 0;
    this.forEachOther((m) => this.effects.send(m, body));
  }

  /** How many messages of each member (by rank) this member has received (its own: sent) so far. */
  receivedCounts(): number[] {
    return this.streams.map((s) => s.received);
  }

  /** Whether the first `counts[rank]` messages of every member are received by every member. */
  isStableUpTo(counts: readonly number[]): boolean {
    assert(counts.length === this.members.length, 'stability counts are per member of this epoch');
    return counts.every((count, rank) => this.stableCount(rank) >= count);
  }

  /** Everything still held (not yet stable), for the flush report. */
  heldRecords(): DataRecord[] {
    return this.streams.flatMap((s) => [...s.held]);
  }

  /** Sends one own multicast; a `queryId` other than 0 makes it the request of this member's query with that id. */
  send(ordering: Ordering, payload: Uint8Array, queryId = 0): DataRecord {
    assert(!this.frozenFlag, 'send during a flush');
    const stream = this.streams[this.myRank];
    const record: DataRecord = {
      group: this.group,
      sender: this.members[this.myRank],
      epoch: this.epoch,
      seq: stream.received + 1,
      ordering,
      lamport: ordering === 'fifo' ? 0 : this.numbers.take(),
      payload,
      queryId,
    };
    this.accept(this.myRank, record);
    // Alone, a message is stable once sent: no acknowledgement will come to free it, and a sender that never yields
    // to the tick would otherwise hold every message it ever sent.
    if (this.members.length === 1) this.collect();
    const bytes = payload.length + PACKED_RECORD_OVERHEAD_BYTES;
    if (this.outboxBytes + bytes > this.packBytes) this.flushOutbox();
    if (this.outbox.length === 0) this.effects.outboxFilled(this);
    this.outbox.push(record);
    this.outboxBytes += bytes;
    this.deliverTotal();
    return record;
  }

  /** Receives one packed data message: its records are accepted in order, then this member delivers what total order
   *  allows and acknowledges once `ackThresholdMessages` arrived since its last acknowledgement, so a sender's window
   *  frees while it is still sending instead of once per tick. Total order needs no acknowledgement. */
  receivePack(records: readonly DataRecord[], bounds: AnnounceBounds): void {
    for (const record of records) {
      const rank = this.rankOf(record.sender);
      if (rank >= 0 && rank !== this.myRank) this.accept(rank, record);
    }
    if (this.receivedTotal() - this.lastAckedTotal >= bounds.ackThresholdMessages) this.announce();
    this.deliverTotal();
  }

  receiveAck(from: ProcessId, received: readonly number[]): void {
    const q = this.rankOf(from);
    if (q < 0 || received.length !== this.members.length) return;
    for (let s = 0; s < received.length; s++) this.acks[q][s] = Math.max(this.acks[q][s], received[s]);
    this.collect();
  }

  /** Periodic acknowledgement: stability for the senders' windows and for g.flush. */
  tick(): void {
    if (this.receivedTotal() !== this.lastAckedTotal) this.announce();
    this.collect();
  }

  /** Delivers the decided flush set: what this member has not delivered yet, FIFO first, then total order. */
  finish(decided: readonly DataRecord[]): void {
    const bySeq = [...decided].sort((a, b) => this.rankOf(a.sender) - this.rankOf(b.sender) || a.seq - b.seq);
    for (const r of bySeq) {
      const rank = this.rankOf(r.sender);
      assert(rank >= 0, `flush record from ${r.sender.address} who is not in ${this.group}@${this.epoch}`);
      const stream = this.streams[rank];
      if (r.seq > stream.received)
        assert(stream.add(r), `flush set has a gap before #${r.seq} in ${this.group}`);
    }
    const missing = bySeq.filter((r) => !this.streams[this.rankOf(r.sender)].isDelivered(r.seq));
    const fifo = missing.filter((r) => r.ordering === 'fifo');
    const total = missing.filter((r) => r.ordering !== 'fifo').sort(compareTotal);
    for (const r of [...fifo, ...total]) this.deliverNow(this.rankOf(r.sender), r);
  }

  private accept(rank: number, record: DataRecord): boolean {
    if (!this.streams[rank].add(record)) return false;
    this.acks[this.myRank][rank] = this.streams[rank].received;
    const onReceipt = record.ordering === 'fifo' || isPlanted('totalOrderOnReceipt');
    const frozen = this.frozenFlag && !isPlanted('deliverDuringFlush');
    if (onReceipt) {
      if (!frozen) this.deliverNow(rank, record);
    } else {
      insertSorted(this.totalPending, record);
    }
    return true;
  }

  private deliverTotal(): void {
    const pending = this.totalPending;
    const frozen = this.frozenFlag && !isPlanted('deliverDuringFlush');
    if (frozen || pending.length === 0) return;
    const acrossGaps = isPlanted('deliverAcrossGap');
    let delivered = 0;
    while (delivered < pending.length && (pending[delivered].lamport === this.nextDelivery || acrossGaps)) {
      const head = pending[delivered++];
      this.nextDelivery = head.lamport + 1;
      this.deliverNow(this.rankOf(head.sender), head);
    }
    // Usually everything pending was delivered: emptying the array allocates nothing, a splice its removed part.
    if (delivered === pending.length) pending.length = 0;
    else if (delivered > 0) pending.splice(0, delivered);
  }

  private deliverNow(rank: number, record: DataRecord): void {
    this.streams[rank].markDelivered(record.seq);
    this.effects.deliver(record, this.groupViewId);
  }

  /** No acknowledgement leaves a frozen member: a message it receives after its flush report must not become stable
   *  (and be garbage-collected by its sender) on the strength of that receipt, or it could vanish from the flush set
   *  while this member holds it undelivered. */
  private announce(): void {
    if (this.frozenFlag) return;
    // The counts announced cover the outbox's records: they must reach the members first (links are FIFO).
    this.flushOutbox();
    this.lastAckedTotal = this.receivedTotal();
    const received = this.streams.map((s) => s.received);
    const body: WireBody = { kind: 'groupAck', group: this.group, epoch: this.epoch, received };
    this.forEachOther((m) => this.effects.send(m, body));
  }

  private collect(): void {
    this.streams.forEach((s, rank) => s.collect(this.stableCount(rank)));
  }

  private stableCount(sender: number): number {
    let min = Infinity;
    for (let q = 0; q < this.members.length; q++) min = Math.min(min, this.acks[q][sender]);
    return min;
  }

  private receivedTotal(): number {
    return this.streams.reduce((sum, s) => sum + s.received, 0);
  }

  private rankOf(p: ProcessId): number {
    // The records of one packed message share their sender object: remember the last answer by identity.
    if (p === this.lastRanked) return this.lastRank;
    const rank = this.members.findIndex((m) => sameProcess(m, p));
    this.lastRanked = p;
    this.lastRank = rank;
    return rank;
  }

  private forEachOther(fn: (m: ProcessId) => void): void {
    this.members.forEach((m, rank) => {
      if (rank !== this.myRank) fn(m);
    });
  }
}

function insertSorted(list: DataRecord[], record: DataRecord): void {
  let i = list.length;
  while (i > 0 && compareTotal(list[i - 1], record) > 0) i--;
  // Records mostly arrive in order: appending allocates nothing, a splice allocates the array it would remove.
  if (i === list.length) list.push(record);
  else list.splice(i, 0, record);
}
