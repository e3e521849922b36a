import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_WORKER_OPTIONS,
  EstimationError,
  validateWorkerOptions,
  type WorkerOptions,
} from '@gridcloud/estimation';
import { GridError, Network, parseMatpowerCase } from '@gridcloud/grid';
import { RecorderConfigError } from '../errors/recorder-config-error';
import type { InfluxTarget } from '../influx/influx-writer';
import { RECORDER_SETTINGS, type RecorderSettings } from './recorder-settings';

/** The recorder's one validated configuration. */
export interface RecorderOptions {
  readonly settings: RecorderSettings;
  readonly network: Network;
  /** The worker options a replay estimates with. */
  readonly worker: WorkerOptions;
  readonly influx: InfluxTarget | undefined;
}

/** InfluxQL durations as the retention policies take them: a number and a unit, or INF. */
const DURATION = /^(\d+(ns|u|µ|ms|s|m|h|d|w))+$|^INF$/;

export function parseRecorderOptions(argv: readonly string[], env: NodeJS.ProcessEnv): RecorderOptions {
  const settings = RECORDER_SETTINGS.parse(argv, env);
  for (const [flag, value] of [
    ['--influx-raw-retention', settings.influxRawRetention],
    ['--influx-downsampled-retention', settings.influxDownsampledRetention],
  ] as const) {
    if (!DURATION.test(value))
      throw new RecorderConfigError(
        `${flag} must be an InfluxQL duration such as 7d, 52w or INF, got '${value}'`,
      );
  }
  if (settings.influxBatchPoints > settings.maxInfluxBufferPoints)
    throw new RecorderConfigError(
      `--max-influx-buffer-points (${settings.maxInfluxBufferPoints}) must be at least --influx-batch-points (${settings.influxBatchPoints})`,
    );
  if (settings.redisUrl !== undefined) parseRedisUrl(settings.redisUrl);
  const network = readNetwork(path.resolve(settings.casePath));
  if (settings.areas > network.busCount)
    throw new RecorderConfigError(
      `--areas must be at most the case's ${network.busCount} buses, got ${settings.areas}`,
    );
  const worker = {
    ...DEFAULT_WORKER_OPTIONS,
    areas: settings.areas,
    sigmaPu: settings.sigmaPu,
    badData: settings.badData === 'on',
  };
  try {
    validateWorkerOptions(worker);
  } catch (error) {
    if (error instanceof EstimationError) throw new RecorderConfigError(error.message);
    throw error;
  }
  const influx = settings.influxUrl === undefined ? undefined : parseInfluxUrl(settings.influxUrl);
  return { settings, network, worker, influx };
}

/** `http://[user:password@]host[:port]/database`; the port defaults to 8086, the database to gridcloud. */
export function parseInfluxUrl(text: string): InfluxTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RecorderConfigError(
      `--influx-url must be a URL such as http://influxdb:8086/gridcloud, got '${text}'`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RecorderConfigError(`--influx-url must use http or https, got '${url.protocol}'`);
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')) || 'gridcloud';
  if (!/^[\w.-]+$/.test(database))
    throw new RecorderConfigError(
      `--influx-url names the database '${database}': use letters, digits, . _ -`,
    );
  return {
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.hostname,
    port: url.port === '' ? 8086 : Number(url.port),
    database,
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
  };
}

export function parseRedisUrl(text: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return url;
  } catch {
    // reported below
  }
  throw new RecorderConfigError(`--redis-url must be a URL such as redis://redis:6379, got '${text}'`);
}

function readNetwork(file: string): Network {
  try {
    return new Network(parseMatpowerCase(fs.readFileSync(file, 'utf8'), path.basename(file)));
  } catch (error) {
    if (error instanceof GridError || (error as NodeJS.ErrnoException).code !== undefined)
      throw new RecorderConfigError(`--case ${file}: ${(error as Error).message}`);
    throw error;
  }
}
