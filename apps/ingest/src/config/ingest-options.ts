import os from 'node:os';
import {
  clusterSettingsOf,
  vsyncSecretOf,
  type ClusterSettings,
  type SettingsOf,
} from '@gridcloud/command-line';
import { validateAlignerOptions, validateSessionOptions, type SessionOptions } from '@gridcloud/pdc';
import type { PipelineOptions } from '../pipeline/ingest-pipeline';
import { IngestConfigError } from '../errors/ingest-config-error';
import { INGEST_SETTINGS, type TcpTarget } from './ingest-settings';

export type { TcpTarget } from './ingest-settings';

export interface IngestOptions {
  readonly tcpTargets: readonly TcpTarget[];
  readonly udp: { readonly host: string; readonly port: number } | undefined;
  readonly kafkaBrokers: readonly string[];
  /** Consumer mode: consume this topic of raw frames with `kafkaGroup`. */
  readonly kafkaConsumeTopic: string | undefined;
  readonly kafkaGroup: string;
  /** Publish aligned snapshots to this topic. */
  readonly kafkaPublishTopic: string | undefined;
  /** Records of that topic: libs/estimation's binary layout with catalog records, or readable JSON. */
  readonly kafkaSnapshotFormat: 'binary' | 'json';
  /** The catalog is re-sent to that topic at least this often (binary format). */
  readonly kafkaCatalogIntervalMs: number;
  /** Publish aligned snapshots to this libs/vsync group (the estimator group), joining through these seeds. */
  readonly vsyncSeeds: readonly string[];
  readonly vsyncGroup: string;
  /** member: joins --vsync-group; client: publishes through a representative member (GroupClient). */
  readonly vsyncPublish: 'member' | 'client';
  /** Port this process's group endpoint binds on loopback or `vsyncBindHost` (0: any free port). */
  readonly vsyncBindPort: number;
  readonly vsyncBindHost: string;
  /** The cluster's shared vsync secret (--vsync-secret-file, GRIDCLOUD_VSYNC_SECRET); undefined: open links. */
  readonly vsyncSecret?: string;
  /** Regional PDC mode: the region's name; its snapshots go to `regionTopic`, not to the estimator group. */
  readonly region: string | undefined;
  /** Super-PDC mode: the regions merged from `regionTopic` (consumer group `kafkaGroup`); empty: not a merger. */
  readonly mergeRegions: readonly string[];
  readonly regionTopic: string;
  readonly regionCatalogTopic: string;
  /** A merged slot waits this long after its first region for the others. */
  readonly regionDeadlineMs: number;
  /** A merger silent this long leaves the consumer group; its partitions go to the others. */
  readonly kafkaSessionTimeoutMs: number;
  /** Merged slots open at once. */
  readonly maxPendingRegionSlots: number;
  /** Names this replica in the `ingest-instance` header of every snapshot it publishes. */
  readonly instanceId: string;
  /** framesPerSecond undefined (no --fps): the alignment rate is the DATA_RATE of the first configuration. */
  readonly aligner: PipelineOptions;
  readonly session: Omit<SessionOptions, 'idcode'>;
  /** Largest C37.118 frame accepted, in bytes; also the most any one connection buffers. */
  readonly maxFrameBytes: number;
  /** Configurations (IDCODEs) one source may announce. */
  readonly maxConfigsPerSource: number;
  /** Configuration one source may have held at once, as CFG-2 wire bytes summed over its IDCODEs. */
  readonly maxConfigBytesPerSource: number;
  /** Configuration bytes of all UDP senders together, so many spoofed senders share one bound. */
  readonly maxUdpConfigBytes: number;
  /** Distinct UDP senders tracked; datagrams from more are refused (counted). */
  readonly maxUdpSources: number;
  /** A UDP sender silent this long may be forgotten to make room for a new one. */
  readonly udpSourceIdleMs: number;
  /** How often pending snapshots are checked against their wait window. */
  readonly tickIntervalMs: number;
  /** Period of the per-PMU quality report to the `ingest.quality` group; 0: none. */
  readonly qualityIntervalMs: number;
  /** Worker threads sharing the --tcp targets (0: everything on the main thread). */
  readonly workers: number;
  /** A worker's aligned snapshots waiting for the main thread's merge before new ones are dropped (counted). */
  readonly maxShardQueue: number;
  /** Snapshots waiting for Kafka before new ones are dropped (counted). */
  readonly maxSnapshotQueue: number;
  /** '-' for stdout, or a file: every snapshot as a JSON line. */
  readonly snapshotsOut: string | undefined;
  /** File store replicas that archive every raw data frame (apps/filestore); empty: none. */
  readonly filestoreUrls: readonly string[];
  /** 0: only the final statistics line at exit. */
  readonly statsIntervalMs: number;
  readonly durationS: number;
  readonly seed: number;
}

