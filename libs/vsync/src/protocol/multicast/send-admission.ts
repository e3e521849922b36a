/** One group's admitted multicasts, counted since the group's queue was made. */
interface Admitted {
  admittedTotal: number;
  leftTotal: number;
  /** Payload bytes of those admitted and not sent yet. */
  bytes: number;
}

/**
 * Multicasts admitted to the send window before they can leave. A total-order multicast that has room in the window
 * but no group sequence number yet (its sender asked the sequencer, the grant is on its way), and any FIFO multicast
 * queued behind it, is admitted: its request is done and the room stays reserved for it, so a sender that awaits its
 * sends goes on queueing while the grant travels instead of stopping for a round trip to the sequencer every few
 * messages. An admitted multicast still leaves in queue order, once it has its number.
 *
 * Counted per group: admitted multicasts are always the head of the group's send queue, so the queue needs no mark
 * on its entries (the multicasts as the runtime gave them).
 */
export class SendAdmission {
  private readonly groups = new Map<string, Admitted>();

  /** How many multicasts at the head of the group's queue are admitted (and not sent yet), and their payload bytes. */
  count(group: string): number {
    const admitted = this.groups.get(group);
    return admitted === undefined ? 0 : admitted.admittedTotal - admitted.leftTotal;
  }

  bytes(group: string): number {
    return this.groups.get(group)?.bytes ?? 0;
  }

  admit(group: string, payloadBytes: number): void {
    let admitted = this.groups.get(group);
    if (admitted === undefined) {
      admitted = { admittedTotal: 0, leftTotal: 0, bytes: 0 };
      this.groups.set(group, admitted);
    }
    admitted.admittedTotal += 1;
    admitted.bytes += payloadBytes;
  }

  /** The queue's head, admitted, left for the window. */
  left(group: string, payloadBytes: number): void {
    const admitted = this.groups.get(group)!;
    admitted.leftTotal += 1;
    admitted.bytes -= payloadBytes;
  }

  /** A mark for the multicasts admitted so far (see hasLeft). */
  mark(group: string): number {
    return this.groups.get(group)?.admittedTotal ?? 0;
  }

  /** Whether every multicast admitted before `mark` was taken has left the queue. */
  hasLeft(group: string, mark: number): boolean {
    return (this.groups.get(group)?.leftTotal ?? 0) >= mark;
  }

  /** The group's queue is gone (left the group, or this process is done). */
  forget(group: string): void {
    this.groups.delete(group);
  }

  clear(): void {
    this.groups.clear();
  }
}
