import { clusterSettings, setting, settingsSchema, type CustomSyntax } from '@gridcloud/command-line';
import { IngestConfigError } from '../errors/ingest-config-error';

/** A PMU or PDC this service connects to over TCP and commands. */
export interface TcpTarget {
  readonly idcode: number;
  readonly host: string;
  readonly port: number;
}

const tcpTarget: CustomSyntax<TcpTarget> = {
  metavar: 'IDCODE@HOST:PORT',
  description: 'stream IDCODE to command @ host:port',
  parse(text) {
    const at = text.indexOf('@');
    const idcode = Number(text.slice(0, at));
    const colon = text.lastIndexOf(':');
    const port = Number(text.slice(colon + 1));
    const ok =
      at > 0 &&
      Number.isInteger(idcode) &&
      idcode >= 0 &&
      idcode <= 65_535 &&
      colon > at + 1 &&
      text.slice(colon + 1).length > 0 &&
      Number.isInteger(port) &&
      port >= 0 &&
      port <= 65_535;
    if (!ok)
      return {
        expected: 'IDCODE@HOST:PORT with IDCODE in 0..65535 (the stream to command) and a port in 0..65535',
      };
    return { value: { idcode, host: text.slice(at + 1, colon), port } };
  },
};

const ms = (flag: string, doc: string, min: number, max: number, fallback: number) =>
  setting.number({ flag, doc, min, max, unit: 'ms', default: fallback });