/** What ingest runs with (IngestOptions) and how it takes part in the cluster. */
export interface IngestSettings {
  readonly ingest: IngestOptions;
  readonly cluster: ClusterSettings;
}

/** The --help text, generated from the settings. */
export const INGEST_USAGE = INGEST_SETTINGS.help();

type Parsed = SettingsOf<typeof INGEST_SETTINGS.definitions>;

/** Reads flags, then GRIDCLOUD_ variables, then defaults; a bad value is an IngestConfigError naming the flag or variable. */
export function parseIngestSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): IngestSettings {
  const s = INGEST_SETTINGS.parse(argv, env);
  const ingest: IngestOptions = {
    tcpTargets: s.tcp,
    udp: s.udp,
    kafkaBrokers: s.kafkaBrokers,
    kafkaConsumeTopic: s.kafkaConsumeTopic,
    kafkaGroup: s.kafkaGroup,
    kafkaPublishTopic: s.kafkaPublishTopic,
    kafkaSnapshotFormat: s.kafkaSnapshotFormat,
    kafkaCatalogIntervalMs: s.kafkaCatalogIntervalMs,
    vsyncSeeds: s.vsyncSeeds.map((seed) => `${seed.host}:${seed.port}`),
    vsyncGroup: s.vsyncGroup,
    vsyncPublish: s.vsyncPublish,
    vsyncBindHost: s.vsyncHost,
    vsyncBindPort: s.vsyncPort,
    vsyncSecret: vsyncSecretOf(s),
    region: s.region,
    mergeRegions: s.mergeRegions,
    regionTopic: s.regionTopic,
    regionCatalogTopic: s.regionCatalogTopic,
    regionDeadlineMs: s.regionDeadlineMs,
    kafkaSessionTimeoutMs: s.kafkaSessionTimeoutMs,
    maxPendingRegionSlots: s.maxPendingRegionSlots,
    instanceId: s.instanceId ?? `${os.hostname()}-${process.pid}`,
    aligner: aligner(s),
    session: session(s),
    maxFrameBytes: s.maxFrameBytes,
    maxConfigsPerSource: s.maxConfigsPerSource,
    maxConfigBytesPerSource: s.maxConfigBytesPerSource,
    maxUdpConfigBytes: s.maxUdpConfigBytes,
    maxUdpSources: s.maxUdpSources,
    udpSourceIdleMs: s.udpSourceIdleMs,
    tickIntervalMs: s.tickIntervalMs,
    qualityIntervalMs: s.qualityIntervalMs,
    workers: s.workers,
    maxShardQueue: s.maxShardQueue,
    maxSnapshotQueue: s.maxSnapshotQueue,
    snapshotsOut: s.snapshotsOut,
    filestoreUrls: s.filestoreUrls,
    statsIntervalMs: s.statsIntervalMs,
    durationS: s.durationS,
    seed: s.seed,
  };
  checkRegions(ingest);
  checkSources(ingest);
  const cluster = clusterSettingsOf(s);
  return { ingest, cluster };
}

/** The ingest options alone. */
export function parseIngestOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): IngestOptions {
  return parseIngestSettings(argv, env).ingest;
}

