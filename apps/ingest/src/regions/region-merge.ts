import {
  LatencyHistogram,
  newAlignerCounters,
  SnapshotMerger,
  type AlignerCounters,
  type MergerEffect,
} from '@gridcloud/pdc';
import type { IHeaders } from 'kafkajs';
import { mergedSnapshot } from '../shards/merged-snapshot';
import type { PartialSnapshot } from '../shards/partial-snapshot';
import type { Snapshot } from '../sinks/snapshot-sink';
import { RegionCatalogs } from './region-catalogs';
import { decodeRegionRecord, partitionOfSlot, REGION_NAME, type RegionRecordReason } from './region-record';

export interface RegionMergeOptions {
  /** Every region a merged slot needs to be complete, from configuration (see the README for why not from arrivals). */
  readonly regions: readonly string[];
  /** How long a slot waits for the regions still absent after its first region arrived. */
  readonly regionDeadlineMs: number;
  /** Most slots held open at once; one more releases the oldest early ('overflow'). */
  readonly maxPendingRegionSlots: number;
  /** PMUs described over every region's catalog at most. */
  readonly maxPmus: number;
}

/** Slots a region was absent from, consecutively, as released: from the first to the last, both included. */
export interface RegionGap {
  readonly region: string;
  readonly fromSlot: number;
  readonly toSlot: number;
  readonly slots: number;
  readonly fromTimeSec: number;
  readonly toTimeSec: number;
}

export type RefusedRecordReason =
  RegionRecordReason | 'unknown-region' | 'duplicate' | 'rate-mismatch' | 'catalog-over-max-pmus';

export type RegionMergeEffect =
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  /** A region's part of a slot already released: never merged (it would double the slot), counted late. */
  | { readonly type: 'late'; readonly region: string; readonly slot: number; readonly latenessMs: number }
  /** A region delivered again after being absent from released slots: the gap it left. */
  | { readonly type: 'gap'; readonly gap: RegionGap }
  | { readonly type: 'refused'; readonly reason: RefusedRecordReason; readonly message: string };

interface OpenGap {
  readonly fromSlot: number;
  readonly fromTimeSec: number;
  toSlot: number;
  toTimeSec: number;
  slots: number;
}

/** Partitions this merger was given after its start, and the slots of theirs it merges apart (see `assign`). */
interface Takeover {
  readonly merger: SnapshotMerger<PartialSnapshot>;
  /** Per partition taken over: the last slot the main merger had released when it came; its slots up to it. */
  readonly upTo: Map<number, number>;
}

/** How the merger hands slots over when the consumer group reassigns partitions. */
export interface HandOverCounters {
  /** Slots merged apart from partitions taken over, older than what this merger had released. */
  takenOverSlots: number;
  /** Open slots dropped because their partition went to another merger (which reads their records again). */
  abandonedSlots: number;
}

/** What a new assignment changed: partitions taken over (their slots up to `upToSlot` merged apart), slots dropped. */
export interface Reassignment {
  readonly takenOver: readonly number[];
  readonly upToSlot: number | null;
  readonly abandoned: number;
}

/** Closed gaps kept for the report, newest last. */
const MAX_REPORTED_GAPS = 64;
/** Two regions' rates (slot / time) agree to this relative difference. */
const RATE_TOLERANCE = 1e-9;
const NO_EFFECTS: readonly never[] = [];

/**
 * The super-PDC's decisions: region records in (as Kafka delivers them), merged snapshots, late parts, gaps and
 * refusals out. Slots merge with libs/pdc's SnapshotMerger, one part per configured region: complete when every
 * region delivered the slot, released `regionDeadlineMs` after its first region otherwise, the PMUs of an absent
 * region named as missing; a region's copy of a slot already out is late and a second copy of an open slot a
 * duplicate, so no slot is doubled and no PMU listed twice. Pure: no I/O, no timers, time passed in.
 */
export class RegionMerge {
  readonly merger: SnapshotMerger<PartialSnapshot>;
  readonly catalogs: RegionCatalogs;
  readonly refused: Partial<Record<RefusedRecordReason, number>> = {};
  lastRefusal: string | undefined;
  readonly gaps: RegionGap[] = [];
  private readonly counters = newAlignerCounters();
  private readonly pmusOf = new Map<string, readonly number[]>();
  private readonly openGaps = new Map<string, OpenGap>();
  private framesPerSecond: number | undefined;
  /** The region topic's partitions this merger owns, of how many; undefined: not known yet, every slot may come. */
  private assignment: { readonly owned: ReadonlySet<number>; readonly partitions: number } | undefined;
  private takeover: Takeover | undefined;
  readonly handOver: HandOverCounters = { takenOverSlots: 0, abandonedSlots: 0 };
  private alignLatency = new LatencyHistogram();