/** Every setting of the ingest service: its own, then the cluster's (with its earlier --vsync-bind-* names). */
export const INGEST_SETTINGS = settingsSchema(
  'usage: ingest (--tcp IDCODE@HOST:PORT... | --udp HOST:PORT | --kafka-consume-topic TOPIC) [flags]',
  {
    tcp: setting.customList({ flag: 'tcp', doc: 'a PMU or PDC to connect to and command', ...tcpTarget }),
    udp: setting.hostPort({
      flag: 'udp',
      doc: 'listen for spontaneous C37.118 frames here (port 0 = ephemeral)',
    }),
    kafkaBrokers: setting.list({ flag: 'kafka-brokers', doc: 'Kafka brokers' }),
    kafkaConsumeTopic: setting.string({
      flag: 'kafka-consume-topic',
      doc: 'consume raw frames from this topic',
    }),
    kafkaGroup: setting.string({
      flag: 'kafka-group',
      doc: 'Kafka consumer group',
      default: 'gridcloud-ingest',
    }),
    kafkaPublishTopic: setting.string({
      flag: 'kafka-publish-topic',
      doc: 'publish aligned snapshots to this topic',
    }),
    kafkaSnapshotFormat: setting.enum({
      flag: 'kafka-snapshot-format',
      doc: "records of --kafka-publish-topic: binary (the estimators group's layout, with catalog records) or json",
      values: ['binary', 'json'],
      default: 'binary',
    }),
    kafkaCatalogIntervalMs: ms(
      'kafka-catalog-interval-ms',
      'the PMU catalog is re-sent to --kafka-publish-topic at least this often (binary format)',
      1,
      3_600_000,
      2000,
    ),
    fps: setting.number({
      flag: 'fps',
      doc: "alignment rate (default: the configurations' DATA_RATE)",
      min: 0.01,
      max: 1000,
      unit: 'frames/s',
    }),
    alignWindowMs: ms('align-window-ms', 'how long a snapshot waits for late frames', 0, 60_000, 100),
    maxPendingSnapshots: setting.int({
      flag: 'max-pending-snapshots',
      doc: 'snapshots waiting for frames at once',
      min: 1,
      max: 100_000,
      default: 64,
    }),
    maxFutureMs: ms('max-future-ms', 'frames further ahead of the clock are refused', 0, 86_400_000, 2000),
    maxPmus: setting.int({
      flag: 'max-pmus',
      doc: 'PMUs bound over all sources',
      min: 1,
      max: 65_536,
      default: 10_000,
    }),
    maxPmusPerSource: setting.int({
      flag: 'max-pmus-per-source',
      doc: 'PMUs one source may bind',
      min: 1,
      max: 65_536,
      default: 2048,
    }),
    maxFrameBytes: setting.int({
      flag: 'max-frame-bytes',
      doc: 'largest C37.118 frame accepted',
      min: 16,
      max: 65_535,
      unit: 'bytes',
      default: 65_535,
    }),
    maxConfigsPerSource: setting.int({
      flag: 'max-configs-per-source',
      doc: 'configurations (IDCODEs) one source may announce',
      min: 1,
      max: 65_536,
      default: 4096,
    }),
    maxConfigBytesPerSource: setting.int({
      flag: 'max-config-bytes-per-source',
      doc: 'CFG-2 bytes one source may hold at once',
      min: 64,
      max: 1024 ** 3,
      unit: 'bytes',
      default: 1024 * 1024,
    }),
    maxUdpConfigBytes: setting.int({
      flag: 'max-udp-config-bytes',
      doc: 'CFG-2 bytes all UDP senders together may hold',
      min: 64,
      max: 1024 ** 3,
      unit: 'bytes',
      default: 16 * 1024 * 1024,
    }),
    maxUdpSources: setting.int({
      flag: 'max-udp-sources',
      doc: 'UDP senders tracked',
      min: 1,
      max: 65_536,
      default: 1024,
    }),
    udpSourceIdleMs: ms(
      'udp-source-idle-ms',
      'a silent UDP sender is forgotten after this',
      1,
      86_400_000,
      60_000,
    ),
    connectTimeoutMs: ms('connect-timeout-ms', 'TCP connect timeout', 1, 600_000, 5000),
    configTimeoutMs: ms(
      'config-timeout-ms',
      'wait for a CFG-2 this long before asking again (each repeat waits twice as long, at most 8x)',
      1,
      600_000,
      2000,
    ),
    configFrame: setting.enum({
      flag: 'config-frame',
      doc: 'configuration asked of TCP sources: cfg2, or cfg3 (PHSCALE angle adjustments applied; an unanswered CFG-3 request is asked again as CFG-2)',
      values: ['cfg2', 'cfg3'],
      default: 'cfg2',
    }),
    maxConfigRequests: setting.int({
      flag: 'max-config-requests',
      doc: 'CFG-2 requests before the connection is dropped',
      min: 1,
      max: 100,
      default: 3,
    }),
    dataTimeoutMs: ms('data-timeout-ms', 'a silent TCP source is reconnected after this', 1, 3_600_000, 5000),
    reconnectMinMs: ms('reconnect-min-ms', 'first reconnection delay', 1, 3_600_000, 250),
    reconnectMaxMs: ms('reconnect-max-ms', 'longest reconnection delay', 1, 3_600_000, 30_000),
    tickIntervalMs: ms('tick-interval-ms', 'how often pending snapshots are checked', 1, 1000, 5),
    qualityIntervalMs: ms(
      'quality-interval-ms',
      'period of the per-PMU quality report to the ingest.quality group (0: none)',
      0,
      3_600_000,
      1000,
    ),
    maxSnapshotQueue: setting.int({
      flag: 'max-snapshot-queue',
      doc: 'snapshots waiting for Kafka or the group before new ones are dropped',
      min: 1,
      max: 1_000_000,
      default: 1000,
    }),
    workers: setting.int({
      flag: 'workers',
      doc: 'worker threads sharing the --tcp targets, each decoding and aligning its own PMUs, merged by slot here (0: one thread)',
      min: 0,
      max: 64,
      default: 0,
    }),
    maxShardQueue: setting.int({
      flag: 'max-shard-queue',
      doc: "a worker's aligned snapshots waiting for the merge before new ones are dropped (counted)",
      min: 1,
      max: 100_000,
      default: 64,
    }),
    region: setting.string({
      flag: 'region',
      doc: 'be the regional PDC of this region: align its PMUs and send the partial snapshots to --region-topic (keyed by slot) instead of --vsync-group',
    }),
    mergeRegions: setting.list({
      flag: 'merge-regions',
      doc: 'be the super-PDC: merge these regions (every one needed for a complete slot) from --region-topic in consumer group --kafka-group',
    }),
    regionTopic: setting.string({
      flag: 'region-topic',
      doc: "regions' partial snapshots",
      default: 'pmu.region-snapshots',
    }),
    regionCatalogTopic: setting.string({
      flag: 'region-catalog-topic',
      doc: "regions' PMU catalogs (every merger reads all of it)",
      default: 'pmu.region-catalogs',
    }),
    regionDeadlineMs: ms(
      'region-deadline-ms',
      'a merged slot waits this long after its first region for the others, then leaves incomplete',
      0,
      60_000,
      500,
    ),
    kafkaSessionTimeoutMs: ms(
      'kafka-session-timeout-ms',
      "a merger silent this long leaves --kafka-group and its partitions go to the others (Kafka's session timeout)",
      3_000,
      300_000,
      30_000,
    ),
    maxPendingRegionSlots: setting.int({
      flag: 'max-pending-region-slots',
      doc: 'merged slots open at once; one more releases the oldest early',
      min: 1,
      max: 100_000,
      default: 256,
    }),
    instanceId: setting.string({
      flag: 'instance-id',
      doc: 'names this replica in published snapshots (default host-pid)',
    }),
    snapshotsOut: setting.string({
      flag: 'snapshots-out',
      doc: 'write every snapshot as a JSON line here, appended (- = stdout)',
    }),
    filestoreUrls: setting.list({
      flag: 'filestore-url',
      doc: 'file store replicas (http://HOST:PORT,...): every raw data frame into c37118/<stream>/<UTC hour>',
    }),
    seed: setting.int({
      flag: 'seed',
      doc: 'random seed (reconnection jitter)',
      min: 0,
      max: 0xffffffff,
      default: 1,
    }),
    vsyncGroup: setting.string({
      flag: 'vsync-group',
      doc: 'group to publish snapshots to',
      default: 'estimators',
    }),
    vsyncPublish: setting.enum({
      flag: 'vsync-publish',
      doc: 'reach --vsync-group as a member, or as a client through a representative member (FIFO, once per snapshot across its failure)',
      values: ['member', 'client'],
      default: 'member',
    }),
    ...clusterSettings({ vsyncHostAliases: ['vsync-bind-host'], vsyncPortAliases: ['vsync-bind-port'] }),
  },
  (message) => new IngestConfigError(message),
);