function checkSources(o: IngestOptions): void {
  if (
    o.workers > 0 &&
    (o.udp !== undefined || o.kafkaConsumeTopic !== undefined || o.tcpTargets.length === 0)
  ) {
    throw new IngestConfigError(
      '--workers shares --tcp targets between threads; --udp and --kafka-consume-topic run on one thread (give --workers 0)',
    );
  }
  if (o.workers > 0 && o.filestoreUrls.length > 0) {
    throw new IngestConfigError(
      '--filestore-url archives the frames the main thread decodes; with --workers the workers decode them (give --workers 0)',
    );
  }
  const merging = o.mergeRegions.length > 0;
  if (!merging && o.tcpTargets.length === 0 && o.udp === undefined && o.kafkaConsumeTopic === undefined) {
    throw new IngestConfigError(
      'give at least one source: --tcp IDCODE@HOST:PORT, --udp HOST:PORT, --kafka-consume-topic TOPIC or --merge-regions A,B,...',
    );
  }
  if (
    (o.kafkaConsumeTopic !== undefined || o.kafkaPublishTopic !== undefined) &&
    o.kafkaBrokers.length === 0
  ) {
    throw new IngestConfigError(
      '--kafka-consume-topic and --kafka-publish-topic need --kafka-brokers HOST:PORT[,HOST:PORT...]',
    );
  }
}

const REGION_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A regional PDC sends its snapshots to Kafka only; a merger takes regions only. */
function checkRegions(o: IngestOptions): void {
  const merging = o.mergeRegions.length > 0;
  const named = [...(o.region !== undefined ? [o.region] : []), ...o.mergeRegions];
  const bad = named.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined)
    throw new IngestConfigError(`--region and --merge-regions take 1-64 of A-Z a-z 0-9 . _ -, got "${bad}"`);
  if (new Set(o.mergeRegions).size !== o.mergeRegions.length)
    throw new IngestConfigError(`--merge-regions names a region twice: ${o.mergeRegions.join(',')}`);
  if (o.region !== undefined && merging)
    throw new IngestConfigError(
      '--region (a regional PDC) and --merge-regions (the merger) are two processes',
    );
  if ((o.region !== undefined || merging) && o.kafkaBrokers.length === 0)
    throw new IngestConfigError('--region and --merge-regions need --kafka-brokers HOST:PORT[,HOST:PORT...]');
  if (o.region !== undefined && (o.kafkaPublishTopic !== undefined || o.vsyncPublish === 'client'))
    throw new IngestConfigError(
      '--region sends its snapshots to --region-topic only; --kafka-publish-topic and --vsync-publish client belong to the merger',
    );
  if (merging && (o.tcpTargets.length > 0 || o.udp !== undefined || o.kafkaConsumeTopic !== undefined))
    throw new IngestConfigError(
      '--merge-regions takes its snapshots from the regions only (no --tcp, --udp or --kafka-consume-topic)',
    );
}

function aligner(s: Parsed): PipelineOptions {
  const checked = guard(() =>
    validateAlignerOptions({
      // Without --fps the rate comes from the configurations; any valid rate stands in for the check.
      framesPerSecond: s.fps ?? 30,
      alignWindowMs: s.alignWindowMs,
      maxPendingSnapshots: s.maxPendingSnapshots,
      maxFutureMs: s.maxFutureMs,
      maxPmus: s.maxPmus,
    }),
  );
  return { ...checked, framesPerSecond: s.fps, maxPmusPerSource: s.maxPmusPerSource };
}

function session(s: Parsed): Omit<SessionOptions, 'idcode'> {
  const options = {
    connectTimeoutMs: s.connectTimeoutMs,
    configTimeoutMs: s.configTimeoutMs,
    maxConfigRequests: s.maxConfigRequests,
    dataTimeoutMs: s.dataTimeoutMs,
    reconnectMinMs: s.reconnectMinMs,
    reconnectMaxMs: s.reconnectMaxMs,
    configFrame: s.configFrame,
  };
  guard(() => validateSessionOptions({ ...options, idcode: 0 }));
  return options;
}

/** Re-labels a library option error (which names the option in camelCase) as the flag's error. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new IngestConfigError((error as Error).message.replace(/^(\w+)/, (name) => `--${kebab(name)}`));
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
