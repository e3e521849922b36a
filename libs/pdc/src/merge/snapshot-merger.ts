import { checkRange, invariant } from '../errors/check';
import type { ReleaseReason } from '../alignment/aligned-snapshot';
import { insertSorted } from '../alignment/sorted';
import { LatencyHistogram } from '../quality/latency-histogram';

/** Bounds of the merger. Times are milliseconds of the caller's clock (UNIX epoch). */
export interface MergerOptions {
  /** How long a slot waits for the parts still absent after its first part arrived. */
  readonly mergeWindowMs: number;
  /** Most slots held open at once; one more releases the oldest early ('overflow'). */
  readonly maxPendingSnapshots: number;
  /** Most parts (shards, regions) merged; a bound against a peer inventing part names. */
  readonly maxParts: number;
  /**
   * For parts that reach the merger out of slot order (Kafka partitions keyed by slot), where a later slot may
   * complete before an earlier one even opened: whether this merger will see `slot` at all (its partition is one
   * this merger owns). A complete slot then waits, until its own deadline, for every earlier slot not yet released
   * that this says will come. Without it an unopened earlier slot is skipped as soon as a later one completes.
   */
  readonly expectsSlot?: (slot: number) => boolean;
  /**
   * Whether parts may come from backlogs read one partition after the other (a Kafka consumer that was just given
   * partitions resumes each from its committed offset): until the first release, a complete slot then waits for its
   * deadline, since an earlier slot may still be in a partition not read yet.
   */
  readonly readsBacklogs?: () => boolean;
}

/** Earlier slots a complete one checks with `expectsSlot` at most; past that it waits for its deadline. */
const MAX_EARLIER_SLOTS_CHECKED = 4096;

/** One part's partial snapshot of a slot: an aligner's output over its own PMU set. */
export interface PartOffer<P> {
  readonly part: string;
  readonly slot: number;
  /** The slot's instant in UNIX seconds. */
  readonly timeSec: number;
  readonly value: P;
}

export interface MergedPart<P> {
  readonly part: string;
  readonly value: P;
  /** When the part reached the merger minus the slot's instant. */
  readonly latenessMs: number;
}

/** Every expected part's partial snapshot of one slot; the parts that did not come in time are named. */
export interface MergedSnapshot<P> {
  readonly slot: number;
  readonly timeSec: number;
  /** In the order the parts were first expected. */
  readonly parts: readonly MergedPart<P>[];
  readonly absentParts: readonly string[];
  readonly reason: ReleaseReason;
  readonly firstArrivalMs: number;
  readonly releasedAtMs: number;
  /** Slots skipped since the previous merged snapshot because no part at all arrived for them. */
  readonly skippedSlotsBefore: number;
}

export type MergerEffect<P> =
  | { readonly type: 'merged'; readonly merged: MergedSnapshot<P> }
  /** The part's slot was already released: it is reported, never merged into a snapshot already out. */
  | { readonly type: 'late-part'; readonly offer: PartOffer<P>; readonly latenessMs: number }
  | {
      readonly type: 'refused-part';
      readonly offer: PartOffer<P>;
      readonly reason: 'unknown-part' | 'duplicate' | 'invalid-slot';
      readonly message: string;
    };

/** Per part: what came, what came late, and in how many released slots it was absent. */
export interface PartCounters {
  received: number;
  late: number;
  absent: number;
  /** Arrival at the merger minus the slot's instant, over every part received. */
  readonly latenessMs: LatencyHistogram;
}

export interface MergerCounters {
  snapshots: number;
  readonly released: Record<ReleaseReason, number>;
  refusedParts: number;
  skippedSlots: number;
}

interface PendingMerge<P> {
  readonly slot: number;
  readonly timeSec: number;
  readonly parts: Map<string, MergedPart<P>>;
  readonly firstArrivalMs: number;
  readonly deadlineMs: number;
}

const NO_EFFECTS: readonly never[] = [];

/**
 * Merges partial snapshots, one per part (an ingest shard or a regional PDC)
 * per slot, into one snapshot per slot: a slot leaves when every expected
 * part delivered it or `mergeWindowMs` after its first part, always in slot
 * order. A part for a slot already released is `late-part`, never merged, so
 * nothing is doubled; a part's second copy of a slot is refused as a
 * duplicate (first copy wins). Each part's lateness is kept in a histogram.
 *
 * Pure, like TimeAligner: the caller passes its clock and drives the window
 * with `tick`.
 */
