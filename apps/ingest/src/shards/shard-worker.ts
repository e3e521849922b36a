import { parentPort, workerData } from 'node:worker_threads';
import { SeededRandom } from '@gridcloud/grid';
import { IngestPipeline } from '../pipeline/ingest-pipeline';
import type { LateFrame, Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { TcpPmuConnection } from '../sources/tcp-pmu-connection';
import { encodePartialSnapshot } from './partial-snapshot';
import type { ShardCommand, ShardInit, ShardMessage, ShardStatus } from './shard-messages';

/**
 * One ingest shard on a worker thread: its share of the --tcp targets, each
 * decoded here, and its own pipeline aligning their PMUs. Every released
 * snapshot goes to the main thread as one transferred buffer of columns; at
 * most `maxShardQueue` wait there, past that a snapshot is dropped and counted.
 */
const LATE_FRAMES_PER_QUEUED_SNAPSHOT = 64;

class ShardSink implements SnapshotSink {
  droppedSnapshots = 0;
  droppedSamples = 0;
  droppedLate = 0;
  private late: LateFrame[] = [];
  private readonly inFlight: Int32Array;

  constructor(
    private readonly init: ShardInit,
    private readonly post: (m: ShardMessage, transfer?: ArrayBuffer[]) => void,
    /** Tells the main thread of a change of this shard's PMUs before a snapshot that depends on it. */
    private readonly announce: () => void,
  ) {
    this.inFlight = new Int32Array(init.inFlight);
  }

  publish(s: Snapshot): void {
    this.announce();
    if (Atomics.load(this.inFlight, this.init.shard) >= this.init.options.maxShardQueue) {
      this.droppedSnapshots += 1;
      this.droppedSamples += s.pmuIds.length;
      return;
    }
    const buffer = encodePartialSnapshot(s);
    Atomics.add(this.inFlight, this.init.shard, 1);
    this.post({ type: 'partial', buffer }, [buffer]);
  }

  /**
   * Late frames wait here and go as one buffer per tick (`flushLate`): one message per late frame would make a
   * shard that falls behind fall further behind. At most `maxShardQueue` x 64 wait; more are dropped and counted.
   */
  publishLate(l: LateFrame): void {
    if (!this.init.wantsLate) return;
    if (this.late.length >= this.init.options.maxShardQueue * LATE_FRAMES_PER_QUEUED_SNAPSHOT) {
      this.droppedLate += 1;
      return;
    }
    this.late.push(l);
  }

  flushLate(): void {
    if (this.late.length === 0) return;
    const batch = this.late;
    this.late = [];
    const samples: Snapshot = {
      slot: 0,
      timeSec: 0,
      pmuIds: batch.map((l) => l.sample.idcode),
      values: batch.map((l) => l.sample),
      missing: [],
      complete: true,
      reason: 'complete',
      firstArrivalMs: 0,
      lastArrivalMs: 0,
      releasedAtMs: 0,
      skippedSlotsBefore: 0,
    };
    const buffer = encodePartialSnapshot(samples);
    const slots = Float64Array.from(batch, (l) => l.slot);
    const ages = Float64Array.from(batch, (l) => l.ageMs);
    this.post({ type: 'late', buffer, slots, ages }, [buffer, slots.buffer, ages.buffer]);
  }

  async close(): Promise<void> {}
}

function runShard(init: ShardInit): void {
  const port = parentPort!;
  const post = (m: ShardMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  const log = (line: string) => post({ type: 'log', line });
  const o = init.options;
  let expected: readonly number[] = [];
  let registryVersion = 0;
  const announce = () => {
    // The aligner's expected list is copy-on-write, so a new array means a change.
    if (pipeline.aligner.expectedPmus !== expected) {
      expected = pipeline.aligner.expectedPmus;
      post({ type: 'expected', pmus: expected });
    }
    if (pipeline.registry.version !== registryVersion) {
      registryVersion = pipeline.registry.version;
      post({ type: 'registry', pmus: pipeline.registry.all() });
    }
  };
  const sink = new ShardSink(init, post, announce);
  const pipeline = new IngestPipeline({ ...o.aligner, rateFrom: 'configured' }, sink, log);
  const jitter = new SeededRandom(o.seed + init.shard);
  const connections = init.targets.map((t) => new TcpPmuConnection(t, o.session, o, pipeline, jitter, log));
  const status = (): ShardStatus => ({
    aligner: pipeline.aligner.counters,
    pendingSnapshots: pipeline.aligner.pendingSnapshots,
    pmusRefused: pipeline.pmusRefused,
    totals: pipeline.totals(),
    droppedSnapshots: sink.droppedSnapshots,
    droppedSamples: sink.droppedSamples,
    droppedLate: sink.droppedLate,
  });
  let reports = 0;
  const report = () => {
    announce();
    post({ type: 'status', status: status() });
    reports += 1;
    if (init.qualityEvery > 0 && reports % init.qualityEvery === 0) {
      const q = pipeline.quality.report();
      const sources = q.pmus.map((p) => [p.pmuId, pipeline.registry.get(p.pmuId)?.source ?? ''] as const);
      post({ type: 'quality', report: q, sources });
    }
  };
  const ticker = setInterval(() => {
    pipeline.tick(Date.now());
    sink.flushLate();
  }, o.tickIntervalMs);
  const reporter = setInterval(report, init.statusIntervalMs);
  port.on('message', (c: ShardCommand) => {
    if (c.type !== 'stop') return;
    clearInterval(ticker);
    clearInterval(reporter);
    for (const c of connections) c.stop();
    pipeline.flush(Date.now());
    sink.flushLate();
    report();
    const sources = [...pipeline.sources.values()].map((s) => s.toJson());
    post({ type: 'stopped', sources, quality: pipeline.quality.report(), status: status() });
    port.close();
  });
  for (const c of connections) c.start();
}

const init = workerData as { role?: string; init?: ShardInit } | undefined;
if (parentPort !== null && init?.role === 'ingest-shard' && init.init !== undefined) runShard(init.init);
