import { clusterSettings, setting, settingsSchema, type SettingsOf } from '@gridcloud/command-line';
import { FileStoreConfigError } from '../errors/filestore-config-error';

const MIB = 1024 * 1024;

/** The file store replica's flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const FILESTORE_SETTINGS = settingsSchema(
  'usage: filestore --data-dir DIR [--durable] [--ack-replicas K] [flags]',
  {
    dataDir: setting.path({
      flag: 'data-dir',
      doc: "this replica's log files (created if missing)",
      required: true,
    }),
    durable: setting.boolean({
      flag: 'durable',
      doc: 'acknowledge an append once --ack-replicas replicas have it on disk (fsync)',
      default: false,
    }),
    ackReplicas: setting.int({
      flag: 'ack-replicas',
      doc: 'replicas that must hold an append before it is acknowledged',
      min: 1,
      max: 64,
      unit: 'replicas',
      default: 2,
    }),
    maxBodyBytes: setting.int({
      flag: 'max-body-bytes',
      doc: 'largest HTTP append body (JSON carries data as base64); a larger one is refused with 413',
      min: 1024,
      max: 64 * MIB,
      unit: 'bytes',
      default: 8 * MIB,
    }),
    maxBatchBytes: setting.int({
      flag: 'max-batch-bytes',
      doc: 'largest append as the store holds it (records and 12-byte headers); it travels as one group message',
      min: 1024,
      max: 3 * MIB,
      unit: 'bytes',
      default: 2 * MIB,
    }),
    maxBatchRecords: setting.int({
      flag: 'max-batch-records',
      doc: 'most records in one append; more are refused with 413',
      min: 1,
      max: 1_000_000,
      unit: 'records',
      default: 10_000,
    }),
    maxCommitAppends: setting.int({
      flag: 'max-commit-appends',
      doc: 'most appends this replica orders through the group as one group commit (those taken in one event-loop turn)',
      min: 1,
      max: 126,
      unit: 'appends',
      default: 64,
    }),
    maxCommitRecords: setting.int({
      flag: 'max-commit-records',
      doc: 'most records in one group commit (a larger single append goes alone)',
      min: 1,
      max: 1_000_000,
      unit: 'records',
      default: 20_000,
    }),
    maxCommitBytes: setting.int({
      flag: 'max-commit-bytes',
      doc: 'largest group commit message (a larger single append goes alone)',
      min: 1024,
      max: 3 * MIB,
      unit: 'bytes',
      default: 2 * MIB,
    }),
    maxCommitsInFlight: setting.int({
      flag: 'max-commits-in-flight',
      doc: 'group commits out at once before a commit that is not full waits for one of them to complete',
      min: 1,
      max: 1_024,
      unit: 'commits',
      default: 4,
    }),
    maxPendingAppends: setting.int({
      flag: 'max-pending-appends',
      doc: 'appends taken by this replica and not acknowledged yet; past it an append is answered 503',
      min: 1,
      max: 1_000_000,
      unit: 'appends',
      default: 1_024,
    }),
    appendTimeoutMs: setting.int({
      flag: 'append-timeout-ms',
      doc: 'how long an append waits for its acknowledgements',
      min: 1,
      max: 600_000,
      unit: 'ms',
      default: 10_000,
    }),
    streamChunkBytes: setting.int({
      flag: 'stream-chunk-bytes',
      doc: 'reads are written in chunks of about this size',
      min: 512,
      max: 16 * MIB,
      unit: 'bytes',
      default: 64 * 1024,
    }),
    failureTimeoutMs: setting.int({
      flag: 'failure-timeout-ms',
      doc: 'vsync failure detection: a member silent this long is suspected (an append of megabytes takes a while to apply)',
      min: 50,
      max: 600_000,
      unit: 'ms',
      default: 3_000,
    }),
    heartbeatIntervalMs: setting.int({
      flag: 'heartbeat-interval-ms',
      doc: 'vsync heartbeats',
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 150,
    }),
    retransmitIntervalMs: setting.int({
      flag: 'retransmit-interval-ms',
      doc: 'vsync resends a message unacknowledged this long; each resend of an append costs the whole append again',
      min: 10,
      max: 60_000,
      unit: 'ms',
      default: 600,
    }),
    sendWindowBytes: setting.int({
      flag: 'send-window-bytes',
      doc: "vsync's send window: bytes of this replica's group commits sent and not yet received by every member",
      min: 64 * 1024,
      max: 256 * MIB,
      unit: 'bytes',
      default: 4 * MIB,
    }),
    ...clusterSettings(),
  },
  (message) => new FileStoreConfigError(message),
);

export type FileStoreSettings = SettingsOf<(typeof FILESTORE_SETTINGS)['definitions']>;

/** The settings, checked beyond each flag's own range; throws FileStoreConfigError naming the flags. */
export function parseFileStoreSettings(argv: readonly string[], env: NodeJS.ProcessEnv): FileStoreSettings {
  const s = FILESTORE_SETTINGS.parse(argv, env);
  if (s.failureTimeoutMs <= s.heartbeatIntervalMs)
    throw new FileStoreConfigError('--failure-timeout-ms must exceed --heartbeat-interval-ms');
  return s;
}
