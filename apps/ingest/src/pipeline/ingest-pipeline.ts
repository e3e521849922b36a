import type { AnyConfigFrame, DataFrameView, DataLayout, FrameReject } from '@gridcloud/c37118';
import {
  DataQualityStats,
  DEFAULT_ALIGNER_OPTIONS,
  LatencyHistogram,
  TimeAligner,
  type AlignerEffect,
  type AlignerOptions,
  type PmuQuality,
} from '@gridcloud/pdc';
import { takesLateFrames, type RawDataFrame, type SnapshotSink } from '../sinks/snapshot-sink';
import { AlignmentRate } from './alignment-rate';
import { FrameSample, OfferCursor, SampleRecords, SampleRecordsPool, samplesOf } from './pmu-sample';
import { PmuRegistry, type PmuInfo } from './pmu-registry';
import { addCounts, SourceStats } from './source-stats';

/** PMU IDCODEs per decoded layout, computed once per configuration rather than per frame. */
const pmuIdCache = new WeakMap<DataLayout, Uint16Array>();

function pmuIdsOf(layout: DataLayout): Uint16Array {
  let ids = pmuIdCache.get(layout);
  if (ids === undefined) {
    ids = Uint16Array.from(layout.config.pmus.map((p) => p.idcode));
    pmuIdCache.set(layout, ids);
  }
  return ids;
}

/**
 * What a stream's PMUs resolve to for one source, by their position in its frames: each PMU's binding and quality
 * counters, looked up once per configuration and registry change rather than twice per sample.
 */
interface FrameBinding {
  readonly source: string;
  readonly registryVersion: number;
  readonly infos: readonly (PmuInfo | undefined)[];
  readonly quality: readonly (PmuQuality | undefined)[];
}

/** A released snapshot's records when it has no sample. */
const NO_RECORDS = new Float64Array(0);

/** STAT bits 15-14 of 01 (PMU error, no information) or 11 (do not use): the values are not measurements. */
function unusable(stat: number): boolean {
  return (stat & 0x4000) !== 0;
}

export interface PipelineOptions extends Omit<AlignerOptions, 'framesPerSecond'> {
  /** Pins the alignment rate (--fps); undefined: the DATA_RATE of the first configuration allowed to set it. */
  readonly framesPerSecond?: number;
  /** Most PMUs one source may bind; default `maxPmus`. */
  readonly maxPmusPerSource?: number;
  /** Whose configuration may set the alignment rate: any source's, or only a configured one's (a --tcp target). */
  readonly rateFrom?: 'any' | 'configured';
}

/** Totals over every source, for periodic summaries. */
export interface SourceTotals {
  readonly sources: number;
  readonly rejects: Record<string, number>;
  readonly refused: Record<string, number>;
  readonly connectionErrors: number;
  readonly disconnects: number;
  readonly decimatedFrames: number;
}

/**
 * The ingest core, shared by every source (TCP, UDP, Kafka): configurations
 * bind PMUs to the source that sent them, data frames are split into
 * per-PMU samples and aligned, rejects and refusals are counted per source
 * and per PMU, and released snapshots go to the sink. Nothing a peer sends
 * can stop it: what does not fit is refused and counted against that peer.
 * No sockets here; sources pass their clock in `arrivalMs`.
 */
export class IngestPipeline {
  readonly quality: DataQualityStats;
  readonly registry: PmuRegistry;
  readonly sources = new Map<string, SourceStats>();
  readonly rate: AlignmentRate;
  /** PMUs refused a binding (bound elsewhere, or a bound reached). */
  pmusRefused = 0;
  private alignerNow: TimeAligner<number>;
  /** Release time minus the snapshot's instant, since the last `takeAlignLatency`. */
  private alignLatency = new LatencyHistogram();
  /** Per decoded layout (one per stream configuration and connection); rebuilt when the registry changes. */
  private readonly bindings = new WeakMap<DataLayout, FrameBinding>();
  /** The one object every sample is offered through (see OfferCursor). */
  private readonly cursor = new OfferCursor();
  /** The records of each open slot of the aligner (the same slots), where its samples' values are kept. */
  private readonly slotRecords = new Map<number, SampleRecords>();
  private readonly recordsPool: SampleRecordsPool;
  /** Where a sample for a slot not open is written ahead of its offer; it becomes the slot's if the slot opens. */
  private scratch: SampleRecords;

  constructor(
    private readonly options: PipelineOptions,
    private readonly sink: SnapshotSink,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.rate = new AlignmentRate(options.framesPerSecond);
    // Until a configuration sets the rate no PMU is bound, so this aligner sees no frame before it is replaced.
    this.alignerNow = new TimeAligner<number>({
      ...options,
      framesPerSecond: options.framesPerSecond ?? DEFAULT_ALIGNER_OPTIONS.framesPerSecond,
    });
    this.recordsPool = new SampleRecordsPool(
      (options.maxPendingSnapshots ?? DEFAULT_ALIGNER_OPTIONS.maxPendingSnapshots) + 1,
    );
    this.scratch = this.recordsPool.take();
    this.quality = new DataQualityStats({ maxPmus: options.maxPmus });
    this.registry = new PmuRegistry({
      maxPmus: options.maxPmus,
      maxPmusPerSource: options.maxPmusPerSource ?? options.maxPmus,
    });
  }

