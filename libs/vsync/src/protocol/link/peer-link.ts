import { assert } from '../errors/invariant-error';
import type { ProcessId } from '../process-id';
import type { WireBody } from '../wire-message';

interface Unacked {
  readonly seq: number;
  readonly body: WireBody;
}

/** Reliable FIFO channel state towards one peer incarnation, the same job TCP does, but surviving lost, duplicated and
 *  reordered messages and reconnections: the membership and multicast layers above may then assume that what one
 *  live process sends another arrives once and in order. */
export class PeerLink {
  private nextSeq = 1;
  private readonly unacked: Unacked[] = [];
  private recvNext = 1;
  private readonly outOfOrder = new Map<number, { body: WireBody; bytes: number }>();
  /** Bytes held in the reorder buffer (bodySizeBytes of each). */
  outOfOrderBytes = 0;
  /** Out-of-order messages dropped because the reorder buffer had no room for their bytes. */
  droppedOutOfOrder = 0;
  /** The peer sent us something we have not acknowledged yet. */
  ackOwed = false;
  lastRetransmitMs = 0;
  lastHeardMs: number;

  constructor(
    readonly peer: ProcessId,
    nowMs: number,
  ) {
    this.lastHeardMs = nowMs;
  }

  get unackedCount(): number {
    return this.unacked.length;
  }

  get receivedUpTo(): number {
    return this.recvNext - 1;
  }

  /** Numbers a reliable message and keeps it for retransmission until acknowledged. */
  enqueue(body: WireBody): number {
    const seq = this.nextSeq++;
    this.unacked.push({ seq, body });
    return seq;
  }

  /** An ack beyond what we sent can only come from a confused or hostile peer; it just clears the queue. */
  acknowledge(ack: number, nowMs: number): void {
    let progressed = false;
    while (this.unacked.length > 0 && this.unacked[0].seq <= ack) {
      this.unacked.shift();
      progressed = true;
    }
    // The retransmission timer measures silence, not age: while acks keep coming, a long stream is not resent.
    if (progressed) this.lastRetransmitMs = nowMs;
  }

  pendingRetransmission(limit: number): readonly Unacked[] {
    return this.unacked.slice(0, limit);
  }

  /** Accepts one reliable message; returns the bodies that are now deliverable in order (possibly none). A message
   *  out of order is held only within `reorderLimit` messages and `roomBytes` bytes; beyond them it is dropped (and
   *  counted by the caller): the sender keeps it and will send it again. */
  accept(seq: number, body: WireBody, reorderLimit: number, bytes: number, roomBytes: number): WireBody[] {
    this.ackOwed = true;
    if (seq < this.recvNext) return [];
    if (seq > this.recvNext) {
      if (seq - this.recvNext >= reorderLimit || this.outOfOrder.has(seq)) return [];
      if (bytes > roomBytes) {
        this.droppedOutOfOrder += 1;
        return [];
      }
      this.outOfOrder.set(seq, { body, bytes });
      this.outOfOrderBytes += bytes;
      return [];
    }
    assert(this.outOfOrder.size <= reorderLimit, 'reorder buffer exceeded its bound');
    const ready = [body];
    this.recvNext++;
    for (let next = this.outOfOrder.get(this.recvNext); next; next = this.outOfOrder.get(this.recvNext)) {
      this.outOfOrder.delete(this.recvNext);
      this.outOfOrderBytes -= next.bytes;
      ready.push(next.body);
      this.recvNext++;
    }
    return ready;
  }
}
