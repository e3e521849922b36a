import os from 'node:os';
import { validateAlignerOptions, validateSessionOptions, type SessionOptions } from '@gridcloud/pdc';
import type { PipelineOptions } from '../pipeline/ingest-pipeline';
import { IngestConfigError } from '../errors/ingest-config-error';
import { numberFlag, parseFlags, parseHostPort, stringFlag } from './flags';

/** A PMU or PDC this service connects to over TCP and commands. */
export interface TcpTarget {
  readonly idcode: number;
  readonly host: string;
  readonly port: number;
}

export interface IngestOptions {
  readonly tcpTargets: readonly TcpTarget[];
  readonly udp: { readonly host: string; readonly port: number } | undefined;
  readonly kafkaBrokers: readonly string[];
  /** Consumer mode: consume this topic of raw frames with `kafkaGroup`. */
  readonly kafkaConsumeTopic: string | undefined;
  readonly kafkaGroup: string;
  /** Publish aligned snapshots to this topic. */
  readonly kafkaPublishTopic: string | undefined;
  /** Publish aligned snapshots to this libs/vsync group (the estimator group), joining through these seeds. */
  readonly vsyncSeeds: readonly string[];
  readonly vsyncGroup: string;
  /** Port this process's group endpoint binds on loopback or `vsyncBindHost` (0: any free port). */
  readonly vsyncBindPort: number;
  readonly vsyncBindHost: string;
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
  /** Distinct UDP senders tracked; datagrams from more are refused (counted). */
  readonly maxUdpSources: number;
  /** A UDP sender silent this long may be forgotten to make room for a new one. */
  readonly udpSourceIdleMs: number;
  /** How often pending snapshots are checked against their wait window. */
  readonly tickIntervalMs: number;
  /** Snapshots waiting for Kafka before new ones are dropped (counted). */
  readonly maxSnapshotQueue: number;
  /** '-' for stdout, or a file: every snapshot as a JSON line. */
  readonly snapshotsOut: string | undefined;
  /** 0: only the final statistics line at exit. */
  readonly statsIntervalMs: number;
  readonly durationS: number;
  readonly seed: number;
}

export const INGEST_FLAGS = [
  'tcp', 'udp', 'kafka-brokers', 'kafka-consume-topic', 'kafka-group', 'kafka-publish-topic', 'fps', 'align-window-ms',
  'max-pending-snapshots', 'max-future-ms', 'max-pmus', 'max-pmus-per-source', 'max-frame-bytes', 'max-configs-per-source', 'max-config-bytes-per-source', 'max-udp-sources', 'udp-source-idle-ms',
  'connect-timeout-ms', 'config-timeout-ms', 'max-config-requests', 'data-timeout-ms', 'reconnect-min-ms', 'reconnect-max-ms',
  'tick-interval-ms', 'max-snapshot-queue', 'instance-id', 'snapshots-out', 'stats-interval-ms', 'duration-s', 'seed',
  'vsync-seeds', 'vsync-group', 'vsync-bind-host', 'vsync-bind-port',
] as const;

export const INGEST_USAGE = `usage: ingest [--tcp IDCODE@HOST:PORT]... [--udp HOST:PORT] [--kafka-brokers H:P,...]
  [--kafka-consume-topic pmu.frames --kafka-group NAME] [--kafka-publish-topic pmu.snapshots]
  [--fps RATE (default: the configurations' DATA_RATE)] [--align-window-ms 100] [--max-pending-snapshots 64] [--max-frame-bytes 65535]
  [--data-timeout-ms 5000] [--reconnect-min-ms 250] [--reconnect-max-ms 30000]
  [--vsync-seeds H:P,... --vsync-group estimators --vsync-bind-port 0]
  [--snapshots-out FILE|-] [--stats-interval-ms 0] [--duration-s 0]`;

