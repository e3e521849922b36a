import { InvariantError } from '../errors/invariant-error';
import type { DataRecord } from '../wire-message';

/** What one member has received from one sender in one group epoch. Records before `base` were delivered here and
 *  received everywhere (stable), so they were garbage-collected. */
export class SenderStream {
  private base = 1;
  private readonly records: DataRecord[] = [];
  private readonly delivered: boolean[] = [];
  /** Payload bytes of the records held. */
  private heldPayloadBytes = 0;

  get heldBytes(): number {
    return this.heldPayloadBytes;
  }

  /** Highest sequence number received without a gap. */
  get received(): number {
    return this.base + this.records.length - 1;
  }

  get held(): readonly DataRecord[] {
    return this.records;
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
    return this.delivered[seq - this.base] === true;
  }

  markDelivered(seq: number): void {
    // Checked without assert(): its message would be built for every delivery.
    if (seq < this.base || seq > this.received)
      throw new InvariantError(`marking unreceived message ${seq} delivered`);
    if (this.delivered[seq - this.base]) throw new InvariantError(`message ${seq} delivered twice`);
    this.delivered[seq - this.base] = true;
  }

  /** Drops records that are stable (received by every member) and delivered here. */
  collect(stableUpTo: number): void {
    while (this.records.length > 0 && this.base <= stableUpTo && this.delivered[0]) {
      this.heldPayloadBytes -= this.records.shift()!.payload.length;
      this.delivered.shift();
      this.base++;
    }
  }
}
