import { setting } from '@gridcloud/command-line';

/**
 * The Replay panel's flags, spread into the dashboard's settings. Without --redis-url the panel only says replay
 * needs it; the queue and prefix must match the recorder's (`--job-queue`, `--redis-prefix`).
 */
export function replaySettings() {
  return {
    redisUrl: setting.string({
      flag: 'redis-url',
      doc: "Redis of the recorder's recording and job queue (none: no replay panel)",
    }),
    redisPrefix: setting.string({
      flag: 'redis-prefix',
      doc: "key prefix of the recorder's recording",
      default: 'gridcloud',
    }),
    jobQueue: setting.string({
      flag: 'job-queue',
      doc: 'BullMQ queue the recorder serves replay jobs from',
      default: 'gridcloud-jobs',
    }),
    filestoreUrls: setting.list({
      flag: 'filestore-url',
      doc: "file store replicas (http://HOST:PORT,...) holding the recorder's results: GET /api/estimates/as-of?at=T",
    }),
    influxUrl: setting.string({
      flag: 'influx-url',
      doc: 'InfluxDB 1.x the recorder writes to, as http://HOST:PORT/DATABASE (replay results are read there)',
    }),
    maxReplayJobs: setting.int({
      flag: 'max-replay-jobs',
      doc: 'replay jobs started from this dashboard and not yet finished, at most; more are refused',
      min: 1,
      max: 64,
      unit: 'jobs',
      default: 1,
    }),
    maxReplayPoints: setting.int({
      flag: 'max-replay-points',
      doc: 'instants of one bus a results request reads at most (replayed and live each)',
      min: 1,
      max: 1_000_000,
      unit: 'points',
      default: 3_000,
    }),
  };
}
