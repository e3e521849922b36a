import fs from 'node:fs';
import path from 'node:path';
import { clusterSettings, setting, settingsSchema, type SettingsOf } from '@gridcloud/command-line';
import {
  DEFAULT_WORKER_OPTIONS,
  EstimationError,
  parseChannelMap,
  validateWorkerOptions,
  type ChannelMap,
  type WorkerOptions,
} from '@gridcloud/estimation';
import { GridError, Network, parseMatpowerCase } from '@gridcloud/grid';
import { EstimatorConfigError } from '../errors/estimator-config-error';

/** The estimator's flags; each also reads GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>. */
export const ESTIMATOR_SETTINGS = settingsSchema(
  'usage: estimator --case FILE.m [flags]',
  {
    casePath: setting.path({ flag: 'case', doc: 'MATPOWER case, the one pmu-sim runs', required: true }),
    areas: setting.int({
      flag: 'areas',
      doc: 'areas the network is cut into',
      min: 1,
      max: 65_535,
      default: 1,
    }),
    replicas: setting.int({
      flag: 'replicas',
      doc: 'workers computing each area',
      min: 1,
      max: 64,
      default: 2,
    }),
    sigmaPu: setting.number({
      flag: 'sigma-pu',
      doc: 'noise sigma per rectangular component',
      min: 1e-6,
      max: 0.5,
      unit: 'pu',
      default: 0.002,
    }),
    openBranchSigmas: setting.number({
      flag: 'open-branch-sigmas',
      doc: 'a branch whose every current is below this many sigma is open',
      min: 0,
      max: 100,
      default: 5,
    }),
    badData: setting.enum({
      flag: 'bad-data',
      doc: 'bad-data removal',
      values: ['on', 'off'],
      default: 'on',
    }),
    zeroInjection: setting.enum({
      flag: 'zero-injection',
      doc: 'buses without load or generation as zero-injection equality constraints',
      values: ['on', 'off'],
      default: 'on',
    }),
    badDataIdentification: setting.enum({
      flag: 'bad-data-identification',
      doc: 'name bad rows by the largest normalized residual, one at a time, or jointly (the smallest set of suspects that explains the frame); joint-questioned: jointly, then each removal re-tested with the rows still in (best on conforming errors)',
      values: ['largest-residual', 'joint', 'joint-questioned'],
      default: 'largest-residual',
    }),
    robust: setting.enum({
      flag: 'robust',
      doc: 'screen bad data with a Huber M-estimate before the normalized-residual loop',
      values: ['none', 'huber'],
      default: 'none',
    }),
    backupDelayMs: setting.int({
      flag: 'backup-delay-ms',
      doc: "a replica of rank j waits j times this for the primary's result",
      min: 0,
      max: 60_000,
      unit: 'ms',
      default: 0,
    }),
    maxQueuedAreas: setting.int({
      flag: 'max-queued-areas',
      doc: 'areas waiting to be computed at most; past it the oldest is shed',
      min: 1,
      max: 1_000_000,
      unit: 'areas',
      default: 256,
    }),
    channelMapPath: setting.path({ flag: 'channel-map', doc: 'channel placement of real PMUs (JSON)' }),
    kafkaBrokers: setting.hostPortList({ flag: 'kafka-brokers', doc: 'also publish results to Kafka' }),
    kafkaTopic: setting.string({
      flag: 'kafka-topic',
      doc: 'Kafka topic of results',
      default: 'grid.estimates',
    }),
    maxKafkaQueue: setting.int({
      flag: 'max-kafka-queue',
      doc: 'results waiting for Kafka at most',
      min: 1,
      max: 10_000_000,
      unit: 'results',
      default: 10_000,
    }),
    kafkaSnapshotsFrom: setting.hostPortList({
      flag: 'kafka-snapshots-from',
      doc: "also read ingest's snapshots and catalog from Kafka on these brokers (every partition)",
    }),
    kafkaSnapshotsTopic: setting.string({
      flag: 'kafka-snapshots-topic',
      doc: 'Kafka topic of snapshots (binary format)',
      default: 'pmu.snapshots',
    }),
    maxRememberedSnapshots: setting.int({
      flag: 'max-remembered-snapshots',
      doc: 'snapshot slots remembered to drop the second copy of one (group and Kafka)',
      min: 1,
      max: 10_000_000,
      unit: 'snapshots',
      default: 4096,
    }),
    ...clusterSettings(),
  },
  (message) => new EstimatorConfigError(message),
);

type Settings = SettingsOf<typeof ESTIMATOR_SETTINGS.definitions>;

/** The estimator's one validated configuration: the settings, the case read and the worker's options. */
export interface EstimatorOptions {
  readonly settings: Settings;
  readonly network: Network;
  readonly worker: WorkerOptions;
}

/** Parses flags and variables, reads the case and the channel map; any problem is an EstimatorConfigError. */
export function parseEstimatorOptions(argv: readonly string[], env: NodeJS.ProcessEnv): EstimatorOptions {
  const settings = ESTIMATOR_SETTINGS.parse(argv, env);
  const network = readNetwork(path.resolve(settings.casePath));
  if (settings.areas > network.busCount)
    throw new EstimatorConfigError(
      `--areas must be at most the case's ${network.busCount} buses, got ${settings.areas}`,
    );
  const channelMap =
    settings.channelMapPath === undefined ? undefined : readChannelMap(path.resolve(settings.channelMapPath));
  const worker: WorkerOptions = {
    ...DEFAULT_WORKER_OPTIONS,
    areas: settings.areas,
    replicas: settings.replicas,
    sigmaPu: settings.sigmaPu,
    openBranchSigmas: settings.openBranchSigmas,
    badData: settings.badData === 'on',
    zeroInjection: settings.zeroInjection === 'on',
    estimator: {
      ...DEFAULT_WORKER_OPTIONS.estimator,
      robustEstimator: settings.robust,
      badDataIdentification:
        settings.badDataIdentification === 'largest-residual' ? 'largestResidual' : 'joint',
      questionJointRemovals: settings.badDataIdentification === 'joint-questioned',
    },
    backupDelayMs: settings.backupDelayMs,
    maxQueuedAreas: settings.maxQueuedAreas,
    channelMap,
  };
  try {
    return { settings, network, worker: validateWorkerOptions(worker) };
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

function readChannelMap(file: string): ChannelMap {
  try {
    return parseChannelMap(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof EstimationError || (error as NodeJS.ErrnoException).code !== undefined)
      throw new EstimatorConfigError(`--channel-map: ${(error as Error).message}`);
    throw error;
  }
}
