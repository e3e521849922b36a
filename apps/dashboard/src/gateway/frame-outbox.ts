/** What the outbox asks its owner to do with a message. */
export type OutboxEffect<K extends string> = { readonly send: K; readonly payload: unknown } | undefined;

export interface OutboxCounters {
  sent: number;
  /** Messages replaced by a newer one of the same kind before they could go out. */
  dropped: number;
  acked: number;
}

/**
 * One browser's outgoing messages, bounded. At most `maxInFlight` messages are sent and not yet acknowledged;
 * past that, only the latest message of each kind waits and an older waiting one is dropped (counted). So a slow
 * browser sees the newest state a little later instead of an ever longer queue of old states, and the server
 * holds at most maxInFlight + kinds messages per browser. No socket inside: the gateway does the sending.
 */
export class FrameOutbox<K extends string> {
  readonly counters: OutboxCounters = { sent: 0, dropped: 0, acked: 0 };
  private inFlight = 0;
  private readonly waiting = new Map<K, unknown>();

  constructor(readonly maxInFlight: number) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
      throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }

  get unacknowledged(): number {
    return this.inFlight;
  }

  get waitingKinds(): number {
    return this.waiting.size;
  }

  /** A new message: sent now when the window allows, else it waits, replacing (dropping) an older one of its kind. */
  offer(kind: K, payload: unknown): OutboxEffect<K> {
    if (this.inFlight < this.maxInFlight && this.waiting.size === 0) return this.send(kind, payload);
    if (this.waiting.has(kind)) {
      this.waiting.delete(kind); // re-inserted last: kinds leave in the order their latest message came
      this.counters.dropped += 1;
    }
    this.waiting.set(kind, payload);
    return this.next();
  }

  /** The browser acknowledged one message: the oldest waiting kind may go. */
  ack(): OutboxEffect<K> {
    if (this.inFlight === 0) return undefined; // a stray or repeated acknowledgement
    this.inFlight -= 1;
    this.counters.acked += 1;
    return this.next();
  }

  private next(): OutboxEffect<K> {
    if (this.inFlight >= this.maxInFlight) return undefined;
    const first = this.waiting.entries().next();
    if (first.done === true) return undefined;
    const [kind, payload] = first.value;
    this.waiting.delete(kind);
    return this.send(kind, payload);
  }

  private send(kind: K, payload: unknown): OutboxEffect<K> {
    this.inFlight += 1;
    this.counters.sent += 1;
    return { send: kind, payload };
  }
}
