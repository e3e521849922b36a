import type { DeliveryOrdering, ProcessId } from '../protocol';
import type { Delivery } from './group-endpoint';
import {
  type CursorState,
  type PollAnswer,
  type PollRequest,
  type RelayedViewEnd,
  type RelayEntry,
  streamOf,
} from './group-client-relay-wire';

/** The bounds of a member's relay to subscribed GroupClients (Group option `relay`). */
export interface RelayBounds {
  /** Subscribers this member serves at once; more are refused and try another member (default 64). */
  readonly maxSubscribers: number;
  /** Relayed bytes a subscriber may have outstanding (delivered here, not yet acknowledged by its next poll); past
   *  it the subscriber is dropped with a reason (default 4 MiB). */
  readonly maxSubscriberQueueBytes: number;
  /** Recent deliveries kept to serve subscribers and resume those of a failed representative, in bytes (default
   *  8 MiB; at least maxSubscriberQueueBytes) and in entries (default 16,384). */
  readonly maxRelayLogBytes: number;
  readonly maxRelayLogEntries: number;
  /** Ended views whose counts are kept past the log, so a resumed subscriber counts what it missed (default 256). */
  readonly maxViewSummaries: number;
  /** Bytes of payload in one poll answer, at most (default 1 MiB, capped to the process's maxPayloadBytes). */
  readonly maxPollBatchBytes: number;
  /** A subscriber that has not polled for this long is forgotten (default 30,000). */
  readonly subscriberIdleMs: number;
}

export const DEFAULT_RELAY_BOUNDS: RelayBounds = {
  maxSubscribers: 64,
  maxSubscriberQueueBytes: 4 * 1024 * 1024,
  maxRelayLogBytes: 8 * 1024 * 1024,
  maxRelayLogEntries: 16_384,
  maxViewSummaries: 256,
  maxPollBatchBytes: 1024 * 1024,
  subscriberIdleMs: 30_000,
};

/** Bytes an entry is counted for besides its payload (its name and framing). */
const ENTRY_OVERHEAD_BYTES = 256;

/** A sender's stream in one view: its name and the cell counting its deliveries. */
interface StreamCell {
  readonly incarnation: number;
  readonly name: string;
  readonly count: { n: number };
}

const newStreamCells = (): Record<DeliveryOrdering, Map<string, StreamCell>> => ({
  fifo: new Map(),
  total: new Map(),
  safe: new Map(),
  p2p: new Map(),
});

interface LoggedEntry {
  readonly pos: number;
  readonly entry: RelayEntry;
  /** Bytes logged before this entry, since the log began: a subscriber's outstanding bytes are a difference. */
  readonly offsetBytes: number;
  readonly bytes: number;
}

interface Subscriber {
  /** Every entry before this position is acknowledged (covered by the subscriber's cursor). */
  from: number;
  cursor: CursorState;
  lastPollMs: number;
}

/**
 * The relay side of GroupClient subscriptions at one member, without I/O or timers: a bounded log of the group's
 * recent deliveries and view ends, and each subscriber's acknowledged position in it. A subscriber's queue is the
 * log from its position on; it is bounded by maxSubscriberQueueBytes (a subscriber past it is dropped, with the
 * reason kept for its next poll), so memory is bounded by the log whatever the number of subscribers.
 *
 * The log holds entries only once the group has had a subscriber (startLogging: the member's first poll, or the
 * group's marker multicast by a member that serves one). Until then a delivery is only counted, so that names and
 * view-end counts are right when logging starts: holding every delivery of a group nobody subscribes to cost a
 * receiver a large share of its time per message (the entries, and the payloads kept alive past the young
 * generation).
 */
export class RelayLog {
  private readonly entries = new EntryRing();
  private readonly summaries: Array<{ pos: number; end: RelayedViewEnd }> = [];
  private readonly subscribers = new Map<string, Subscriber>();
  /** Subscribers dropped since their last poll, with the reason their next poll is answered with. */
  private readonly dropped = new Map<string, string>();
  private nextPos = 0;
  private loggedBytes = 0;
  private retainedBytes = 0;
  /** The view deliveries are counted in; -1 before the first. */
  private viewId = -1;
  /** Deliveries per stream in the current view; a cell per stream, so counting one is an increment. */
  private counts = new Map<string, { n: number }>();
  /** Per ordering, each sender address's stream in the current view: a delivery finds its name and count cell with
   *  one lookup by the sender's address, instead of building the name from numbers whenever the sender changes. */
  private streams = newStreamCells();
  /** Whether deliveries are logged, not only counted (see startLogging). */
  private logging = false;
  readonly stats = { relayed: 0, subscribersDropped: 0, subscribersRefused: 0, subscribersExpired: 0 };

