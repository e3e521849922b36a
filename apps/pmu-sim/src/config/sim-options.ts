import { PLACEMENT_STRATEGIES, type PlacementStrategy } from '@gridcloud/grid';
import { SimConfigError } from '../errors/sim-config-error';
import { DEFAULT_MOTION } from '../model/motion';
import type { SimModelOptions } from '../model/pmu-simulator';
import type { ScenarioEvent } from '../model/scenario-event';
import { numberFlag, parseFlags, parseHostPort, stringFlag } from './flags';

export interface SimOptions {
  readonly casePath: string;
  readonly placement: PlacementStrategy;
  /** Undefined: one PMU per placed bus. */
  readonly pmuCount: number | undefined;
  readonly model: Omit<SimModelOptions, 'pmuCount'>;
  readonly seed: number;
  readonly tcp: { readonly host: string; readonly port: number } | undefined;
  readonly udpTargets: readonly { readonly host: string; readonly port: number }[];
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  readonly truthPath: string | undefined;
  /** 0 runs until SIGTERM. */
  readonly durationS: number;
  /** Spontaneous transports (UDP, Kafka) resend each stream's CFG-2 this often, so a late listener can decode. */
  readonly configIntervalMs: number;
  /** A TCP client whose unsent bytes exceed this misses frames (counted) instead of growing our memory. */
  readonly maxSocketBufferBytes: number;
  /** After a stall, at most this many missed instants are sent late; older ones are skipped (counted). */
  readonly maxCatchUpFrames: number;
  readonly maxTcpClients: number;
  /** Frames buffered for Kafka before new ones are dropped (counted). */
  readonly maxKafkaQueueFrames: number;
}

export const SIM_FLAGS = [
  'case', 'placement', 'pmus', 'pmus-per-stream', 'fps', 'idcode-base', 'stream-idcode-base', 'noise-sigma-pu', 'freq-noise-hz',
  'resolve-interval-ms', 'load-drift', 'load-drift-period-s', 'freq-deviation-hz', 'freq-period-s', 'trip-line', 'dropout', 'gps-unlock',
  'tcp', 'udp', 'kafka-brokers', 'kafka-topic', 'truth', 'duration-s', 'config-interval-ms', 'max-socket-buffer-bytes',
  'max-catch-up-frames', 'max-tcp-clients', 'max-kafka-queue-frames', 'seed', 'freq-format', 'config-change',
] as const;

export const SIM_USAGE = `usage: pmu-sim --case FILE.m [--placement greedy|redundant|all] [--pmus N] [--pmus-per-stream K|all] [--stream-idcode-base 60000]
  [--fps 30|60] [--tcp HOST:PORT] [--udp HOST:PORT]... [--kafka-brokers H:P,...] [--kafka-topic pmu.frames]
  [--truth FILE.jsonl] [--trip-line BRANCH@SECONDS]... [--dropout IDCODE@FROM-TO]... [--gps-unlock IDCODE@FROM-TO]...
  [--config-change STREAM_IDCODE@SECONDS]...
  [--noise-sigma-pu S] [--load-drift A] [--freq-deviation-hz D] [--freq-format float|int16] [--duration-s S] [--seed N]`;

export function parseSimOptions(argv: readonly string[]): SimOptions {
  const f = parseFlags(argv, SIM_FLAGS);
  const casePath = stringFlag(f, 'case');
  if (casePath === undefined) throw new SimConfigError('--case is required: a MATPOWER case file such as ../shared/cases/case14.m');
  const placement = (stringFlag(f, 'placement') ?? 'greedy') as PlacementStrategy;
  if (!PLACEMENT_STRATEGIES.includes(placement)) throw new SimConfigError(`--placement must be one of ${PLACEMENT_STRATEGIES.join(', ')}, got '${placement}'`);
  const pmus = f.has('pmus') ? numberFlag(f, 'pmus', 1, 1, 60_000, true) : undefined;
  const tcpText = stringFlag(f, 'tcp');
  const options: SimOptions = {
    casePath,
    placement,
    pmuCount: pmus,
    model: parseModel(f),
    seed: numberFlag(f, 'seed', 1, 0, 0xffffffff, true),
    tcp: tcpText === undefined ? undefined : parseHostPort(tcpText, 'tcp'),
    udpTargets: (f.get('udp') ?? []).map((t) => parseHostPort(t, 'udp')),
    kafkaBrokers: (stringFlag(f, 'kafka-brokers') ?? '').split(',').filter((b) => b.length > 0),
    kafkaTopic: stringFlag(f, 'kafka-topic') ?? 'pmu.frames',
    truthPath: stringFlag(f, 'truth'),
    durationS: numberFlag(f, 'duration-s', 0, 0, 86_400 * 365),
    configIntervalMs: numberFlag(f, 'config-interval-ms', 1000, 10, 3_600_000),
    maxSocketBufferBytes: numberFlag(f, 'max-socket-buffer-bytes', 4 * 1024 * 1024, 1024, 1024 ** 3, true),
    maxCatchUpFrames: numberFlag(f, 'max-catch-up-frames', 30, 1, 10_000, true),
    maxTcpClients: numberFlag(f, 'max-tcp-clients', 256, 1, 65_536, true),
    maxKafkaQueueFrames: numberFlag(f, 'max-kafka-queue-frames', 200_000, 1, 10_000_000, true),
  };
  if (options.tcp === undefined && options.udpTargets.length === 0 && options.kafkaBrokers.length === 0) {
    throw new SimConfigError('give at least one output: --tcp HOST:PORT (command-driven), --udp HOST:PORT (spontaneous) or --kafka-brokers HOST:PORT');
  }
  return options;
}

