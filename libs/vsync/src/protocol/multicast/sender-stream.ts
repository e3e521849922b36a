import { InvariantError } from '../errors/invariant-error';
import type { DataRecord } from '../wire-message';

/** Slots a stream's ring starts with; it doubles when full and never shrinks (an epoch's streams live as long as
 *  the epoch, and the send window bounds what they hold). */
const INITIAL_SLOTS = 64;

/** What one member has received from one sender in one group epoch. Records before `base` were delivered here and
 *  received everywhere (stable), so they were garbage-collected.
 *
 *  The held records sit in a ring: arrays that grew by push and were compacted by slice made a new array every few
 *  hundred messages, and at full rate those arrays were among what survived the young generation. */
export class SenderStream {
  /** Sequence number of the oldest record held (the slot at `head`). */
  private base = 1;
  private head = 0;
  /** Records held, from `base` on. */
  private count = 0;
  private records: Array<DataRecord | undefined> = new Array<DataRecord | undefined>(INITIAL_SLOTS).fill(
    undefined,
  );
  /** 1 where the record in the same slot was delivered here. */
  private delivered = new Uint8Array(INITIAL_SLOTS);
  /** Payload bytes of the records held. */
  private heldPayloadBytes = 0;

  get heldBytes(): number {
    return this.heldPayloadBytes;
  }

  /** Highest sequence number received without a gap. */
  get received(): number {
    return this.base + this.count - 1;
  }

  get held(): readonly DataRecord[] {
    const out = new Array<DataRecord>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.records[this.slot(i)]!;
    return out;
  }

  add(record: DataRecord): boolean {
    if (record.seq !== this.received + 1) return false;
    if (this.count === this.records.length) this.grow();
    const slot = this.slot(this.count);
    this.records[slot] = record;
    this.delivered[slot] = 0;
    this.count += 1;
    this.heldPayloadBytes += record.payload.length;
    return true;
  }

  isDelivered(seq: number): boolean {
    if (seq < this.base) return true;
    return seq <= this.received && this.delivered[this.slot(seq - this.base)] === 1;
  }

  markDelivered(seq: number): void {
    // Checked without assert(): its message would be built for every delivery.
    if (seq < this.base || seq > this.received)
      throw new InvariantError(`marking unreceived message ${seq} delivered`);
    const slot = this.slot(seq - this.base);
    if (this.delivered[slot] === 1) throw new InvariantError(`message ${seq} delivered twice`);
    this.delivered[slot] = 1;
  }

  /** Drops records that are stable (received by every member) and delivered here. */
  collect(stableUpTo: number): void {
    const mask = this.records.length - 1;
    while (this.count > 0 && this.base <= stableUpTo && this.delivered[this.head] === 1) {
      this.heldPayloadBytes -= this.records[this.head]!.payload.length;
      // Released now: the window bounds the payload bytes held.
      this.records[this.head] = undefined;
      this.head = (this.head + 1) & mask;
      this.count -= 1;
      this.base += 1;
    }
  }

  private slot(position: number): number {
    return (this.head + position) & (this.records.length - 1);
  }

  /** Doubles the ring, the held records moved to the front in order. */
  private grow(): void {
    const slots = this.records.length * 2;
    const records = new Array<DataRecord | undefined>(slots).fill(undefined);
    const delivered = new Uint8Array(slots);
    for (let i = 0; i < this.count; i++) {
      const from = this.slot(i);
      records[i] = this.records[from];
      delivered[i] = this.delivered[from];
    }
    this.records = records;
    this.delivered = delivered;
    this.head = 0;
  }
}