  constructor(readonly options: RegionMergeOptions) {
    const bad = options.regions.find((r) => !REGION_NAME.test(r));
    if (bad !== undefined || options.regions.length === 0)
      throw new RangeError(`regions must be 1-64 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(bad ?? '')}`);
    if (new Set(options.regions).size !== options.regions.length)
      throw new RangeError(`regions must be distinct, got ${options.regions.join(',')}`);
    // Slots come through several partitions: a later one may complete before an earlier one opened.
    this.merger = this.newMerger((slot) => this.owns(slot));
    this.catalogs = new RegionCatalogs(options.maxPmus);
  }

  /** One record of the region topics, as it arrived at `nowMs`. */
  receive(headers: IHeaders | undefined, value: Buffer | null, nowMs: number): readonly RegionMergeEffect[] {
    const r = decodeRegionRecord(headers, value);
    if (r.kind === 'refused') return [this.refuse(r.reason, r.message)];
    if (!this.merger.expectedParts.includes(r.region))
      return [this.refuse('unknown-region', `region ${r.region} is not one of --merge-regions`)];
    if (r.kind === 'catalog') {
      const error = this.catalogs.accept(r.region, r.catalog);
      return error === undefined ? NO_EFFECTS : [this.refuse('catalog-over-max-pmus', error)];
    }
    const p = r.partial;
    const rateError = this.checkRate(r.region, p);
    if (rateError !== undefined) return [this.refuse('rate-mismatch', rateError)];
    this.pmusOf.set(r.region, [...p.idcodes, ...p.missing]);
    this.counters.framesOffered += p.pmuCount;
    const offer = { part: r.region, slot: p.slot, timeSec: p.timeSec, value: p };
    const t = this.takeover;
    if (t !== undefined && this.takenOver(p.slot)) return this.apply(t.merger.offer(offer, nowMs), true);
    return this.apply(this.merger.offer(offer, nowMs), false);
  }

  /**
   * The consumer group gave this merger these partitions of the region topic's `partitions`: a slot in another
   * merger's partition is not waited for. Open slots of a partition that went away are dropped unreleased: their
   * records were not committed (see the consumer), so the partition's new owner reads and merges them again.
   * A partition that came after the start resumes from the offset its last owner committed, with slots older than
   * those this merger already released: those are merged apart, in order, by a second merger, not refused as late.
   */
  assign(owned: readonly number[], partitions: number): Reassignment {
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError(`partitions must be positive, got ${partitions}`);
    const before = this.assignment;
    this.assignment = { owned: new Set(owned), partitions };
    const gone = (slot: number) => !this.owns(slot);
    const abandoned = this.merger.abandon(gone) + (this.takeover?.merger.abandon(gone) ?? 0);
    this.handOver.abandonedSlots += abandoned;
    const upTo = this.merger.lastReleased;
    if (before === undefined || upTo === undefined || before.partitions !== partitions)
      return { takenOver: [], upToSlot: null, abandoned };
    // A takeover still merging keeps its merger (its order goes on); an idle one starts afresh for the new backlog.
    const kept =
      this.takeover !== undefined && this.takeover.merger.pendingSnapshots > 0 ? this.takeover : undefined;
    const t: Takeover = kept ?? {
      merger: this.newMerger(
        (slot) => this.takenOver(slot),
        () => true,
      ),
      upTo: new Map(),
    };
    for (const partition of [...t.upTo.keys()])
      if (!this.assignment.owned.has(partition)) t.upTo.delete(partition);
    const takenOver = owned.filter((partition) => !before.owned.has(partition));
    for (const partition of takenOver) t.upTo.set(partition, upTo);
    this.takeover = t.upTo.size > 0 || t.merger.pendingSnapshots > 0 ? t : undefined;
    return { takenOver, upToSlot: takenOver.length > 0 ? upTo : null, abandoned };
  }

  /** Whether this merger holds `slot` open (its records are not done with). */
  holds(slot: number): boolean {
    return this.merger.holds(slot) || (this.takeover?.merger.holds(slot) ?? false);
  }

  /** Whether this merger will see `slot`: its record key's partition is one it owns. */
  private owns(slot: number): boolean {
    const a = this.assignment;
    return a === undefined || a.owned.has(partitionOfSlot(slot, a.partitions));
  }

  /** Whether `slot` belongs to a partition taken over and is not newer than what this merger had released then. */
  private takenOver(slot: number): boolean {
    const a = this.assignment;
    const upTo = a === undefined ? undefined : this.takeover?.upTo.get(partitionOfSlot(slot, a.partitions));
    return upTo !== undefined && slot <= upTo;
  }

  /** Releases slots whose deadline passed. */
  tick(nowMs: number): readonly RegionMergeEffect[] {
    return this.releaseBoth((m) => m.tick(nowMs));
  }

  /** Releases every open slot (shutdown). */
  flush(nowMs: number): readonly RegionMergeEffect[] {
    return this.releaseBoth((m) => m.flush(nowMs));
  }

  /** The takeover's releases (older slots) first, then the main merger's. */
  private releaseBoth(
    release: (m: SnapshotMerger<PartialSnapshot>) => readonly MergerEffect<PartialSnapshot>[],
  ): readonly RegionMergeEffect[] {
    const t = this.takeover;
    const taken = t === undefined ? NO_EFFECTS : this.apply(release(t.merger), true);
    const own = this.apply(release(this.merger), false);
    return taken.length === 0 ? own : [...taken, ...own];
  }