  get aligner(): TimeAligner<number> {
    return this.alignerNow;
  }

  source(label: string): SourceStats {
    let s = this.sources.get(label);
    if (s === undefined) {
      s = new SourceStats(label);
      this.sources.set(label, s);
    }
    return s;
  }

  /**
   * A source went away for good (an evicted or long-silent UDP sender): its
   * PMUs are released and its counters fold into one 'retired' entry, so
   * per-source state stays bounded while totals survive.
   */
  retireSource(label: string, nowMs: number): void {
    this.withdraw(this.registry.dropSource(label), nowMs);
    const gone = this.sources.get(label);
    if (gone === undefined) return;
    this.sources.delete(label);
    this.source('retired').absorb(gone);
  }

  /** A configuration from `source`; `configured` when the operator named this source for its stream. */
  onConfig(config: AnyConfigFrame, source: string, nowMs: number, configured = false): void {
    const src = this.source(source);
    src.configs += 1;
    const before = this.rate.framesPerSecond;
    const verdict = this.rate.judge(config.dataRate, configured || this.options.rateFrom !== 'configured');
    if (!verdict.ok) {
      src.refuse('config', `configuration of stream ${config.idcode} refused: ${verdict.message}`);
      this.withdraw(this.registry.withdrawStream(source, config.idcode), nowMs);
      return;
    }
    if (before === undefined)
      this.adoptRate(verdict.framesPerSecond, `stream ${config.idcode} from ${source}`);
    const r = this.registry.apply(config, source, { configured, decimation: verdict.decimation });
    for (const id of r.added) this.aligner.expect(id);
    for (const p of r.refused) src.refuse('pmu', p.message);
    this.pmusRefused += r.refused.length;
    this.withdraw(r.removed, nowMs);
    if (r.changed) this.log(`${source}: configuration of stream ${config.idcode} changed (CFGCNT)`);
  }

  /**
   * A decoded data frame; the view is reused by the decoder, so each usable sample's values are copied into its
   * slot's records, written ahead of its offer and kept only if the aligner places it.
   */
  onData(view: DataFrameView, source: string, arrivalMs: number): void {
    const src = this.source(source);
    src.dataFrames += 1;
    const layout = view.layout;
    const fraction = view.fracsec / layout.timeBase;
    this.sink.publishFrame?.(rawFrameOf(view, arrivalMs));
    const offInstant = this.offInstant(view.soc, fraction);
    const ids = pmuIdsOf(layout);
    const binding = this.bindingOf(layout, ids, source);
    const slot = this.aligner.slotOf(view.soc, fraction);
    let records = this.recordsOf(slot);
    // A frame behind the released slots is late for every PMU: its values are copied only for a late sink, so a
    // backlog costs less per sample than live data and drains.
    const keepLate = takesLateFrames(this.sink);
    let copy = keepLate || !this.aligner.isReleased(slot);
    let decimated = false;
    const latencyMs = arrivalMs - view.time * 1000;
    for (let p = 0; p < layout.numPmu; p += 1) {
      const info = binding.infos[p];
      if (info === undefined) {
        src.refuse('unbound-sample');
        continue;
      }
      if (info.decimation > 1 && offInstant > 0.5 / info.decimation) {
        decimated = true;
        continue;
      }
      const stat = view.stat[p];
      const quality = binding.quality[p];
      if (quality !== undefined) quality.recordFrame(latencyMs, view.timeQualityCode, stat, arrivalMs);
      else this.quality.recordFrame(ids[p], latencyMs, view.timeQualityCode, stat, arrivalMs);
      if (unusable(stat)) continue;
      const at = copy ? records.write(view, p, arrivalMs) : 0;
      const placedBefore = this.aligner.counters.framesPlaced;
      const effects = this.aligner.offer(
        this.cursor.at(at, ids[p], view.soc, fraction, arrivalMs),
        arrivalMs,
      );
      if (this.aligner.counters.framesPlaced !== placedBefore) {
        // Placed in a slot it opened: the records written ahead become that slot's.
        if (records === this.scratch) {
          this.slotRecords.set(slot, records);
          this.scratch = this.recordsPool.take();
        }
        records.commit();
      }
      if (effects.length === 0) continue;
      this.apply(effects, src, copy ? records : undefined);
      // A release may have closed this frame's slot: its later samples are late.
      records = this.recordsOf(slot);
      copy = keepLate || !this.aligner.isReleased(slot);
    }
    if (decimated) src.decimatedFrames += 1;
  }

  onReject(reject: FrameReject, source: string): void {
    this.source(source).reject(reject);
    // The IDCODE of a rejected frame may be garbage: it counts against a PMU only if that PMU is this source's.
    const id = reject.idcode;
    this.quality.recordReject(
      id !== undefined && this.registry.get(id)?.source === source ? id : undefined,
      reject.reason,
    );
  }

