import { clusterSettings, setting, settingsSchema, type CustomSyntax } from '@gridcloud/command-line';
import { PLACEMENT_STRATEGIES } from '@gridcloud/grid';
import { SimConfigError } from '../errors/sim-config-error';
import { DEFAULT_MOTION } from '../model/motion';
import type { ScenarioEvent } from '../model/scenario-event';
import { parseStreamFormat, PHASOR_FORMATS, type StreamFormat } from '../model/stream-format';

const MAX_IDCODE = 65_535;

const tripLine: CustomSyntax<ScenarioEvent> = {
  metavar: 'BRANCH@SECONDS',
  description: '0-based branch row @ seconds after start',
  parse(text) {
    const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(text);
    if (m === null) return { expected: 'BRANCH@SECONDS (0-based branch row, seconds after start)' };
    return { value: { kind: 'trip-line', branch: Number(m[1]), atS: Number(m[2]) } };
  },
};

const configChange: CustomSyntax<ScenarioEvent> = {
  metavar: 'STREAM_IDCODE@SECONDS',
  description: 'stream IDCODE @ seconds after start',
  parse(text) {
    const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(text);
    if (m === null || Number(m[1]) > MAX_IDCODE) return { expected: 'STREAM_IDCODE@SECONDS' };
    return { value: { kind: 'config-change', idcode: Number(m[1]), atS: Number(m[2]) } };
  },
};