export function parseIngestOptions(argv: readonly string[]): IngestOptions {
  const f = parseFlags(argv, INGEST_FLAGS);
  const udpText = stringFlag(f, 'udp');
  const brokers = (stringFlag(f, 'kafka-brokers') ?? '').split(',').filter((b) => b.length > 0);
  const options: IngestOptions = {
    tcpTargets: (f.get('tcp') ?? []).map(parseTarget),
    udp: udpText === undefined ? undefined : parseHostPort(udpText, 'udp'),
    kafkaBrokers: brokers,
    kafkaConsumeTopic: stringFlag(f, 'kafka-consume-topic'),
    kafkaGroup: stringFlag(f, 'kafka-group') ?? 'gridcloud-ingest',
    kafkaPublishTopic: stringFlag(f, 'kafka-publish-topic'),
    vsyncSeeds: (stringFlag(f, 'vsync-seeds') ?? '').split(',').filter((seed) => seed.length > 0),
    vsyncGroup: stringFlag(f, 'vsync-group') ?? 'estimators',
    vsyncBindHost: stringFlag(f, 'vsync-bind-host') ?? '127.0.0.1',
    vsyncBindPort: numberFlag(f, 'vsync-bind-port', 0, 0, 65_535, true),
    instanceId: stringFlag(f, 'instance-id') ?? `${os.hostname()}-${process.pid}`,
    aligner: parseAligner(f),
    session: parseSession(f),
    maxFrameBytes: numberFlag(f, 'max-frame-bytes', 65_535, 16, 65_535, true),
    maxConfigsPerSource: numberFlag(f, 'max-configs-per-source', 4096, 1, 65_536, true),
    maxConfigBytesPerSource: numberFlag(f, 'max-config-bytes-per-source', 1024 * 1024, 64, 1024 ** 3, true),
    maxUdpSources: numberFlag(f, 'max-udp-sources', 1024, 1, 65_536, true),
    udpSourceIdleMs: numberFlag(f, 'udp-source-idle-ms', 60_000, 1, 86_400_000),
    tickIntervalMs: numberFlag(f, 'tick-interval-ms', 5, 1, 1000),
    maxSnapshotQueue: numberFlag(f, 'max-snapshot-queue', 1000, 1, 1_000_000, true),
    snapshotsOut: stringFlag(f, 'snapshots-out'),
    statsIntervalMs: numberFlag(f, 'stats-interval-ms', 0, 0, 3_600_000),
    durationS: numberFlag(f, 'duration-s', 0, 0, 86_400 * 365),
    seed: numberFlag(f, 'seed', 1, 0, 0xffffffff, true),
  };
  checkSources(options);
  return options;
}

function checkSources(o: IngestOptions): void {
  if (o.tcpTargets.length === 0 && o.udp === undefined && o.kafkaConsumeTopic === undefined) {
    throw new IngestConfigError('give at least one source: --tcp IDCODE@HOST:PORT, --udp HOST:PORT or --kafka-consume-topic TOPIC');
  }
  if ((o.kafkaConsumeTopic !== undefined || o.kafkaPublishTopic !== undefined) && o.kafkaBrokers.length === 0) {
    throw new IngestConfigError('--kafka-consume-topic and --kafka-publish-topic need --kafka-brokers HOST:PORT[,HOST:PORT...]');
  }
}

function parseTarget(text: string): TcpTarget {
  const at = text.indexOf('@');
  const idcode = Number(text.slice(0, at));
  if (at <= 0 || !Number.isInteger(idcode) || idcode < 0 || idcode > 65_535) {
    throw new IngestConfigError(`--tcp must be IDCODE@HOST:PORT with IDCODE in [0, 65535] (the stream to command), got '${text}'`);
  }
  return { idcode, ...parseHostPort(text.slice(at + 1), 'tcp') };
}

function parseAligner(f: Map<string, string[]>): PipelineOptions {
  const fps = f.has('fps') ? numberFlag(f, 'fps', 30, 0.01, 1000) : undefined;
  const aligner = guard(() =>
    validateAlignerOptions({
      // Without --fps the rate comes from the configurations; any valid rate stands in for the check.
      framesPerSecond: fps ?? 30,
      alignWindowMs: numberFlag(f, 'align-window-ms', 100, 0, 60_000),
      maxPendingSnapshots: numberFlag(f, 'max-pending-snapshots', 64, 1, 100_000, true),
      maxFutureMs: numberFlag(f, 'max-future-ms', 2000, 0, 86_400_000),
      maxPmus: numberFlag(f, 'max-pmus', 10_000, 1, 65_536, true),
    }),
  );
  return { ...aligner, framesPerSecond: fps, maxPmusPerSource: numberFlag(f, 'max-pmus-per-source', 2048, 1, 65_536, true) };
}

function parseSession(f: Map<string, string[]>): Omit<SessionOptions, 'idcode'> {
  const s = {
    connectTimeoutMs: numberFlag(f, 'connect-timeout-ms', 5000, 1, 600_000),
    configTimeoutMs: numberFlag(f, 'config-timeout-ms', 2000, 1, 600_000),
    maxConfigRequests: numberFlag(f, 'max-config-requests', 3, 1, 100, true),
    dataTimeoutMs: numberFlag(f, 'data-timeout-ms', 5000, 1, 3_600_000),
    reconnectMinMs: numberFlag(f, 'reconnect-min-ms', 250, 1, 3_600_000),
    reconnectMaxMs: numberFlag(f, 'reconnect-max-ms', 30_000, 1, 3_600_000),
  };
  guard(() => validateSessionOptions({ ...s, idcode: 0 }));
  return s;
}

/** Re-labels a library option error as a flag error so the usage text follows it. */
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
