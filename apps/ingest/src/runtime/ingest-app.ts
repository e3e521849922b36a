import { RuntimePauses } from '@gridcloud/command-line';
import { SeededRandom } from '@gridcloud/grid';
import type { AlignerCounters } from '@gridcloud/pdc';
import { Group, type GroupClient } from '@gridcloud/vsync';
import type { IngestOptions } from '../config/ingest-options';
import { IngestPipeline } from '../pipeline/ingest-pipeline';
import { RegionMerge, type RegionGap } from '../regions/region-merge';
import { RegionMergeConsumer } from '../regions/region-merge-consumer';
import { RegionSnapshotSink } from '../regions/region-snapshot-sink';
import { ShardPool } from '../shards/shard-pool';
import { FileStoreFrameSink } from '../sinks/filestore-sink';
import { JsonLinesSnapshotSink } from '../sinks/json-lines-snapshot-sink';
import { KafkaSnapshotSink } from '../sinks/kafka-snapshot-sink';
import { SnapshotHub } from '../sinks/snapshot-hub';
import { takesLateFrames, type SnapshotSink } from '../sinks/snapshot-sink';
import { VsyncQualityPublisher } from '../sinks/vsync-quality-publisher';
import { VsyncSnapshotSink } from '../sinks/vsync-snapshot-sink';
import { KafkaFrameConsumer } from '../sources/kafka-frame-consumer';
import { TcpPmuConnection } from '../sources/tcp-pmu-connection';
import { UdpListener } from '../sources/udp-listener';

/**
 * Wires sources, the pipeline and the sinks, and drives the aligner's
 * window with a periodic tick. `snapshots.subscribe(fn)` is the in-process
 * hook for the estimator group; `extraSinks` plug in further destinations.
 */
export class IngestApp {
  readonly snapshots: SnapshotHub;
  readonly pipeline: IngestPipeline;
  private readonly kafkaSink: KafkaSnapshotSink | undefined;
  private readonly vsyncSink: VsyncSnapshotSink | undefined;
  private readonly frameArchive: FileStoreFrameSink | undefined;
  private readonly connections: TcpPmuConnection[];
  private udp: UdpListener | undefined;
  private kafkaConsumer: KafkaFrameConsumer | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** Event-loop delay and collection pauses since the previous report. */
  private readonly pauses = new RuntimePauses();
  private readonly qualityPublisher: VsyncQualityPublisher | undefined;
  /** With --region: the regional PDC's output to Kafka (the estimator group is not used). */
  private readonly regionSink: RegionSnapshotSink | undefined;
  /** With --merge-regions: the super-PDC's decisions and its Kafka consumers. */
  readonly regionMerge: RegionMerge | undefined;
  private regionConsumer: RegionMergeConsumer | undefined;
  /** With --workers: the threads that own the --tcp targets, merged here; the pipeline above then sees no source. */
  readonly shards: ShardPool | undefined;