function parseModel(f: Map<string, string[]>): Omit<SimModelOptions, 'pmuCount'> {
  const idcodeBase = numberFlag(f, 'idcode-base', 1000, 1, 65_535, true);
  const perStream = stringFlag(f, 'pmus-per-stream') === 'all' ? 'all' : numberFlag(f, 'pmus-per-stream', 1, 1, 256, true);
  return {
    framesPerSecond: numberFlag(f, 'fps', 30, 1, 240, true),
    pmusPerStream: perStream,
    idcodeBase,
    streamIdcodeBase: numberFlag(f, 'stream-idcode-base', 60_000, 1, 65_535, true),
    noiseSigmaPu: numberFlag(f, 'noise-sigma-pu', 0.002, 0, 0.5),
    freqNoiseHz: numberFlag(f, 'freq-noise-hz', 0.0005, 0, 1),
    resolveIntervalS: numberFlag(f, 'resolve-interval-ms', 1000, 10, 3_600_000) / 1000,
    freqFormat: parseFreqFormat(stringFlag(f, 'freq-format') ?? 'float'),
    motion: {
      ...DEFAULT_MOTION,
      loadDriftAmplitude: numberFlag(f, 'load-drift', DEFAULT_MOTION.loadDriftAmplitude, 0, 0.5),
      loadDriftPeriodS: numberFlag(f, 'load-drift-period-s', DEFAULT_MOTION.loadDriftPeriodS, 1, 86_400),
      freqDeviationHz: numberFlag(f, 'freq-deviation-hz', DEFAULT_MOTION.freqDeviationHz, 0, 5),
      freqPeriodS: numberFlag(f, 'freq-period-s', DEFAULT_MOTION.freqPeriodS, 0.1, 86_400),
    },
    events: [
      ...(f.get('trip-line') ?? []).map(parseTrip),
      ...(f.get('dropout') ?? []).map((t) => parseWindow('dropout', t)),
      ...(f.get('gps-unlock') ?? []).map((t) => parseWindow('gps-unlock', t)),
      ...(f.get('config-change') ?? []).map(parseConfigChange),
    ],
  };
}

function parseTrip(text: string): ScenarioEvent {
  const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(text);
  if (m === null) throw new SimConfigError(`--trip-line must be BRANCH@SECONDS (0-based branch row, seconds after start), got '${text}'`);
  return { kind: 'trip-line', branch: Number(m[1]), atS: Number(m[2]) };
}

function parseConfigChange(text: string): ScenarioEvent {
  const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(text);
  if (m === null || Number(m[1]) > 65_535) throw new SimConfigError(`--config-change must be STREAM_IDCODE@SECONDS, got '${text}'`);
  return { kind: 'config-change', idcode: Number(m[1]), atS: Number(m[2]) };
}

function parseWindow(kind: 'dropout' | 'gps-unlock', text: string): ScenarioEvent {
  const m = /^(\d+)@(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (m === null || Number(m[3]) <= Number(m[2]) || Number(m[1]) > 65_535) {
    throw new SimConfigError(`--${kind} must be IDCODE@FROM-TO (seconds after start, FROM < TO), got '${text}'`);
  }
  return { kind, idcode: Number(m[1]), fromS: Number(m[2]), toS: Number(m[3]) };
}

function parseFreqFormat(text: string): 'float' | 'int16' {
  if (text !== 'float' && text !== 'int16') throw new SimConfigError(`--freq-format must be float or int16, got '${text}'`);
  return text;
}