  /** Totals over every source (retired ones included). */
  totals(): SourceTotals {
    const rejects: Record<string, number> = {};
    const refused: Record<string, number> = {};
    let connectionErrors = 0;
    let disconnects = 0;
    let decimatedFrames = 0;
    for (const s of this.sources.values()) {
      addCounts(rejects, s.rejects);
      addCounts(refused, s.refused);
      connectionErrors += s.connectionErrors;
      disconnects += s.disconnects;
      decimatedFrames += s.decimatedFrames;
    }
    return { sources: this.sources.size, rejects, refused, connectionErrors, disconnects, decimatedFrames };
  }

  /** The alignment-latency histogram of the interval that ends now; a new interval begins. */
  takeAlignLatency(): LatencyHistogram {
    const h = this.alignLatency;
    this.alignLatency = new LatencyHistogram();
    return h;
  }

  tick(nowMs: number): void {
    this.apply(this.aligner.tick(nowMs));
  }

  flush(nowMs: number): void {
    this.apply(this.aligner.flush(nowMs));
  }

  /** The records of an open slot, or the scratch records for any other. */
  private recordsOf(slot: number): SampleRecords {
    return this.slotRecords.get(slot) ?? this.scratch;
  }

  /** The stream's PMUs as bound now: a PMU bound to another source (or to none) has no entry. */
  private bindingOf(layout: DataLayout, ids: Uint16Array, source: string): FrameBinding {
    const cached = this.bindings.get(layout);
    if (cached !== undefined && cached.source === source && cached.registryVersion === this.registry.version)
      return cached;
    const infos = Array.from(ids, (id) => {
      const info = this.registry.get(id);
      return info !== undefined && info.source === source ? info : undefined;
    });
    const quality = Array.from(ids, (id, p) =>
      infos[p] === undefined ? undefined : this.quality.tracker(id),
    );
    const binding = { source, registryVersion: this.registry.version, infos, quality };
    this.bindings.set(layout, binding);
    return binding;
  }

  /** How far a frame's time is from the nearest alignment instant, in alignment periods (0 to 0.5). */
  private offInstant(soc: number, fraction: number): number {
    const x = (soc + fraction) * this.aligner.options.framesPerSecond;
    return Math.abs(x - Math.round(x));
  }

  private adoptRate(framesPerSecond: number, from: string): void {
    if (framesPerSecond !== this.alignerNow.options.framesPerSecond) {
      // Nothing was bound before the rate was known, so nothing was offered: the new aligner loses nothing.
      if (this.alignerNow.counters.framesOffered !== 0)
        throw new Error('invariant: the alignment rate changed after frames were aligned');
      this.alignerNow = new TimeAligner<number>({ ...this.options, framesPerSecond });
    }
    this.log(`alignment rate ${framesPerSecond} frames/s, from the configuration of ${from}`);
  }

  private withdraw(ids: readonly number[], nowMs: number): void {
    for (const id of ids) this.apply(this.aligner.forget(id, nowMs));
  }

  /**
   * The aligner's effects, handled at once: a late or refused one names the reused cursor, whose record is in
   * `written` (the records the sample was written into ahead of its offer).
   */
  private apply(effects: readonly AlignerEffect<number>[], src?: SourceStats, written?: SampleRecords): void {
    for (const e of effects) {
      if (e.type === 'snapshot') {
        const s = e.snapshot;
        for (const id of s.missing) this.quality.recordMissing(id);
        this.alignLatency.record(s.releasedAtMs - s.timeSec * 1000);
        const records = this.slotRecords.get(s.slot);
        const copy = records === undefined ? NO_RECORDS : records.copy();
        if (records !== undefined) {
          this.slotRecords.delete(s.slot);
          this.recordsPool.give(records);
        }
        this.sink.publish(samplesOf(s, copy));
      } else if (e.type === 'late') {
        this.quality.recordLate(e.frame.pmuId);
        if (written !== undefined && takesLateFrames(this.sink)) {
          const sample = new FrameSample(written.copyRecord(e.frame.value), 0, e.frame.pmuId);
          this.sink.publishLate?.({ sample, slot: e.slot, ageMs: e.ageMs });
        }
      } else if (e.reason === 'duplicate') {
        this.quality.recordDuplicate(e.frame.pmuId);
      } else {
        this.quality.recordReject(e.frame.pmuId, e.reason);
        src?.refuse(e.reason === 'unexpected-pmu' ? 'unbound-sample' : e.reason, e.message);
      }
    }
  }
}

/** The frame's bytes and time, for the sinks that archive raw frames. */
function rawFrameOf(view: DataFrameView, arrivalMs: number): RawDataFrame {
  const fractionNs = (BigInt(view.fracsec) * 1_000_000_000n) / BigInt(view.layout.timeBase);
  return {
    streamIdcode: view.idcode,
    timeNs: BigInt(view.soc) * 1_000_000_000n + fractionNs,
    bytes: view.frameBytes(),
    arrivalMs,
  };
}
