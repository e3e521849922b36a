import { invariant } from '../errors/check';
import type {
  AlignedSnapshot,
  AlignerEffect,
  RefusalReason,
  ReleaseReason,
  TimedFrame,
} from './aligned-snapshot';
import { newAlignerCounters, type AlignerCounters } from './aligner-counters';
import { validateAlignerOptions, type AlignerOptions } from './aligner-options';
import { PendingSnapshot } from './pending-snapshot';
import { insertSorted } from './sorted';

const NO_EFFECTS: readonly never[] = [];

/**
 * Groups PMU frames by timestamp into snapshots, one per reporting instant.
 * A snapshot is released when every expected PMU has reported, or when its
 * wait window (`alignWindowMs` after its first frame) has passed; either way
 * snapshots leave in timestamp order, so a consumer sees time move forwards.
 * A frame for an instant already released is reported as `late`; frames that
 * cannot be placed are `refused` with a reason. Nothing is dropped silently.
 *
 * Pure: the caller passes its clock (`nowMs`) with every call and drives the
 * window with `tick`. No timers, sockets or clocks inside.
 */
export class TimeAligner<T> {
  readonly options: AlignerOptions;
  readonly counters: AlignerCounters = newAlignerCounters();
  /**
   * Each expected PMU's position in a pending snapshot's dense arrays. Positions of forgotten PMUs are reused, so
   * they stay below `maxPmus`.
   */
  private readonly positions = new Map<number, number>();
  private readonly freePositions: number[] = [];
  private nextPosition = 0;
  /** The expected PMUs in ascending order, rebuilt only when membership changes. */
  private expectedSorted: number[] = [];
  /** `positions` of `expectedSorted`, in the same order; rebuilt at the next release after membership changed. */
  private sortedPositions: Int32Array | undefined = new Int32Array(0);
  private readonly pending = new Map<number, PendingSnapshot<T>>();
  /** Released pending snapshots kept for reuse, at most `maxPendingSnapshots`. */
  private readonly spare: PendingSnapshot<T>[] = [];
  /** Slots of `pending`, ascending; appends are the common case. */
  private readonly order: number[] = [];
  private lastReleasedSlot: number | undefined;
  /** The slot the last frame went to, and its pending snapshot: a stream's frames come in runs of the same slot. */
  private recentSlot = Number.NaN;
  private recentTarget: PendingSnapshot<T> | undefined;

  constructor(options: AlignerOptions) {
    this.options = validateAlignerOptions(options);
  }

  /** PMUs whose absence from a snapshot counts as missing. */
  expect(pmuId: number): boolean {
    if (this.positions.has(pmuId)) return true;
    if (this.positions.size >= this.options.maxPmus) return false;
    this.positions.set(pmuId, this.freePositions.pop() ?? this.nextPosition++);
    invariant(this.nextPosition <= this.options.maxPmus, 'PMU positions within maxPmus');
    this.sortedPositions = undefined;
    // Copy-on-write: a released snapshot never shares an array that changes later; sorted insert keeps startup linear per PMU.
    const next = this.expectedSorted.slice();
    insertSorted(next, pmuId);
    this.expectedSorted = next;
    return true;
  }

  /** Stops expecting a PMU; its frames already pending are withdrawn. */
  forget(pmuId: number, nowMs: number): readonly AlignerEffect<T>[] {
    const position = this.positions.get(pmuId);
    if (position === undefined) return NO_EFFECTS;
    this.positions.delete(pmuId);
    this.freePositions.push(position);
    this.expectedSorted = [...this.positions.keys()].sort((a, b) => a - b);
    this.sortedPositions = undefined;
    for (const p of this.pending.values()) p.clear(position);
    return this.tick(nowMs);
  }

  get expectedPmus(): readonly number[] {
    return this.expectedSorted;
  }

  get pendingSnapshots(): number {
    return this.pending.size;
  }

  /** Whether the snapshot of `slot` has left: a frame for it now is late. */
  isReleased(slot: number): boolean {
    return this.lastReleasedSlot !== undefined && slot <= this.lastReleasedSlot;
  }

  /** The slot a timestamp falls in: the nearest reporting instant. */
  slotOf(soc: number, fraction: number): number {
    const fps = this.options.framesPerSecond;
    return Math.round(soc * fps + fraction * fps);
  }

