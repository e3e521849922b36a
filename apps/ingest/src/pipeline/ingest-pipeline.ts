import type { AnyConfigFrame, DataFrameView, DataLayout, FrameReject } from '@gridcloud/c37118';
import { DataQualityStats, LatencyHistogram, TimeAligner, type AlignerEffect, type AlignerOptions } from '@gridcloud/pdc';
import type { SnapshotSink } from '../sinks/snapshot-sink';
import type { PmuSample } from './pmu-sample';
import { PmuRegistry } from './pmu-registry';
import { SourceStats } from './source-stats';

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

/** STAT bits 15-14 of 01 (PMU error, no information) or 11 (do not use): the values are not measurements. */
function unusable(stat: number): boolean {
  return (stat & 0x4000) !== 0;
}

/**
 * The ingest core, shared by every source (TCP, UDP, Kafka): configurations
 * register PMUs, data frames are split into per-PMU samples and aligned,
 * rejects are counted per source and per PMU, and released snapshots go to
 * the sink. No sockets here; sources pass their clock in `arrivalMs`.
 */
export class IngestPipeline {
  readonly aligner: TimeAligner<PmuSample>;
  readonly quality: DataQualityStats;
  readonly registry = new PmuRegistry();
  readonly sources = new Map<string, SourceStats>();
  /** PMUs refused because `maxPmus` was reached. */
  pmusRefused = 0;
  /** Release time minus the snapshot's instant, since the last `takeAlignLatency`. */
  private alignLatency = new LatencyHistogram();

  constructor(
    aligner: AlignerOptions,
    private readonly sink: SnapshotSink,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.aligner = new TimeAligner<PmuSample>(aligner);
    this.quality = new DataQualityStats({ maxPmus: aligner.maxPmus });
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
   * Folds a source that went away for good (an evicted UDP sender) into one
   * 'retired' entry, so per-source counters stay bounded while totals survive.
   */
  retireSource(label: string): void {
    const gone = this.sources.get(label);
    if (gone === undefined) return;
    this.sources.delete(label);
    this.source('retired').absorb(gone);
  }

  onConfig(config: AnyConfigFrame, source: string, nowMs: number): void {
    const src = this.source(source);
    src.configs += 1;
    const { added, removed, changed } = this.registry.apply(config, source);
    for (const id of added) {
      if (!this.aligner.expect(id)) {
        this.pmusRefused += 1;
        src.error(`PMU ${id} not aligned: maxPmus ${this.aligner.options.maxPmus} reached`);
      }
    }
    for (const id of removed) this.apply(this.aligner.forget(id, nowMs));
    if (changed) this.log(`${source}: configuration of stream ${config.idcode} changed (CFGCNT)`);
  }

  /** A decoded data frame; the view is reused by the decoder, so values are copied here. */
  onData(view: DataFrameView, source: string, arrivalMs: number): void {
    const src = this.source(source);
    src.dataFrames += 1;
    const layout = view.layout;
    const latencyMs = arrivalMs - view.time * 1000;
    const fraction = view.fracsec / layout.timeBase;
    const tq = view.timeQualityCode;
    const ids = pmuIdsOf(layout);
    // One copy of the frame's phasors; each PMU's sample views its own range of it.
    const phasors = view.phasors.slice();
    for (let p = 0; p < layout.numPmu; p += 1) {
      const idcode = ids[p];
      const stat = view.stat[p];
      this.quality.recordFrame(idcode, latencyMs, tq, stat, arrivalMs);
      if (unusable(stat)) continue;
      const sample: PmuSample = {
        idcode,
        streamIdcode: view.idcode,
        soc: view.soc,
        fracsec: view.fracsec,
        stat,
        timeQuality: tq,
        freqHz: view.freq[p],
        rocofHzPerS: view.dfreq[p],
        phasors: phasors.subarray(2 * layout.phasorStart[p], 2 * layout.phasorStart[p + 1]),
        arrivalMs,
      };
      this.apply(this.aligner.offer({ pmuId: idcode, soc: view.soc, fraction, arrivalMs, value: sample }, arrivalMs));
    }
  }

  onReject(reject: FrameReject, source: string): void {
    this.source(source).reject(reject);
    this.quality.recordReject(reject.idcode, reject.reason);
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

  private apply(effects: readonly AlignerEffect<PmuSample>[]): void {
    for (const e of effects) {
      if (e.type === 'snapshot') {
        for (const id of e.snapshot.missing) this.quality.recordMissing(id);
        this.alignLatency.record(e.snapshot.releasedAtMs - e.snapshot.timeSec * 1000);
        this.sink.publish(e.snapshot);
      } else if (e.type === 'late') {
        this.quality.recordLate(e.frame.pmuId);
        this.sink.publishLate?.({ sample: e.frame.value, slot: e.slot, ageMs: e.ageMs });
      }
      else if (e.reason === 'duplicate') this.quality.recordDuplicate(e.frame.pmuId);
      else this.quality.recordReject(e.frame.pmuId, e.reason);
    }
  }
}
