import { Worker } from 'node:worker_threads';
import {
  LatencyHistogram,
  newAlignerCounters,
  SnapshotMerger,
  type AlignerCounters,
  type MergerEffect,
  type QualityReport,
} from '@gridcloud/pdc';
import type { IngestOptions } from '../config/ingest-options';
import { addCounts } from '../pipeline/source-stats';
import type { SourceTotals } from '../pipeline/ingest-pipeline';
import type { PmuInfo } from '../pipeline/pmu-registry';
import type { PmuDescriptions } from '../sinks/pmu-catalog-tracker';
import type { SnapshotSink } from '../sinks/snapshot-sink';
import { mergedSnapshot } from './merged-snapshot';
import { PartialSnapshot } from './partial-snapshot';
import type { ShardInit, ShardMessage, ShardStatus } from './shard-messages';

const STATUS_INTERVAL_MS = 250;
/** How long stop waits for a shard's last counters before it is terminated. */
const STOP_TIMEOUT_MS = 5000;

interface Shard {
  readonly name: string;
  readonly worker: Worker;
  expected: readonly number[];
  registry: readonly PmuInfo[];
  status: ShardStatus | undefined;
  quality: QualityReport | undefined;
  sources: readonly (readonly [number, string])[];
  final: Extract<ShardMessage, { type: 'stopped' }> | undefined;
  readonly exited: Promise<void>;
}

/**
 * The --tcp targets spread over `workers` threads (target i on shard i mod
 * workers), each decoding and aligning its own PMUs; this thread merges the
 * shards' partial snapshots by slot (libs/pdc SnapshotMerger, window
 * `alignWindowMs`) and hands merged snapshots to the sinks. Partial snapshots
 * arrive as transferred buffers; each shard keeps at most `maxShardQueue` of
 * them waiting here and counts what it drops.
 */
export class ShardPool implements PmuDescriptions {
  readonly merger: SnapshotMerger<PartialSnapshot>;
  /** Merged-snapshot counters in the aligner's shape (frame counts summed from the shards). */
  private readonly merged: AlignerCounters = newAlignerCounters();
  private readonly inits: ShardInit[];
  private shards: Shard[] = [];
  private readonly inFlight: Int32Array;
  private alignLatency = new LatencyHistogram();
  private ticker: NodeJS.Timeout | undefined;
  private readonly byId = new Map<number, PmuInfo>();
  private registryDirty = true;
  latePartSamples = 0;

  constructor(
    private readonly options: IngestOptions,
    private readonly sink: SnapshotSink,
    private readonly log: (line: string) => void,
    qualityIntervalMs: number,
    /** Whether any sink takes late frames (shards send none otherwise). */
    private readonly wantsLate: boolean,
  ) {
    const n = options.workers;
    this.merger = new SnapshotMerger({
      mergeWindowMs: options.aligner.alignWindowMs,
      maxPendingSnapshots: options.aligner.maxPendingSnapshots,
      maxParts: n,
    });
    const shared = new SharedArrayBuffer(4 * n);
    this.inFlight = new Int32Array(shared);
    const qualityEvery =
      qualityIntervalMs > 0 ? Math.max(1, Math.round(qualityIntervalMs / STATUS_INTERVAL_MS)) : 0;
    this.inits = Array.from({ length: n }, (_, shard) => ({
      shard,
      targets: options.tcpTargets.filter((_, i) => i % n === shard),
      options,
      inFlight: shared,
      statusIntervalMs: STATUS_INTERVAL_MS,
      qualityEvery,
      wantsLate,
    }));
  }

  /** Starts one worker per shard; each connects to its targets at once. */
  start(): void {
    this.shards = this.inits.map((init) => this.spawn(`shard-${init.shard}`, init));
    this.ticker = setInterval(() => this.apply(this.merger.tick(Date.now())), this.options.tickIntervalMs);
  }

  /** Stops every shard, waits for its last counters, and flushes what is still being merged. */
  async stop(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    await Promise.all(this.shards.map((s) => this.stopShard(s)));
    this.apply(this.merger.flush(Date.now()));
  }