export class SnapshotMerger<P> {
  readonly options: MergerOptions;
  readonly counters: MergerCounters = {
    snapshots: 0,
    released: { complete: 0, window: 0, overflow: 0, flush: 0 },
    refusedParts: 0,
    skippedSlots: 0,
  };
  private readonly partCounters = new Map<string, PartCounters>();
  private readonly expected: string[] = [];
  private readonly pending = new Map<number, PendingMerge<P>>();
  private readonly order: number[] = [];
  private lastReleasedSlot: number | undefined;

  constructor(options: MergerOptions) {
    checkRange('mergeWindowMs', options.mergeWindowMs, 0, 60_000);
    checkRange('maxPendingSnapshots', options.maxPendingSnapshots, 1, 100_000, true);
    checkRange('maxParts', options.maxParts, 1, 65_536, true);
    this.options = options;
  }

  /** Parts whose absence from a slot makes it incomplete, in the order they were first expected. */
  get expectedParts(): readonly string[] {
    return this.expected;
  }

  get pendingSnapshots(): number {
    return this.pending.size;
  }

  /** The last slot released; a part of it or of an earlier slot is late. Undefined before the first release. */
  get lastReleased(): number | undefined {
    return this.lastReleasedSlot;
  }

  /** Whether `slot` is open: some part delivered it and it has not left. */
  holds(slot: number): boolean {
    return this.pending.has(slot);
  }

  /**
   * Drops the open slots `test` selects without releasing them (another merger took them over: their parts will be
   * merged there); returns how many.
   */
  abandon(test: (slot: number) => boolean): number {
    let dropped = 0;
    for (let i = this.order.length - 1; i >= 0; i -= 1) {
      const slot = this.order[i];
      if (!test(slot)) continue;
      this.order.splice(i, 1);
      this.pending.delete(slot);
      dropped += 1;
    }
    return dropped;
  }

  /** A part's counters (undefined for a part never expected). */
  countersOf(part: string): PartCounters | undefined {
    return this.partCounters.get(part);
  }

  /** Starts waiting for `part` in every slot; false when `maxParts` is reached. */
  expectPart(part: string): boolean {
    if (this.expected.includes(part)) return true;
    if (this.expected.length >= this.options.maxParts) return false;
    this.expected.push(part);
    if (!this.partCounters.has(part))
      this.partCounters.set(part, { received: 0, late: 0, absent: 0, latenessMs: new LatencyHistogram() });
    return true;
  }

  /** Stops waiting for `part` (it left for good); slots that only waited for it may now leave. */
  forgetPart(part: string, nowMs: number): readonly MergerEffect<P>[] {
    const at = this.expected.indexOf(part);
    if (at < 0) return NO_EFFECTS;
    this.expected.splice(at, 1);
    return this.tick(nowMs);
  }

  offer(o: PartOffer<P>, nowMs: number): readonly MergerEffect<P>[] {
    const counters = this.partCounters.get(o.part);
    if (counters === undefined || !this.expected.includes(o.part))
      return [this.refuse(o, 'unknown-part', `part ${o.part} is not expected`)];
    if (!Number.isInteger(o.slot) || !Number.isFinite(o.timeSec))
      return [this.refuse(o, 'invalid-slot', `part ${o.part} names slot ${o.slot}, not a slot`)];
    const latenessMs = nowMs - o.timeSec * 1000;
    counters.latenessMs.record(latenessMs);
    if (this.lastReleasedSlot !== undefined && o.slot <= this.lastReleasedSlot)
      return [this.late(o, latenessMs)];
    const out: MergerEffect<P>[] = [];
    const target = this.pending.get(o.slot) ?? this.open(o, nowMs, out);
    if (target === undefined) {
      out.push(this.late(o, latenessMs));
      return out;
    }
    if (target.parts.has(o.part)) {
      out.push(this.refuse(o, 'duplicate', `part ${o.part} already delivered slot ${o.slot}`));
      return out;
    }
    counters.received += 1;
    target.parts.set(o.part, { part: o.part, value: o.value, latenessMs });
    this.releaseReady(nowMs, out);
    return out;
  }

  /** Releases slots whose window has passed. */
  tick(nowMs: number): readonly MergerEffect<P>[] {
    if (this.order.length === 0) return NO_EFFECTS;
    const out: MergerEffect<P>[] = [];
    this.releaseReady(nowMs, out);
    return out.length === 0 ? NO_EFFECTS : out;
  }