  /** Offers one PMU frame; returns the snapshots it completed and any late or refused report. */
  offer(frame: TimedFrame<T>, nowMs: number): readonly AlignerEffect<T>[] {
    this.counters.framesOffered += 1;
    const position = this.positions.get(frame.pmuId);
    const refusal = this.refusalOf(frame, position, nowMs);
    if (refusal !== undefined) return [refusal];
    const slot = this.slotOf(frame.soc, frame.fraction);
    if (this.isReleased(slot)) return [this.late(frame, slot)];
    // The common case, a frame for an open slot that releases nothing, allocates nothing.
    let out: AlignerEffect<T>[] | undefined;
    let target = slot === this.recentSlot ? this.recentTarget : this.pending.get(slot);
    if (target === undefined) {
      out = [];
      target = this.open(slot, frame.arrivalMs, nowMs, out);
      if (target === undefined) {
        out.push(this.late(frame, slot));
        return out;
      }
    }
    this.recentSlot = slot;
    this.recentTarget = target;
    // refusalOf returned nothing, so the PMU is expected and has a position.
    const at = position as number;
    if (target.has(at)) {
      out ??= [];
      out.push(this.refuse(frame, 'duplicate', `PMU ${frame.pmuId} already reported slot ${slot}`));
      return out;
    }
    target.set(at, frame.value);
    if (frame.arrivalMs > target.lastArrivalMs) target.lastArrivalMs = frame.arrivalMs;
    this.counters.framesPlaced += 1;
    if (!this.headReady(nowMs)) return out ?? NO_EFFECTS;
    out ??= [];
    this.releaseReady(nowMs, out);
    return out;
  }

  /** Whether the oldest pending snapshot may leave now (complete, or its window passed). */
  private headReady(nowMs: number): boolean {
    if (this.order.length === 0) return false;
    const head = this.pending.get(this.order[0]);
    return head !== undefined && (this.isComplete(head) || nowMs >= head.deadlineMs);
  }

  /** Releases snapshots whose window has passed. Call it at least every few milliseconds. */
  tick(nowMs: number): readonly AlignerEffect<T>[] {
    if (this.order.length === 0) return NO_EFFECTS;
    const out: AlignerEffect<T>[] = [];
    this.releaseReady(nowMs, out);
    return out.length === 0 ? NO_EFFECTS : out;
  }

  /** Releases every pending snapshot (shutdown). */
  flush(nowMs: number): readonly AlignerEffect<T>[] {
    const out: AlignerEffect<T>[] = [];
    while (this.order.length > 0) out.push(this.releaseHead('flush', nowMs));
    return out;
  }

  /** When the oldest pending snapshot's window closes, or undefined when none is pending. */
  nextDeadlineMs(): number | undefined {
    return this.order.length === 0 ? undefined : this.pending.get(this.order[0])?.deadlineMs;
  }

  private refusalOf(
    frame: TimedFrame<T>,
    position: number | undefined,
    nowMs: number,
  ): AlignerEffect<T> | undefined {
    // Peer-supplied times are checked before they reach a slot: a NaN slot would break the release order.
    if (!validTime(frame.soc, frame.fraction)) {
      return this.refuse(
        frame,
        'invalid-time',
        `PMU ${frame.pmuId} frame time SOC ${frame.soc} + ${frame.fraction} is not a time (the fraction of a second must be in [0, 1))`,
      );
    }
    if (position === undefined) {
      return this.refuse(
        frame,
        'unexpected-pmu',
        `PMU ${frame.pmuId} is not expected; register its configuration first`,
      );
    }
    const aheadMs = (frame.soc + frame.fraction) * 1000 - nowMs;
    if (aheadMs > this.options.maxFutureMs) {
      return this.refuse(
        frame,
        'future',
        `PMU ${frame.pmuId} frame is stamped ${Math.round(aheadMs)} ms ahead of this clock (maxFutureMs ${this.options.maxFutureMs})`,
      );
    }
    return undefined;
  }

  /** Opens a slot, first releasing the oldest if the bound is reached; undefined when the slot itself was forced out. */
  private open(
    slot: number,
    arrivalMs: number,
    nowMs: number,
    out: AlignerEffect<T>[],
  ): PendingSnapshot<T> | undefined {
    if (this.order.length >= this.options.maxPendingSnapshots) {
      // The new slot may be older than everything pending; then it is the one that cannot wait.
      if (slot < this.order[0]) return undefined;
      out.push(this.releaseHead('overflow', nowMs));
    }
    const deadlineMs = arrivalMs + this.options.alignWindowMs;
    const p =
      this.spare.pop()?.reopen(slot, arrivalMs, deadlineMs, this.nextPosition) ??
      new PendingSnapshot<T>(slot, arrivalMs, deadlineMs, this.nextPosition);
    this.pending.set(slot, p);
    insertSorted(this.order, slot);
    invariant(
      this.order.length <= this.options.maxPendingSnapshots,
      'pending snapshots within maxPendingSnapshots',
    );
    return p;
  }

