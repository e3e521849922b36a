import { InvariantError } from '../errors/invariant-error';
import type { DataRecord } from '../wire-message';

/** Collected records kept at the front of the arrays before they are compacted away, at least. */
const MIN_COMPACT_RECORDS = 64;

/** What one member has received from one sender in one group epoch. Records before `base` were delivered here and
 *  received everywhere (stable), so they were garbage-collected.
 *
 *  The records are read from a moving head (`first`) and the arrays compacted once the head passed half of them:
 *  Array.shift per collected record moved the whole window, a cost that grew with sendWindowMessages. */
export class SenderStream {
  private base = 1;
  private first = 0;
  private records: DataRecord[] = [];
  private delivered: boolean[] = [];
  /** Payload bytes of the records held. */
  private heldPayloadBytes = 0;

  get heldBytes(): number {
    return this.heldPayloadBytes;
  }

  /** Highest sequence number received without a gap. */
  get received(): number {
    return this.base + this.records.length - this.first - 1;
  }

  get held(): readonly DataRecord[] {
    return this.records.slice(this.first);
  }

  add(record: DataRecord): boolean {
    if (record.seq !== this.received + 1) return false;
    this.records.push(record);
    this.delivered.push(false);
    this.heldPayloadBytes += record.payload.length;
    return true;
  }

  isDelivered(seq: number): boolean {
    if (seq < this.base) return true;
    return this.delivered[this.first + seq - this.base] === true;
  }

  markDelivered(seq: number): void {
    // Checked without assert(): its message would be built for every delivery.
    if (seq < this.base || seq > this.received)
      throw new InvariantError(`marking unreceived message ${seq} delivered`);
    const at = this.first + seq - this.base;
    if (this.delivered[at]) throw new InvariantError(`message ${seq} delivered twice`);
    this.delivered[at] = true;
  }

  /** Drops records that are stable (received by every member) and delivered here. */
  collect(stableUpTo: number): void {
    while (this.first < this.records.length && this.base <= stableUpTo && this.delivered[this.first]) {
      this.heldPayloadBytes -= this.records[this.first].payload.length;
      // Released now, not at the next compaction: the window bounds the payload bytes held.
      this.records[this.first] = undefined as unknown as DataRecord;
      this.first++;
      this.base++;
    }
    if (this.first >= MIN_COMPACT_RECORDS && this.first * 2 >= this.records.length) {
      this.records = this.records.slice(this.first);
      this.delivered = this.delivered.slice(this.first);
      this.first = 0;
    }
  }
}