  /** The alignment-latency histogram (merged release minus the slot's instant) of the interval ending now. */
  takeAlignLatency(): LatencyHistogram {
    const h = this.alignLatency;
    this.alignLatency = new LatencyHistogram();
    return h;
  }

  /** Merged snapshots counted as the aligner counts snapshots; frames offered, placed, late and refused summed over the shards. */
  get counters(): AlignerCounters {
    const c = { ...this.merged, refused: newAlignerCounters().refused };
    for (const s of this.shards) {
      const a = s.status?.aligner;
      if (a === undefined) continue;
      c.framesOffered += a.framesOffered;
      c.framesPlaced += a.framesPlaced;
      c.framesLate += a.framesLate;
      addCounts(c.refused, a.refused);
    }
    return c;
  }

  get expectedPmus(): number {
    return this.shards.reduce((n, s) => n + s.expected.length, 0);
  }

  get pendingSnapshots(): number {
    return this.merger.pendingSnapshots;
  }

  /** Totals over every shard's sources. */
  totals(): SourceTotals & { pmusRefused: number; droppedSnapshots: number; droppedSamples: number } {
    const rejects: Record<string, number> = {};
    const refused: Record<string, number> = {};
    const t = { sources: 0, connectionErrors: 0, disconnects: 0, decimatedFrames: 0 };
    let pmusRefused = 0;
    let droppedSnapshots = 0;
    let droppedSamples = 0;
    for (const s of this.shards) {
      const st = s.status;
      if (st === undefined) continue;
      addCounts(rejects, st.totals.rejects);
      addCounts(refused, st.totals.refused);
      t.sources += st.totals.sources;
      t.connectionErrors += st.totals.connectionErrors;
      t.disconnects += st.totals.disconnects;
      t.decimatedFrames += st.totals.decimatedFrames;
      pmusRefused += st.pmusRefused;
      droppedSnapshots += st.droppedSnapshots;
      droppedSamples += st.droppedSamples;
    }
    return { ...t, rejects, refused, pmusRefused, droppedSnapshots, droppedSamples };
  }

  /** Per shard: its PMUs and, from the merger, how late its partial snapshots came. */
  shardReport(): Record<string, unknown>[] {
    return this.shards.map((s) => {
      const c = this.merger.countersOf(s.name);
      return {
        shard: s.name,
        pmus: s.expected.length,
        partials: c?.received ?? 0,
        latePartials: c?.late ?? 0,
        absentFromSnapshots: c?.absent ?? 0,
        latenessP99Ms: c?.latenessMs.quantileMs(0.99) ?? 0,
        droppedSnapshots: s.status?.droppedSnapshots ?? 0,
      };
    });
  }

  /** Every source's full counters, once the shards stopped (empty before). */
  sourcesReport(): Record<string, unknown>[] {
    return this.shards.flatMap((s) => s.final?.sources ?? []);
  }

  /** Per-PMU quality over every shard: the latest report each sent. */
  quality(): QualityReport {
    const pmus = this.shards.flatMap((s) => (s.final?.quality ?? s.quality)?.pmus ?? []);
    const unattributed: Record<string, number> = {};
    for (const s of this.shards)
      addCounts(unattributed, (s.final?.quality ?? s.quality)?.unattributedRejects ?? {});
    return { pmus: pmus.sort((a, b) => a.pmuId - b.pmuId), unattributedRejects: unattributed };
  }

  sourceOf(pmuId: number): string | undefined {
    return this.get(pmuId)?.source;
  }

  get size(): number {
    this.refreshRegistry();
    return this.byId.size;
  }

  get(idcode: number): PmuInfo | undefined {
    this.refreshRegistry();
    return this.byId.get(idcode);
  }

  all(): PmuInfo[] {
    this.refreshRegistry();
    return [...this.byId.values()].sort((a, b) => a.idcode - b.idcode);
  }

  private refreshRegistry(): void {
    if (!this.registryDirty) return;
    this.registryDirty = false;
    this.byId.clear();
    for (const s of this.shards) for (const p of s.registry) this.byId.set(p.idcode, p);
  }

