import {
  clusterSettingsOf,
  type ClusterSettings,
  type HostPort,
  type SettingsOf,
} from '@gridcloud/command-line';
import type { PlacementStrategy } from '@gridcloud/grid';
import { SimConfigError } from '../errors/sim-config-error';
import { DEFAULT_MOTION } from '../model/motion';
import type { SimModelOptions } from '../model/pmu-simulator';
import type { StreamFormat } from '../model/stream-format';
import { SIM_SETTINGS } from './sim-settings';

export interface SimOptions {
  readonly casePath: string;
  readonly placement: PlacementStrategy;
  /** Undefined: one PMU per placed bus. */
  readonly pmuCount: number | undefined;
  readonly model: Omit<SimModelOptions, 'pmuCount'>;
  readonly seed: number;
  readonly tcp: HostPort | undefined;
  readonly udpTargets: readonly HostPort[];
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
  /**
   * Operating points solved ahead of the frames on a worker thread (drift steps and trips to come); 0 solves each
   * on the emitting thread when its first frame is due, which delays that instant's frames.
   */
  readonly truthLookAheadPoints: number;
  readonly maxTcpClients: number;
  /** Frames buffered for Kafka before new ones are dropped (counted). */
  readonly maxKafkaQueueFrames: number;
}

/** What the simulator runs with (SimOptions) and how it takes part in the cluster. */
export interface SimSettings {
  readonly sim: SimOptions;
  readonly cluster: ClusterSettings;
}

/** The --help text, generated from the settings. */
export const SIM_USAGE = SIM_SETTINGS.help();

/** Reads flags, then GRIDCLOUD_ variables, then defaults; a bad value is a SimConfigError naming the flag or variable. */
export function parseSimSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): SimSettings {
  const s = SIM_SETTINGS.parse(argv, env);
  const sim: SimOptions = {
    casePath: s.casePath,
    placement: s.placement,
    pmuCount: s.pmus,
    model: model(s),
    seed: s.seed,
    tcp: s.tcp,
    udpTargets: s.udp,
    kafkaBrokers: s.kafkaBrokers,
    kafkaTopic: s.kafkaTopic,
    truthPath: s.truth,
    durationS: s.durationS,
    configIntervalMs: s.configIntervalMs,
    maxSocketBufferBytes: s.maxSocketBufferBytes,
    maxCatchUpFrames: s.maxCatchUpFrames,
    truthLookAheadPoints: s.truthLookAheadPoints,
    maxTcpClients: s.maxTcpClients,
    maxKafkaQueueFrames: s.maxKafkaQueueFrames,
  };
  if (sim.tcp === undefined && sim.udpTargets.length === 0 && sim.kafkaBrokers.length === 0) {
    throw new SimConfigError(
      'give at least one output: --tcp HOST:PORT (command-driven), --udp HOST:PORT (spontaneous) or --kafka-brokers HOST:PORT',
    );
  }
  const cluster = clusterSettingsOf(s);
  return { sim, cluster };
}

/** The simulator's options alone (flags only, as the command line always read them). */
export function parseSimOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): SimOptions {
  return parseSimSettings(argv, env).sim;
}

/** Per-stream formats by IDCODE; naming a stream twice is a mistake worth stopping for. */
function streamFormats(
  list: readonly { readonly idcode: number; readonly format: StreamFormat }[],
): ReadonlyMap<number, StreamFormat> {
  const out = new Map<number, StreamFormat>();
  for (const { idcode, format } of list) {
    if (out.has(idcode)) throw new SimConfigError(`--stream-format names stream ${idcode} twice`);
    out.set(idcode, format);
  }
  return out;
}

function model(s: SettingsOf<typeof SIM_SETTINGS.definitions>): Omit<SimModelOptions, 'pmuCount'> {
  return {
    framesPerSecond: s.fps,
    pmusPerStream: s.pmusPerStream,
    idcodeBase: s.idcodeBase,
    streamIdcodeBase: s.streamIdcodeBase,
    noiseSigmaPu: s.noiseSigmaPu,
    freqNoiseHz: s.freqNoiseHz,
    resolveIntervalS: s.resolveIntervalMs / 1000,
    freqFormat: s.freqFormat,
    format: {
      phasors: s.phasorFormat,
      linePower: s.analogs === 'line-power',
      breakers: s.digitals === 'breakers',
    },
    streamFormats: streamFormats(s.streamFormat),
    motion: {
      ...DEFAULT_MOTION,
      loadDriftAmplitude: s.loadDrift,
      loadDriftPeriodS: s.loadDriftPeriodS,
      freqDeviationHz: s.freqDeviationHz,
      freqPeriodS: s.freqPeriodS,
    },
    events: [...s.tripLine, ...s.dropout, ...s.gpsUnlock, ...s.configChange],
  };
}