  /** Releases every pending slot (shutdown). */
  flush(nowMs: number): readonly MergerEffect<P>[] {
    const out: MergerEffect<P>[] = [];
    while (this.order.length > 0) out.push(this.releaseHead('flush', nowMs));
    return out;
  }

  private open(o: PartOffer<P>, nowMs: number, out: MergerEffect<P>[]): PendingMerge<P> | undefined {
    if (this.order.length >= this.options.maxPendingSnapshots) {
      if (o.slot < this.order[0]) return undefined;
      out.push(this.releaseHead('overflow', nowMs));
    }
    const p: PendingMerge<P> = {
      slot: o.slot,
      timeSec: o.timeSec,
      parts: new Map(),
      firstArrivalMs: nowMs,
      deadlineMs: nowMs + this.options.mergeWindowMs,
    };
    this.pending.set(o.slot, p);
    insertSorted(this.order, o.slot);
    invariant(this.order.length <= this.options.maxPendingSnapshots, 'pending merges within the bound');
    return p;
  }

  private releaseReady(nowMs: number, out: MergerEffect<P>[]): void {
    while (this.order.length > 0) {
      const head = this.pending.get(this.order[0]);
      invariant(head !== undefined, 'every ordered slot is pending');
      if (nowMs >= head.deadlineMs) out.push(this.releaseHead('window', nowMs));
      else if (this.isComplete(head) && !this.follows(head)) out.push(this.releaseHead('complete', nowMs));
      else return;
    }
  }

  /** Whether the head must wait for an earlier slot that has not opened yet (see `expectsSlot`). */
  private follows(head: PendingMerge<P>): boolean {
    const expects = this.options.expectsSlot;
    const last = this.lastReleasedSlot;
    if (last === undefined) return this.options.readsBacklogs?.() ?? false;
    if (expects === undefined || head.slot === last + 1) return false;
    if (head.slot - last > MAX_EARLIER_SLOTS_CHECKED) return true;
    for (let s = last + 1; s < head.slot; s += 1) if (expects(s)) return true;
    return false;
  }

  private isComplete(p: PendingMerge<P>): boolean {
    for (const part of this.expected) if (!p.parts.has(part)) return false;
    return true;
  }

  private releaseHead(reason: ReleaseReason, nowMs: number): MergerEffect<P> {
    const slot = this.order.shift();
    invariant(slot !== undefined, 'release needs a pending slot');
    const p = this.pending.get(slot);
    invariant(p !== undefined, 'ordered slot has its pending merge');
    this.pending.delete(slot);
    invariant(this.lastReleasedSlot === undefined || slot > this.lastReleasedSlot, 'slots leave in order');
    const parts: MergedPart<P>[] = [];
    const absentParts: string[] = [];
    for (const name of this.expected) {
      const part = p.parts.get(name);
      if (part !== undefined) parts.push(part);
      else {
        absentParts.push(name);
        this.partCounters.get(name)!.absent += 1;
      }
    }
    // A part forgotten after it delivered this slot still counts: its samples are in hand.
    for (const part of p.parts.values()) if (!this.expected.includes(part.part)) parts.push(part);
    const skipped = this.lastReleasedSlot === undefined ? 0 : slot - this.lastReleasedSlot - 1;
    this.lastReleasedSlot = slot;
    const merged: MergedSnapshot<P> = {
      slot,
      timeSec: p.timeSec,
      parts,
      absentParts,
      reason: absentParts.length === 0 && reason === 'window' ? 'complete' : reason,
      firstArrivalMs: p.firstArrivalMs,
      releasedAtMs: nowMs,
      skippedSlotsBefore: skipped,
    };
    this.counters.snapshots += 1;
    this.counters.released[merged.reason] += 1;
    this.counters.skippedSlots += skipped;
    return { type: 'merged', merged };
  }

  private late(o: PartOffer<P>, latenessMs: number): MergerEffect<P> {
    this.partCounters.get(o.part)!.late += 1;
    return { type: 'late-part', offer: o, latenessMs };
  }

  private refuse(
    o: PartOffer<P>,
    reason: 'unknown-part' | 'duplicate' | 'invalid-slot',
    message: string,
  ): MergerEffect<P> {
    this.counters.refusedParts += 1;
    return { type: 'refused-part', offer: o, reason, message };
  }
}