  private newMerger(
    expectsSlot: (slot: number) => boolean,
    readsBacklogs = () => this.assignment !== undefined,
  ): SnapshotMerger<PartialSnapshot> {
    const merger = new SnapshotMerger<PartialSnapshot>({
      mergeWindowMs: this.options.regionDeadlineMs,
      maxPendingSnapshots: this.options.maxPendingRegionSlots,
      maxParts: this.options.regions.length,
      expectsSlot,
      readsBacklogs,
    });
    for (const r of this.options.regions) merger.expectPart(r);
    return merger;
  }

  /** Merged snapshots counted as the aligner counts snapshots; frames are the regions' samples. */
  get alignerCounters(): AlignerCounters {
    return this.counters;
  }

  /** Release minus slot instant of the merged snapshots since the last call. */
  takeAlignLatency(): LatencyHistogram {
    const h = this.alignLatency;
    this.alignLatency = new LatencyHistogram();
    return h;
  }

  /** Per region: PMUs, parts received, late and absent, lateness at the merger, the gap still open. */
  regionReport(): Record<string, unknown>[] {
    return this.options.regions.map((region) => {
      const c = this.merger.countersOf(region);
      const open = this.openGaps.get(region);
      return {
        region,
        pmus: this.pmusOf.get(region)?.length ?? 0,
        parts: c?.received ?? 0,
        lateParts: c?.late ?? 0,
        absentFromSlots: c?.absent ?? 0,
        latenessP50Ms: c?.latenessMs.quantileMs(0.5) ?? 0,
        latenessP99Ms: c?.latenessMs.quantileMs(0.99) ?? 0,
        openGap: open === undefined ? null : { fromSlot: open.fromSlot, slots: open.slots },
      };
    });
  }

  private checkRate(region: string, p: PartialSnapshot): string | undefined {
    const fps = p.slot / p.timeSec;
    this.framesPerSecond ??= fps;
    if (Math.abs(fps - this.framesPerSecond) <= RATE_TOLERANCE * this.framesPerSecond) return undefined;
    return `region ${region} aligns at ${fps} frames/s, the others at ${this.framesPerSecond}: slots would not match`;
  }

  private apply(
    effects: readonly MergerEffect<PartialSnapshot>[],
    takenOver: boolean,
  ): readonly RegionMergeEffect[] {
    if (effects.length === 0) return NO_EFFECTS;
    const out: RegionMergeEffect[] = [];
    for (const e of effects) {
      if (e.type === 'merged') this.release(e.merged, out, takenOver);
      else if (e.type === 'late-part') {
        this.counters.framesLate += e.offer.value.pmuCount;
        out.push({ type: 'late', region: e.offer.part, slot: e.offer.slot, latenessMs: e.latenessMs });
      } else out.push(this.refuse(e.reason === 'duplicate' ? 'duplicate' : 'unknown-region', e.message));
    }
    return out;
  }

  private release(
    m: Parameters<typeof mergedSnapshot>[0],
    out: RegionMergeEffect[],
    takenOver: boolean,
  ): void {
    const s = mergedSnapshot(m, (region) => this.pmusOf.get(region) ?? []);
    this.counters.snapshots += 1;
    this.counters.released[s.reason] += 1;
    this.counters.missingFrames += s.missing.length;
    this.counters.skippedSlots += s.skippedSlotsBefore;
    this.counters.framesPlaced += s.pmuIds.length;
    this.alignLatency.record(s.releasedAtMs - s.timeSec * 1000);
    // Gaps are told in slot order; a slot taken over is older than the ones they were told over.
    if (takenOver) this.handOver.takenOverSlots += 1;
    else {
      for (const region of m.absentParts) this.widenGap(region, m.slot, m.timeSec);
      for (const part of m.parts) this.closeGap(part.part, out);
    }
    out.push({ type: 'snapshot', snapshot: s });
  }

  private widenGap(region: string, slot: number, timeSec: number): void {
    const open = this.openGaps.get(region);
    if (open === undefined)
      this.openGaps.set(region, {
        fromSlot: slot,
        fromTimeSec: timeSec,
        toSlot: slot,
        toTimeSec: timeSec,
        slots: 1,
      });
    else {
      open.slots += 1;
      open.toSlot = slot;
      open.toTimeSec = timeSec;
    }
  }

  private closeGap(region: string, out: RegionMergeEffect[]): void {
    const open = this.openGaps.get(region);
    if (open === undefined) return;
    this.openGaps.delete(region);
    const gap: RegionGap = { region, ...open };
    if (this.gaps.length >= MAX_REPORTED_GAPS) this.gaps.shift();
    this.gaps.push(gap);
    out.push({ type: 'gap', gap });
  }

  private refuse(reason: RefusedRecordReason, message: string): RegionMergeEffect {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    this.lastRefusal = message;
    return { type: 'refused', reason, message };
  }
}