  private releaseReady(nowMs: number, out: AlignerEffect<T>[]): void {
    while (this.order.length > 0) {
      const head = this.pending.get(this.order[0]);
      invariant(head !== undefined, 'every ordered slot is pending');
      if (this.isComplete(head)) out.push(this.releaseHead('complete', nowMs));
      else if (nowMs >= head.deadlineMs) out.push(this.releaseHead('window', nowMs));
      else return;
    }
  }

  private isComplete(p: PendingSnapshot<T>): boolean {
    // Values hold only expected PMUs (forget removes withdrawn ones), so counting suffices.
    return p.count >= this.positions.size;
  }

  private releaseHead(reason: ReleaseReason, nowMs: number): AlignerEffect<T> {
    const slot = this.order.shift();
    invariant(slot !== undefined, 'release needs a pending snapshot');
    const p = this.pending.get(slot);
    invariant(p !== undefined, 'ordered slot has its pending snapshot');
    this.pending.delete(slot);
    if (slot === this.recentSlot) this.recentTarget = undefined;
    invariant(
      this.lastReleasedSlot === undefined || slot > this.lastReleasedSlot,
      'snapshots leave in timestamp order',
    );
    const snapshot = this.assemble(p, reason, nowMs);
    if (this.spare.length < this.options.maxPendingSnapshots) this.spare.push(p);
    this.lastReleasedSlot = slot;
    this.count(snapshot);
    return { type: 'snapshot', snapshot };
  }

  private assemble(p: PendingSnapshot<T>, reason: ReleaseReason, nowMs: number): AlignedSnapshot<T> {
    const ids = this.expectedSorted;
    const at = this.orderedPositions();
    const values: T[] = [];
    const missing: number[] = [];
    for (let i = 0; i < ids.length; i += 1) {
      if (p.has(at[i])) values.push(p.get(at[i]));
      else missing.push(ids[i]);
    }
    // expectedSorted is replaced, never changed, when membership changes: a complete snapshot may share it.
    const pmuIds = missing.length === 0 ? ids : ids.filter((_, i) => p.has(at[i]));
    const skipped = this.lastReleasedSlot === undefined ? 0 : p.slot - this.lastReleasedSlot - 1;
    return {
      slot: p.slot,
      timeSec: p.slot / this.options.framesPerSecond,
      pmuIds,
      values,
      missing,
      complete: missing.length === 0,
      reason: missing.length === 0 && reason === 'window' ? 'complete' : reason,
      firstArrivalMs: p.firstArrivalMs,
      lastArrivalMs: p.lastArrivalMs,
      releasedAtMs: nowMs,
      skippedSlotsBefore: skipped,
    };
  }

  /** The positions of the expected PMUs in ascending IDCODE order. */
  private orderedPositions(): Int32Array {
    if (this.sortedPositions === undefined) {
      const positions = this.positions;
      this.sortedPositions = Int32Array.from(this.expectedSorted, (id) => positions.get(id) as number);
    }
    return this.sortedPositions;
  }

  private count(s: AlignedSnapshot<T>): void {
    this.counters.snapshots += 1;
    this.counters.released[s.reason] += 1;
    this.counters.missingFrames += s.missing.length;
    this.counters.skippedSlots += s.skippedSlotsBefore;
  }

  private late(frame: TimedFrame<T>, slot: number): AlignerEffect<T> {
    this.counters.framesLate += 1;
    const ageMs = frame.arrivalMs - (slot / this.options.framesPerSecond) * 1000;
    return { type: 'late', frame, slot, ageMs };
  }

  private refuse(frame: TimedFrame<T>, reason: RefusalReason, message: string): AlignerEffect<T> {
    this.counters.refused[reason] += 1;
    return { type: 'refused', frame, reason, message };
  }
}

function validTime(soc: number, fraction: number): boolean {
  return Number.isFinite(soc) && soc >= 0 && Number.isFinite(fraction) && fraction >= 0 && fraction < 1;
}