  constructor(
    readonly options: IngestOptions,
    private readonly log: (line: string) => void,
    extraSinks: readonly SnapshotSink[] = [],
    /** The estimator group on the app's shared vsync process (VsyncModule); without it, a group on a process of
     *  its own is made from the options. */
    estimatorGroup?: Group | GroupClient,
    /** The joined `ingest.quality` group on the app's shared vsync process; without it no quality report is sent. */
    qualityGroup?: Group,
  ) {
    const sinks: SnapshotSink[] = [...extraSinks];
    if (options.snapshotsOut !== undefined) sinks.push(new JsonLinesSnapshotSink(options.snapshotsOut));
    if (options.filestoreUrls.length > 0) {
      this.frameArchive = new FileStoreFrameSink(options.filestoreUrls, log);
      sinks.push(this.frameArchive);
    }
    if (options.kafkaPublishTopic !== undefined) {
      this.kafkaSink = new KafkaSnapshotSink({
        brokers: options.kafkaBrokers,
        topic: options.kafkaPublishTopic,
        maxSnapshotQueue: options.maxSnapshotQueue,
        instanceId: options.instanceId,
        format: options.kafkaSnapshotFormat,
        catalogIntervalMs: options.kafkaCatalogIntervalMs,
      });
      sinks.push(this.kafkaSink);
    }
    if (options.region !== undefined) {
      this.regionSink = new RegionSnapshotSink({
        brokers: options.kafkaBrokers,
        region: options.region,
        topic: options.regionTopic,
        catalogTopic: options.regionCatalogTopic,
        maxSnapshotQueue: options.maxSnapshotQueue,
        catalogIntervalMs: options.kafkaCatalogIntervalMs,
      });
      sinks.push(this.regionSink);
    } else if (options.vsyncSeeds.length > 0) {
      // A group on the app's shared process reports its errors through VsyncModule's logger.
      const group = estimatorGroup ?? ownEstimatorGroup(options, log);
      this.vsyncSink = new VsyncSnapshotSink(group, options.maxSnapshotQueue);
      sinks.push(this.vsyncSink);
    }
    this.snapshots = new SnapshotHub(sinks);
    // With --tcp targets only their configurations may set the alignment rate: an open UDP port must not.
    this.pipeline = new IngestPipeline(
      { ...options.aligner, rateFrom: options.tcpTargets.length > 0 ? 'configured' : 'any' },
      this.snapshots,
      log,
    );
    const publishQuality = qualityGroup !== undefined && options.qualityIntervalMs > 0;
    if (options.workers > 0)
      this.shards = new ShardPool(
        options,
        this.snapshots,
        log,
        publishQuality ? options.qualityIntervalMs : 0,
        sinks.some(takesLateFrames),
      );
    if (options.mergeRegions.length > 0)
      this.regionMerge = new RegionMerge({
        regions: options.mergeRegions,
        regionDeadlineMs: options.regionDeadlineMs,
        maxPendingRegionSlots: options.maxPendingRegionSlots,
        maxPmus: options.aligner.maxPmus,
      });
    const registry = this.regionMerge?.catalogs ?? this.shards ?? this.pipeline.registry;
    this.vsyncSink?.describePmusFrom(registry);
    this.kafkaSink?.describePmusFrom(registry);
    this.regionSink?.describePmusFrom(registry);
    if (publishQuality) {
      const p = this.pipeline;
      const shards = this.shards;
      const source =
        shards !== undefined
          ? { report: () => shards.quality(), sourceOf: (id: number) => shards.sourceOf(id) }
          : { report: () => p.quality.report(), sourceOf: (id: number) => p.registry.get(id)?.source };
      this.qualityPublisher = new VsyncQualityPublisher(
        qualityGroup,
        source,
        options.instanceId,
        options.qualityIntervalMs,
      );
    }
    const jitter = new SeededRandom(options.seed);
    const ownTargets = options.workers > 0 ? [] : options.tcpTargets;
    this.connections = ownTargets.map(
      (t) => new TcpPmuConnection(t, options.session, options, this.pipeline, jitter, log),
    );
  }

  /** Starts every source; resolves with the bound UDP port (0 when not listening). */
  async start(onRegionGap?: (gap: RegionGap) => void): Promise<{ udpPort: number }> {
    const o = this.options;
    await this.kafkaSink?.connect();
    await this.regionSink?.connect();
    await this.vsyncSink?.join();
    let udpPort = 0;
    if (o.udp !== undefined) {
      this.udp = new UdpListener(o, this.pipeline);
      udpPort = await this.udp.bind(o.udp.host, o.udp.port);
    }
    if (o.kafkaConsumeTopic !== undefined) {
      this.kafkaConsumer = new KafkaFrameConsumer(
        o.kafkaBrokers,
        o.kafkaConsumeTopic,
        o.kafkaGroup,
        o,
        this.pipeline,
      );
      await this.kafkaConsumer.start();
    }
    if (this.regionMerge !== undefined) {
      this.regionConsumer = new RegionMergeConsumer(
        {
          brokers: o.kafkaBrokers,
          topic: o.regionTopic,
          catalogTopic: o.regionCatalogTopic,
          group: o.kafkaGroup,
          instanceId: o.instanceId,
          sessionTimeoutMs: o.kafkaSessionTimeoutMs,
        },
        this.regionMerge,
        this.snapshots,
        this.log,
        (e) => onRegionGap?.(e.gap),
      );
      await this.regionConsumer.start();
    }
    for (const c of this.connections) c.start();
    this.shards?.start();
    this.ticker = setInterval(() => this.tick(Date.now()), o.tickIntervalMs);
    this.pauses.start();
    await this.qualityPublisher?.start();
    return { udpPort };
  }

  private tick(nowMs: number): void {
    this.udp?.sweep(nowMs);
    this.pipeline.tick(nowMs);
    this.regionConsumer?.tick(nowMs);
  }

  async stop(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.pauses.stop();
    await this.qualityPublisher?.stop();
    for (const c of this.connections) c.stop();
    this.udp?.close();
    await this.kafkaConsumer?.stop();
    await this.regionConsumer?.stop();
    await this.shards?.stop();
    this.pipeline.flush(Date.now());
    await this.snapshots.close();
  }