function window(kind: 'dropout' | 'gps-unlock'): CustomSyntax<ScenarioEvent> {
  return {
    metavar: 'IDCODE@FROM-TO',
    description: 'PMU IDCODE @ seconds after start, FROM < TO',
    parse(text) {
      const m = /^(\d+)@(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
      if (m === null || Number(m[3]) <= Number(m[2]) || Number(m[1]) > MAX_IDCODE)
        return { expected: 'IDCODE@FROM-TO (seconds after start, FROM < TO)' };
      return { value: { kind, idcode: Number(m[1]), fromS: Number(m[2]), toS: Number(m[3]) } };
    },
  };
}

/** One stream's own format: `STREAM_IDCODE@PHASORS[+line-power][+breakers]`. */
const streamFormat: CustomSyntax<{ readonly idcode: number; readonly format: StreamFormat }> = {
  metavar: 'STREAM_IDCODE@PHASORS[+line-power][+breakers]',
  description: `PHASORS one of ${PHASOR_FORMATS.join(', ')}`,
  parse(text) {
    const m = /^(\d+)@(.+)$/.exec(text);
    if (m === null || Number(m[1]) > MAX_IDCODE)
      return { expected: 'STREAM_IDCODE@PHASORS[+line-power][+breakers], e.g. 1003@polar-int16+breakers' };
    const format = parseStreamFormat(m[2]);
    return 'expected' in format
      ? { expected: `STREAM_IDCODE@${format.expected}` }
      : { value: { idcode: Number(m[1]), format } };
  },
};

const pmusPerStream: CustomSyntax<number | 'all'> = {
  metavar: 'K|all',
  description: 'integer 1..256, or all',
  parse(text) {
    if (text === 'all') return { value: 'all' };
    const k = Number(text);
    return Number.isInteger(k) && k >= 1 && k <= 256
      ? { value: k }
      : { expected: 'an integer in 1..256, or all' };
  },
};

/** Every setting of the PMU simulator: its own, then the cluster's. */
export const SIM_SETTINGS = settingsSchema(
  'usage: pmu-sim --case FILE.m (--tcp HOST:PORT | --udp HOST:PORT | --kafka-brokers H:P,...) [flags]',
  {
    casePath: setting.path({
      flag: 'case',
      doc: 'MATPOWER case file, e.g. data/cases/case14.m',
      required: true,
    }),
    placement: setting.enum({
      flag: 'placement',
      doc: 'where PMUs go',
      values: PLACEMENT_STRATEGIES,
      default: 'greedy',
    }),
    pmus: setting.int({
      flag: 'pmus',
      doc: 'PMUs to simulate (default: one per placed bus)',
      min: 1,
      max: 60_000,
    }),
    pmusPerStream: setting.custom({
      flag: 'pmus-per-stream',
      doc: 'PMUs per C37.118 stream',
      ...pmusPerStream,
      default: 1,
    }),
    fps: setting.int({
      flag: 'fps',
      doc: 'frames per second',
      min: 1,
      max: 240,
      unit: 'frames/s',
      default: 30,
    }),
    idcodeBase: setting.int({
      flag: 'idcode-base',
      doc: 'IDCODE of the first PMU',
      min: 1,
      max: MAX_IDCODE,
      default: 1000,
    }),
    streamIdcodeBase: setting.int({
      flag: 'stream-idcode-base',
      doc: 'IDCODE of the first multi-PMU stream',
      min: 1,
      max: MAX_IDCODE,
      default: 60_000,
    }),
    noiseSigmaPu: setting.number({
      flag: 'noise-sigma-pu',
      doc: 'phasor noise',
      min: 0,
      max: 0.5,
      unit: 'pu',
      default: 0.002,
    }),
    freqNoiseHz: setting.number({
      flag: 'freq-noise-hz',
      doc: 'frequency noise',
      min: 0,
      max: 1,
      unit: 'Hz',
      default: 0.0005,
    }),
    resolveIntervalMs: setting.number({
      flag: 'resolve-interval-ms',
      doc: 'how often the power flow is solved again',
      min: 10,
      max: 3_600_000,
      unit: 'ms',
      default: 1000,
    }),
    freqFormat: setting.enum({
      flag: 'freq-format',
      doc: 'frequency field format',
      values: ['float', 'int16'],
      default: 'float',
    }),
    phasorFormat: setting.enum({
      flag: 'phasor-format',
      doc: 'phasor encoding of every stream (int16: PHUNIT 5 for voltages, 50 for currents, in per unit)',
      values: PHASOR_FORMATS,
      default: 'rect-float',
    }),
    analogs: setting.enum({
      flag: 'analogs',
      doc: 'analog channels of every stream: line-power = MW and MVAr per branch end',
      values: ['none', 'line-power'],
      default: 'none',
    }),
    digitals: setting.enum({
      flag: 'digitals',
      doc: 'digital words of every stream: breakers = a bit per branch end, 1 while closed',
      values: ['none', 'breakers'],
      default: 'none',
    }),
    streamFormat: setting.customList({
      flag: 'stream-format',
      doc: "one stream's own phasor format, analogs and digitals",
      ...streamFormat,
    }),
    loadDrift: setting.number({
      flag: 'load-drift',
      doc: 'load drift amplitude',
      min: 0,
      max: 0.5,
      default: DEFAULT_MOTION.loadDriftAmplitude,
    }),
    loadDriftPeriodS: setting.number({
      flag: 'load-drift-period-s',
      doc: 'load drift period',
      min: 1,
      max: 86_400,
      unit: 's',
      default: DEFAULT_MOTION.loadDriftPeriodS,
    }),
    freqDeviationHz: setting.number({
      flag: 'freq-deviation-hz',
      doc: 'system frequency swing',
      min: 0,
      max: 5,
      unit: 'Hz',
      default: DEFAULT_MOTION.freqDeviationHz,
    }),
    freqPeriodS: setting.number({
      flag: 'freq-period-s',
      doc: 'system frequency swing period',
      min: 0.1,
      max: 86_400,
      unit: 's',
      default: DEFAULT_MOTION.freqPeriodS,
    }),
    tripLine: setting.customList({ flag: 'trip-line', doc: 'trip a branch', ...tripLine }),
    dropout: setting.customList({ flag: 'dropout', doc: 'a PMU goes silent', ...window('dropout') }),
    gpsUnlock: setting.customList({
      flag: 'gps-unlock',
      doc: 'a PMU loses GPS lock',
      ...window('gps-unlock'),
    }),
    configChange: setting.customList({
      flag: 'config-change',
      doc: 'a stream announces a new configuration',
      ...configChange,
    }),
    tcp: setting.hostPort({ flag: 'tcp', doc: 'command-driven C37.118 TCP listener (port 0 = ephemeral)' }),
    udp: setting.hostPortList({ flag: 'udp', doc: 'spontaneous C37.118 UDP target' }),
    kafkaBrokers: setting.list({ flag: 'kafka-brokers', doc: 'Kafka brokers to produce frames to' }),
    kafkaTopic: setting.string({
      flag: 'kafka-topic',
      doc: 'Kafka topic of raw frames',
      default: 'pmu.frames',
    }),
    truth: setting.path({ flag: 'truth', doc: 'write the power-flow truth here as JSON lines' }),
    seed: setting.int({ flag: 'seed', doc: 'random seed', min: 0, max: 0xffffffff, default: 1 }),
    configIntervalMs: setting.number({
      flag: 'config-interval-ms',
      doc: 'how often UDP and Kafka resend each CFG-2',
      min: 10,
      max: 3_600_000,
      unit: 'ms',
      default: 1000,
    }),
    maxSocketBufferBytes: setting.int({
      flag: 'max-socket-buffer-bytes',
      doc: 'unsent bytes a TCP client may hold before it misses frames',
      min: 1024,
      max: 1024 ** 3,
      unit: 'bytes',
      default: 4 * 1024 * 1024,
    }),
    maxCatchUpFrames: setting.int({
      flag: 'max-catch-up-frames',
      doc: 'missed instants sent late after a stall',
      min: 1,
      max: 10_000,
      unit: 'frames',
      default: 30,
    }),
    truthLookAheadPoints: setting.int({
      flag: 'truth-look-ahead-points',
      doc: 'operating points solved ahead on a worker thread (0: on the emitting thread)',
      min: 0,
      max: 64,
      unit: 'points',
      default: 4,
    }),
    maxTcpClients: setting.int({
      flag: 'max-tcp-clients',
      doc: 'TCP clients at once',
      min: 1,
      max: 65_536,
      default: 256,
    }),
    maxKafkaQueueFrames: setting.int({
      flag: 'max-kafka-queue-frames',
      doc: 'frames buffered for Kafka before new ones are dropped',
      min: 1,
      max: 10_000_000,
      unit: 'frames',
      default: 200_000,
    }),
    ...clusterSettings(),
  },
  (message) => new SimConfigError(message),
);
