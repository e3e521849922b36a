/**
 * `gridcloud measurements --case C.m [--placement greedy|redundant|all]
 * [--sigma 0.002] [--seed 1] --out m.csv [--truth truth.csv]` places PMUs and
 * writes synthetic phasor measurements (truth + seeded Gaussian noise). The
 * truth is read from --truth (a `bus,vm,va_deg` file from `powerflow`) when
 * given, otherwise solved here. With --sigma 0 the values are exact and the
 * CSV carries a nominal sigma of 0.001 pu, since weights must be finite.
 */
import {
  formatMeasurementCsv,
  GridError,
  parseVoltageCsv,
  placePmus,
  PLACEMENT_STRATEGIES,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  type BusVoltages,
  type Network,
  type PlacementStrategy,
} from '@gridcloud/grid';
import { INPUT_OPTIONS, INPUT_USAGE, inputBounds, type InputBounds } from '../input/input-options';
import { loadNetwork, readLines, requireString, runCommand, UsageError, writeText } from './powerflow';

const USAGE = [
  'usage: gridcloud measurements --case C.m [--placement greedy|redundant|all] [--sigma 0.002] [--seed 1] --out m.csv [--truth truth.csv] [input bounds]',
  INPUT_USAGE,
].join('\n');

function numberOption(values: Record<string, unknown>, key: string, fallback: number): number {
  const raw = values[key];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v))
    throw new UsageError(`--${key} expects a number, got '${String(raw)}'`);
  return v;
}

function loadTruth(net: Network, path: string | undefined, bounds: InputBounds): BusVoltages {
  if (path === undefined) return solvePowerFlow(net);
  const parsed = parseVoltageCsv(readLines(path, 'truth CSV', bounds), net, path);
  const missing = parsed.present.indexOf(0);
  if (missing >= 0)
    throw new GridError(
      `truth CSV '${path}' has no row for bus ${net.busIds[missing]}; write it with 'gridcloud powerflow'`,
    );
  return parsed;
}

export async function run(argv: string[]): Promise<number> {
  const options = {
    case: { type: 'string' },
    out: { type: 'string' },
    placement: { type: 'string' },
    sigma: { type: 'string' },
    seed: { type: 'string' },
    truth: { type: 'string' },
    ...INPUT_OPTIONS,
  } as const;
  return runCommand('measurements', USAGE, argv, options, (values) => {
    const bounds = inputBounds(values);
    const net = loadNetwork(requireString(values, 'case'), bounds);
    const out = requireString(values, 'out');
    const placement = ((values.placement as string | undefined) ?? 'greedy') as PlacementStrategy;
    if (!PLACEMENT_STRATEGIES.includes(placement)) {
      throw new UsageError(
        `--placement must be one of ${PLACEMENT_STRATEGIES.join(', ')}, got '${placement}'`,
      );
    }
    const sigma = numberOption(values, 'sigma', 0.002);
    if (!(sigma >= 0 && sigma < 1)) throw new UsageError(`--sigma must be in [0, 1) per unit, got ${sigma}`);
    const seed = numberOption(values, 'seed', 1);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new UsageError(`--seed must be an integer in [0, 2^32), got ${seed}`);
    const truth = loadTruth(net, values.truth as string | undefined, bounds);
    const pmus = placePmus(net, placement);
    const set = synthesizeMeasurements(net, truth, pmus, sigma, new SeededRandom(seed));
    writeText(out, formatMeasurementCsv(set, net), 'measurement CSV');
    process.stderr.write(
      `${net.caseName}: ${pmus.length} PMUs (${placement}), ${set.count} phasors, sigma ${sigma} pu\n`,
    );
    return 0;
  });
}