  /**
   * Counters of the aligner, every source and every PMU, as one JSON-ready
   * object. Alignment latency covers the interval since the previous report.
   * The summary (periodic stats) carries totals over the sources: rejected
   * frames by reason, refusals, connection errors; the full report adds each
   * source and each PMU.
   */
  report(detail: 'full' | 'summary' = 'full'): Record<string, unknown> {
    const align = (this.regionMerge ?? this.shards ?? this.pipeline).takeAlignLatency();
    return {
      alignLatencyMs: {
        count: align.count,
        p50: align.quantileMs(0.5),
        p99: align.quantileMs(0.99),
        max: align.maxMs,
        buckets: align.buckets(),
      },
      ...this.pauses.take(),
      ...this.sourceReport(detail),
      region: this.regionSink?.counters,
      udpRefusedDatagrams: this.udp?.refusedDatagrams ?? 0,
      udpEvictedSources: this.udp?.evictedSources ?? 0,
      kafka:
        this.kafkaSink === undefined
          ? undefined
          : {
              sent: this.kafkaSink.sent,
              catalogsSent: this.kafkaSink.catalogsSent,
              dropped: this.kafkaSink.dropped,
              sendErrors: this.kafkaSink.sendErrors,
              lastError: this.kafkaSink.lastError,
            },
      vsync:
        this.vsyncSink === undefined
          ? undefined
          : {
              sent: this.vsyncSink.sent,
              dropped: this.vsyncSink.dropped,
              sendErrors: this.vsyncSink.sendErrors,
              lastError: this.vsyncSink.lastError,
            },
      filestore: this.frameArchive?.counters,
      qualityReports: this.qualityPublisher?.counters,
      kafkaRecordsConsumed: this.kafkaConsumer?.records,
      listenerErrors: this.snapshots.listenerErrors,
    };
  }

  /** The aligner's counters: the pipeline's, or the merged snapshots' (of the workers, or of the regions). */
  alignerCounters(): AlignerCounters {
    return this.regionMerge?.alignerCounters ?? this.shards?.counters ?? this.pipeline.aligner.counters;
  }

  private sourceReport(detail: 'full' | 'summary'): Record<string, unknown> {
    if (this.regionMerge !== undefined) return this.mergeReport();
    return this.shards === undefined ? this.pipelineReport(detail) : this.shardsReport(detail);
  }

  /** The merger's figures: merged slots, per region its lateness, absences and open gap, closed gaps, refusals. */
  private mergeReport(): Record<string, unknown> {
    const m = this.regionMerge!;
    const c = this.regionConsumer;
    return {
      aligner: m.alignerCounters,
      pendingSnapshots: m.merger.pendingSnapshots,
      describedPmus: m.catalogs.size,
      regions: m.regionReport(),
      regionGaps: m.gaps,
      refusedRecords: m.refused,
      lastRefusal: m.lastRefusal,
      regionRecords: c?.records ?? 0,
      assignedPartitions: c?.assigned ?? [],
      rebalances: c?.rebalances ?? 0,
      handOver: m.handOver,
      commits: c?.commits ?? null,
    };
  }

  private pipelineReport(detail: 'full' | 'summary'): Record<string, unknown> {
    const p = this.pipeline;
    const totals = p.totals();
    return {
      alignFramesPerSecond: p.rate.framesPerSecond ?? null,
      aligner: p.aligner.counters,
      expectedPmus: p.aligner.expectedPmus.length,
      pendingSnapshots: p.aligner.pendingSnapshots,
      pmusRefused: p.pmusRefused,
      rejectedFrames: totals.rejects,
      refused: totals.refused,
      connectionErrors: totals.connectionErrors,
      disconnects: totals.disconnects,
      decimatedFrames: totals.decimatedFrames,
      sources: detail === 'full' ? [...p.sources.values()].map((s) => s.toJson()) : totals.sources,
      quality: detail === 'full' ? p.quality.report() : undefined,
    };
  }

  private shardsReport(detail: 'full' | 'summary'): Record<string, unknown> {
    const s = this.shards!;
    const totals = s.totals();
    return {
      alignFramesPerSecond: this.options.aligner.framesPerSecond ?? null,
      aligner: s.counters,
      expectedPmus: s.expectedPmus,
      pendingSnapshots: s.pendingSnapshots,
      pmusRefused: totals.pmusRefused,
      rejectedFrames: totals.rejects,
      refused: totals.refused,
      connectionErrors: totals.connectionErrors,
      disconnects: totals.disconnects,
      decimatedFrames: totals.decimatedFrames,
      sources: detail === 'full' ? s.sourcesReport() : totals.sources,
      shards: s.shardReport(),
      shardDropped: { snapshots: totals.droppedSnapshots, samples: totals.droppedSamples },
      quality: detail === 'full' ? s.quality() : undefined,
    };
  }
}

/** A member, never the founder: the estimator group's processes found the system. */
function ownEstimatorGroup(options: IngestOptions, log: (line: string) => void): Group {
  const group = new Group(options.vsyncGroup, {
    bindHost: options.vsyncBindHost,
    bindPort: options.vsyncBindPort,
    seeds: options.vsyncSeeds,
    secret: options.vsyncSecret,
    founder: false,
  });
  group.onError((error) => log(`estimator group: ${error.message}`));
  return group;
}