  constructor(private readonly bounds: RelayBounds) {
    if (bounds.maxRelayLogBytes < bounds.maxSubscriberQueueBytes)
      throw new RangeError('maxRelayLogBytes must be at least maxSubscriberQueueBytes');
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether this log holds deliveries for subscribers (it does from startLogging on). */
  get isLogging(): boolean {
    return this.logging;
  }

  /** Logs every delivery from now on; earlier ones were only counted, so a subscriber resumed here that had not
   *  acknowledged them is told of them as a counted gap. Logging does not stop again. */
  startLogging(): void {
    this.logging = true;
  }

  /** A multicast this member delivered; query requests and point-to-point messages are not relayed. */
  deliver(d: Delivery): void {
    if (d.queryId !== 0 || d.ordering === 'p2p') return;
    if (d.viewId !== this.viewId) this.enterView(d.viewId);
    const cell = this.streamCell(d.sender, d.ordering);
    const stream = cell.name;
    const index = ++cell.count.n;
    if (!this.logging) return;
    const tooLarge = d.payload.byteLength > this.bounds.maxPollBatchBytes;
    const payload = tooLarge ? null : d.payload;
    this.append({
      kind: 'message',
      viewId: d.viewId,
      stream,
      index,
      sender: d.sender,
      ordering: d.ordering,
      payload,
    });
  }

  /** A view installed here: the end of the previous one, with its counts, is logged and summarized. */
  installView(viewId: number): void {
    if (this.viewId !== -1 && viewId !== this.viewId) {
      const end: RelayedViewEnd = {
        kind: 'viewEnd',
        viewId: this.viewId,
        nextViewId: viewId,
        counts: this.countPairs(),
      };
      // A view that ended before logging started is older than every logged entry.
      this.summaries.push({ pos: this.logging ? this.nextPos : -1, end });
      if (this.summaries.length > this.bounds.maxViewSummaries) this.summaries.shift();
      if (this.logging) this.append(end);
    }
    this.enterView(viewId);
  }

  /** Answers a poll now, or 'wait' when there is nothing new for the subscriber yet. */
  poll(request: PollRequest, nowMs: number): PollAnswer | 'wait' {
    this.expire(nowMs);
    const reason = this.dropped.get(request.subscriber);
    if (reason !== undefined) {
      this.dropped.delete(request.subscriber);
      return { kind: 'dropped', reason };
    }
    const sub = this.subscribers.get(request.subscriber);
    if (sub === undefined) {
      if (this.subscribers.size >= this.bounds.maxSubscribers) {
        this.stats.subscribersRefused += 1;
        return {
          kind: 'refused',
          reason: `maxSubscribers (${this.bounds.maxSubscribers}) reached at this member`,
        };
      }
      return this.subscribe(request, nowMs);
    }
    sub.lastPollMs = nowMs;
    if (request.cursor !== null) sub.cursor = request.cursor;
    this.acknowledge(sub);
    return this.answer(sub, []);
  }

  /** Forgets subscribers that stopped polling (their client ended or moved to another member). */
  expire(nowMs: number): void {
    for (const [id, sub] of this.subscribers) {
      if (nowMs - sub.lastPollMs <= this.bounds.subscriberIdleMs) continue;
      this.subscribers.delete(id);
      this.stats.subscribersExpired += 1;
    }
  }

  /** Forgets one subscriber now (its client closed the subscription). */
  forget(subscriber: string): void {
    this.subscribers.delete(subscriber);
    this.dropped.delete(subscriber);
  }

  private subscribe(request: PollRequest, nowMs: number): PollAnswer | 'wait' {
    this.startLogging();
    const cursor = request.cursor ?? this.position();
    const first = this.entries.firstPos ?? this.nextPos;
    const sub: Subscriber = {
      from: request.cursor === null ? this.nextPos : first,
      cursor,
      lastPollMs: nowMs,
    };
    this.subscribers.set(request.subscriber, sub);
    this.acknowledge(sub);
    if (request.cursor === null) return { kind: 'entries', entries: [], start: cursor };
    // Views that ended before the log's first entry: their counts let the subscriber count what it missed.
    const older = this.summaries.filter((s) => s.pos < first && !covers(cursor, s.end)).map((s) => s.end);
    return this.answer(sub, older);
  }

  private answer(sub: Subscriber, prefix: readonly RelayEntry[]): PollAnswer | 'wait' {
    const entries = [...prefix];
    let bytes = 0;
    const start = this.entries.firstPos ?? this.nextPos;
    for (let i = Math.max(0, sub.from - start); i < this.entries.length; i++) {
      const logged = this.entries.at(i);
      if (covers(sub.cursor, logged.entry)) continue;
      if (entries.length > 0 && bytes + logged.bytes > this.bounds.maxPollBatchBytes) break;
      entries.push(logged.entry);
      bytes += logged.bytes;
    }
    if (entries.length === 0) return 'wait';
    this.stats.relayed += entries.length;
    return { kind: 'entries', entries };
  }

  /** Moves the subscriber's position past the entries its cursor covers. */
  private acknowledge(sub: Subscriber): void {
    const start = this.entries.firstPos ?? this.nextPos;
    for (let i = Math.max(0, sub.from - start); i < this.entries.length; i++) {
      const logged = this.entries.at(i);
      if (!covers(sub.cursor, logged.entry)) return;
      sub.from = logged.pos + 1;
    }
    sub.from = Math.max(sub.from, this.nextPos);
  }

  private append(entry: RelayEntry): void {
    const bytes = ENTRY_OVERHEAD_BYTES + (entry.kind === 'message' ? (entry.payload?.byteLength ?? 0) : 0);
    this.entries.push({ pos: this.nextPos++, entry, offsetBytes: this.loggedBytes, bytes });
    this.loggedBytes += bytes;
    this.retainedBytes += bytes;
    if (this.subscribers.size > 0) this.dropSlowSubscribers();
    while (
      this.entries.length > this.bounds.maxRelayLogEntries ||
      this.retainedBytes > this.bounds.maxRelayLogBytes
    )
      this.retainedBytes -= this.entries.shift().bytes;
    // A subscriber whose next entry left the log fell behind it: it could not be served in order any more.
    if (this.subscribers.size === 0) return;
    const first = this.entries.firstPos!;
    for (const [id, sub] of this.subscribers)
      if (sub.from < first) this.drop(id, 'it fell behind the relay log');
  }

  private dropSlowSubscribers(): void {
    const start = this.entries.firstPos!;
    for (const [id, sub] of this.subscribers) {
      const from = sub.from - start < this.entries.length ? this.entries.at(sub.from - start) : undefined;
      const outstanding = from === undefined ? 0 : this.loggedBytes - from.offsetBytes;
      if (outstanding > this.bounds.maxSubscriberQueueBytes)
        this.drop(
          id,
          `${outstanding} bytes relayed and not acknowledged exceed maxSubscriberQueueBytes (${this.bounds.maxSubscriberQueueBytes})`,
        );
    }
  }

  private drop(id: string, reason: string): void {
    this.subscribers.delete(id);
    this.stats.subscribersDropped += 1;
    this.dropped.set(id, `dropped by its representative: ${reason}`);
    // Reasons are kept for at most maxSubscribers dropped subscribers; the oldest is forgotten first.
    if (this.dropped.size > this.bounds.maxSubscribers)
      this.dropped.delete(this.dropped.keys().next().value!);
  }

  /** The stream of a delivery, found by its sender's address: building the name and hashing a fresh string on every
   *  delivery was a fifth of the cost of delivering a small message. */
  private streamCell(sender: ProcessId, ordering: DeliveryOrdering): StreamCell {
    const cells = this.streams[ordering];
    let cell = cells.get(sender.address);
    if (cell === undefined || cell.incarnation !== sender.incarnation) {
      const name = streamOf(sender, ordering);
      let count = this.counts.get(name);
      if (count === undefined) this.counts.set(name, (count = { n: 0 }));
      cell = { incarnation: sender.incarnation, name, count };
      cells.set(sender.address, cell);
    }
    return cell;
  }

  private enterView(viewId: number): void {
    this.viewId = viewId;
    this.counts = new Map();
    this.streams = newStreamCells();
  }

  private countPairs(): Array<[string, number]> {
    return Array.from(this.counts, ([stream, count]) => [stream, count.n]);
  }

  private position(): CursorState {
    return { viewId: this.viewId, counts: this.countPairs() };
  }
}

/** The log's entries, oldest first: an array read from a moving head, compacted once the head passed half of it, so
 *  evicting the oldest entry costs O(1) amortized (Array.shift copies the whole array). */
class EntryRing {
  private items: LoggedEntry[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get firstPos(): number | undefined {
    return this.items[this.head]?.pos;
  }

  /** The i-th entry from the oldest; i < length. */
  at(i: number): LoggedEntry {
    return this.items[this.head + i];
  }

  push(entry: LoggedEntry): void {
    this.items.push(entry);
  }

  shift(): LoggedEntry {
    if (this.length === 0) throw new RangeError('the relay log is empty');
    const entry = this.items[this.head++];
    if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}

/** Whether a subscriber at `cursor` saw (or skipped past) `entry`. */
export function covers(cursor: CursorState, entry: RelayEntry): boolean {
  if (entry.viewId !== cursor.viewId) return entry.viewId < cursor.viewId;
  if (cursor.nextViewId !== undefined) return true;
  if (entry.kind === 'viewEnd') return false;
  return entry.index <= (cursor.counts.find(([s]) => s === entry.stream)?.[1] ?? 0);
}
