import fs from 'node:fs';
import path from 'node:path';
import { flagParser } from '@gridcloud/command-line';
import {
  DEFAULT_WORKER_OPTIONS,
  EstimationError,
  parseChannelMap,
  validateWorkerOptions,
  type WorkerOptions,
} from '@gridcloud/estimation';
import { GridError, Network, parseMatpowerCase } from '@gridcloud/grid';
import { EstimatorConfigError } from '../errors/estimator-config-error';
import { envName, withEnvFallback } from './env-fallback';

const { parseFlags, numberFlag, stringFlag, parseHostPort } = flagParser((m) => new EstimatorConfigError(m));

export const ESTIMATOR_FLAGS = [
  'case',
  'areas',
  'replicas',
  'sigma-pu',
  'open-branch-sigmas',
  'bad-data',
  'backup-delay-ms',
  'channel-map',
  'vsync-host',
  'vsync-port',
  'vsync-seeds',
  'http-port',
  'kafka-brokers',
  'kafka-topic',
  'max-kafka-queue',
  'stats-interval-ms',
  'duration-s',
];

export const ESTIMATOR_USAGE = `usage: estimator --case FILE.m [--areas 1] [--replicas 2] [--sigma-pu 0.002]
  [--open-branch-sigmas 5] [--bad-data on|off] [--backup-delay-ms 0] [--channel-map FILE.json]
  [--vsync-host 127.0.0.1] [--vsync-port 0] [--vsync-seeds HOST:PORT,...] [--http-port 0|off]
  [--kafka-brokers HOST:PORT,...] [--kafka-topic grid.estimates] [--max-kafka-queue 10000]
  [--stats-interval-ms 0] [--duration-s 0]
  Every flag may come from GRIDCLOUD_<FLAG_IN_UPPER_SNAKE> (e.g. GRIDCLOUD_CASE).`;

/** The estimator's one validated configuration. */
export interface EstimatorOptions {
  readonly casePath: string;
  readonly network: Network;
  readonly worker: WorkerOptions;
  readonly vsyncHost: string;
  readonly vsyncPort: number;
  readonly vsyncSeeds: readonly string[];
  readonly httpPort: number | 'off';
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  /** Results waiting for Kafka at most; past it they are dropped and counted. */
  readonly maxKafkaQueue: number;
  /** 0: no periodic stats line. */
  readonly statsIntervalMs: number;
  /** 0: run until SIGTERM/SIGINT. */
  readonly durationS: number;
}

export function parseEstimatorOptions(argv: readonly string[], env: NodeJS.ProcessEnv): EstimatorOptions {
  const f = parseFlags(withEnvFallback(argv, ESTIMATOR_FLAGS, env), ESTIMATOR_FLAGS);
  const file = stringFlag(f, 'case');
  if (file === undefined)
    throw new EstimatorConfigError(`--case (or ${envName('case')}) is required: a MATPOWER .m file`);
  const network = readNetwork(path.resolve(file));
  const seeds = list(stringFlag(f, 'vsync-seeds'));
  for (const seed of seeds) parseHostPort(seed, 'vsync-seeds');
  const brokers = list(stringFlag(f, 'kafka-brokers'));
  for (const broker of brokers) parseHostPort(broker, 'kafka-brokers');
  return {
    casePath: path.resolve(file),
    network,
    worker: workerOptions(f, network),
    vsyncHost: stringFlag(f, 'vsync-host') ?? '127.0.0.1',
    vsyncPort: numberFlag(f, 'vsync-port', 0, 0, 65_535, true),
    vsyncSeeds: seeds,
    httpPort: httpPort(stringFlag(f, 'http-port') ?? '0'),
    kafkaBrokers: brokers,
    kafkaTopic: stringFlag(f, 'kafka-topic') ?? 'grid.estimates',
    maxKafkaQueue: numberFlag(f, 'max-kafka-queue', 10_000, 1, 10_000_000, true),
    statsIntervalMs: numberFlag(f, 'stats-interval-ms', 0, 0, 3_600_000, true),
    durationS: numberFlag(f, 'duration-s', 0, 0, 31_536_000),
  };
}

function workerOptions(f: ReturnType<typeof parseFlags>, network: Network): WorkerOptions {
  const badData = stringFlag(f, 'bad-data') ?? 'on';
  if (badData !== 'on' && badData !== 'off')
    throw new EstimatorConfigError(`--bad-data must be on or off, got '${badData}'`);
  const mapFile = stringFlag(f, 'channel-map');
  const options: WorkerOptions = {
    ...DEFAULT_WORKER_OPTIONS,
    areas: numberFlag(f, 'areas', 1, 1, network.busCount, true),
    replicas: numberFlag(f, 'replicas', 2, 1, 64, true),
    sigmaPu: numberFlag(f, 'sigma-pu', 0.002, 1e-6, 0.5),
    openBranchSigmas: numberFlag(f, 'open-branch-sigmas', 5, 0, 100),
    badData: badData === 'on',
    backupDelayMs: numberFlag(f, 'backup-delay-ms', 0, 0, 60_000, true),
    channelMap: mapFile === undefined ? undefined : readChannelMap(path.resolve(mapFile)),
  };
  try {
    return validateWorkerOptions(options);
  } catch (error) {
    if (error instanceof EstimationError) throw new EstimatorConfigError(error.message);
    throw error;
  }
}

function readNetwork(file: string): Network {
  try {
    return new Network(parseMatpowerCase(fs.readFileSync(file, 'utf8'), path.basename(file)));
  } catch (error) {
    if (error instanceof GridError || (error as NodeJS.ErrnoException).code !== undefined)
      throw new EstimatorConfigError(`--case ${file}: ${(error as Error).message}`);
    throw error;
  }
}

function readChannelMap(file: string): ReturnType<typeof parseChannelMap> {
  try {
    return parseChannelMap(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof EstimationError || (error as NodeJS.ErrnoException).code !== undefined)
      throw new EstimatorConfigError(`--channel-map: ${(error as Error).message}`);
    throw error;
  }
}

function httpPort(text: string): number | 'off' {
  if (text === 'off') return 'off';
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new EstimatorConfigError(`--http-port must be a port in [0, 65535] or 'off', got '${text}'`);
  return port;
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').filter((s) => s.length > 0);
}
