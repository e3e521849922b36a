import os from 'node:os';
import path from 'node:path';
import { clusterSettings, setting, settingsSchema, type SettingsOf } from '@gridcloud/command-line';
import { RecorderConfigError } from '../errors/recorder-config-error';

const int = (flag: string, doc: string, min: number, max: number, unit: string, fallback: number) =>
  setting.int({ flag, doc, min, max, unit, default: fallback });

/** The recorder's flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const RECORDER_SETTINGS = settingsSchema(
  'usage: recorder --case FILE.m [--influx-url URL] [--redis-url URL] [flags]',
  {
    casePath: setting.path({ flag: 'case', doc: 'MATPOWER case the cluster estimates', required: true }),
    areas: int('areas', 'areas a replay cuts the network into (as the estimators)', 1, 65_535, 'areas', 1),
    sigmaPu: setting.number({
      flag: 'sigma-pu',
      doc: 'noise sigma per rectangular component, for replays',
      min: 1e-6,
      max: 0.5,
      unit: 'pu',
      default: 0.002,
    }),
    badData: setting.enum({
      flag: 'bad-data',
      doc: 'bad-data removal in replays',
      values: ['on', 'off'],
      default: 'on',
    }),
    influxUrl: setting.string({
      flag: 'influx-url',
      doc: 'InfluxDB 1.x as http://HOST:PORT/DATABASE (none: no writes)',
    }),
    influxRawRetention: setting.string({
      flag: 'influx-raw-retention',
      doc: 'how long raw points are kept (InfluxQL duration)',
      default: '7d',
    }),
    influxDownsampledRetention: setting.string({
      flag: 'influx-downsampled-retention',
      doc: 'how long the 1-minute downsampled points are kept',
      default: '52w',
    }),
    influxBatchPoints: int(
      'influx-batch-points',
      'points in one write at most',
      1,
      1_000_000,
      'points',
      5_000,
    ),
    influxFlushIntervalMs: int(
      'influx-flush-interval-ms',
      'a partial batch waits this long at most',
      1,
      3_600_000,
      'ms',
      1_000,
    ),
    maxInfluxBufferPoints: int(
      'max-influx-buffer-points',
      'points held while InfluxDB is down; then the oldest are dropped and counted',
      1,
      100_000_000,
      'points',
      200_000,
    ),
    influxRetryMaxMs: int(
      'influx-retry-max-ms',
      'longest wait between two write attempts',
      1,
      3_600_000,
      'ms',
      30_000,
    ),
    busVoltageEvery: int(
      'bus-voltage-every',
      'write bus voltages of every Nth estimate',
      1,
      1_000_000,
      'estimates',
      1,
    ),
    qualityIntervalMs: int(
      'quality-interval-ms',
      'PMU quality and recorder figures are written this often',
      100,
      3_600_000,
      'ms',
      1_000,
    ),
    maxQualityPmus: int('max-quality-pmus', 'PMUs tallied one by one at most', 1, 65_536, 'PMUs', 4_096),
    maxOpenSnapshots: int(
      'max-open-snapshots',
      'snapshots waiting for their areas at most',
      1,
      1_000_000,
      'snapshots',
      64,
    ),
    filestoreUrls: setting.list({
      flag: 'filestore-url',
      doc: 'file store replicas (http://HOST:PORT,...): every area result into results/area-<n>/<UTC hour>',
    }),
    redisUrl: setting.string({
      flag: 'redis-url',
      doc: 'Redis for the snapshot recording and jobs (none: neither)',
    }),
    redisPrefix: setting.string({
      flag: 'redis-prefix',
      doc: 'key prefix of the recording',
      default: 'gridcloud',
    }),
    maxRecordedSnapshots: int(
      'max-recorded-snapshots',
      'snapshots kept for replay',
      1,
      100_000_000,
      'snapshots',
      18_000,
    ),
    maxRecordedCatalogs: int(
      'max-recorded-catalogs',
      'PMU catalog versions kept',
      1,
      100_000,
      'catalogs',
      64,
    ),
    maxPendingRedisWrites: int(
      'max-pending-redis-writes',
      'recording writes awaiting Redis at most',
      1,
      1_000_000,
      'writes',
      512,
    ),
    jobQueue: setting.string({
      flag: 'job-queue',
      doc: 'BullMQ queue of replay and export jobs',
      default: 'gridcloud-jobs',
    }),
    jobConcurrency: int('job-concurrency', 'jobs run at once at most', 1, 64, 'jobs', 1),
    replayBatchSnapshots: int(
      'replay-batch-snapshots',
      'snapshots a replay reads per step',
      1,
      100_000,
      'snapshots',
      256,
    ),
    exportSliceMs: int(
      'export-slice-ms',
      'an export reads InfluxDB this much time at once',
      1_000,
      86_400_000,
      'ms',
      60_000,
    ),
    exportDir: setting.path({
      flag: 'export-dir',
      doc: 'where CSV exports are written',
      default: path.join(os.tmpdir(), 'gridcloud-exports'),
    }),
    ...clusterSettings(),
  },
  (message) => new RecorderConfigError(message),
);

export type RecorderSettings = SettingsOf<typeof RECORDER_SETTINGS.definitions>;