  private spawn(name: string, init: ShardInit): Shard {
    const [source, how] = shardWorkerSource();
    const worker = new Worker(source, { ...how, workerData: { role: 'ingest-shard', init } });
    const shard: Shard = {
      name,
      worker,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
      expected: [],
      registry: [],
      status: undefined,
      quality: undefined,
      sources: [],
      final: undefined,
    };
    worker.on('message', (m: ShardMessage) => this.receive(shard, init.shard, m));
    worker.on('error', (error) => this.log(`${name}: ${error.message}`));
    return shard;
  }

  private receive(shard: Shard, index: number, m: ShardMessage): void {
    switch (m.type) {
      case 'partial':
        Atomics.sub(this.inFlight, index, 1);
        return this.offer(shard, new PartialSnapshot(m.buffer));
      case 'late':
        return this.publishLate(new PartialSnapshot(m.buffer), m.slots, m.ages);
      case 'status':
        shard.status = m.status;
        return;
      case 'expected':
        return this.setExpected(shard, m.pmus);
      case 'registry':
        shard.registry = m.pmus;
        this.registryDirty = true;
        return;
      case 'quality':
        shard.quality = m.report;
        shard.sources = m.sources;
        return;
      case 'log':
        return this.log(`${shard.name}: ${m.line}`);
      case 'stopped':
        shard.status = m.status;
        shard.final = m;
        return;
    }
  }

  private setExpected(shard: Shard, pmus: readonly number[]): void {
    shard.expected = pmus;
    // A shard with no PMU sends no partial snapshot: waiting for it would hold every slot for the window.
    if (pmus.length > 0) this.merger.expectPart(shard.name);
    else this.apply(this.merger.forgetPart(shard.name, Date.now()));
  }

  private offer(shard: Shard, p: PartialSnapshot): void {
    this.apply(
      this.merger.offer({ part: shard.name, slot: p.slot, timeSec: p.timeSec, value: p }, Date.now()),
    );
  }

  private apply(effects: readonly MergerEffect<PartialSnapshot>[]): void {
    for (const e of effects) {
      if (e.type === 'merged') {
        const s = mergedSnapshot(
          e.merged,
          (part) => this.shards.find((x) => x.name === part)?.expected ?? [],
        );
        this.count(s);
        this.alignLatency.record(s.releasedAtMs - s.timeSec * 1000);
        this.sink.publish(s);
      } else if (e.type === 'late-part') {
        const p = e.offer.value;
        this.latePartSamples += p.pmuCount;
        if (this.wantsLate)
          for (let i = 0; i < p.pmuCount; i += 1)
            this.sink.publishLate?.({ sample: p.sample(i), slot: p.slot, ageMs: e.latenessMs });
      } else {
        this.log(`merge: ${e.message}`);
      }
    }
  }

  private publishLate(p: PartialSnapshot, slots: Float64Array, ages: Float64Array): void {
    for (let i = 0; i < p.pmuCount; i += 1)
      this.sink.publishLate?.({ sample: p.sample(i), slot: slots[i], ageMs: ages[i] });
  }

  private count(s: ReturnType<typeof mergedSnapshot>): void {
    this.merged.snapshots += 1;
    this.merged.released[s.reason] += 1;
    this.merged.missingFrames += s.missing.length;
    this.merged.skippedSlots += s.skippedSlotsBefore;
  }

  private async stopShard(s: Shard): Promise<void> {
    s.worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void s.worker.terminate(), STOP_TIMEOUT_MS);
    await s.exited;
    clearTimeout(timer);
  }
}

/**
 * The worker's code: its module file itself when running compiled, or, under tsx (the file is TypeScript), a
 * small script that registers tsx's loader in the new thread first (loaders do not pass into workers on Node 20).
 */
function shardWorkerSource(): [string | URL, { eval?: boolean }] {
  const file = new URL('./shard-worker.ts', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return [new URL('./shard-worker.js', import.meta.url), {}];
  const script = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`;
  return [script, { eval: true }];
}
