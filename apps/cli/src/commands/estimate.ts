/**
 * `gridcloud estimate --case C.m --measurements m.csv --out est.csv
 * [--bad-data] [--bad-data-lnr] [--bad-data-identification largest-residual|joint|joint-questioned]
 * [--robust huber|none] [--zero-injection] [--areas k|case]` runs the linear state estimator on a
 * measurement CSV and writes `bus,vm,va_deg` for the observable buses;
 * unobservable buses and removed bad data are listed on stderr. With
 * --areas the two-level (area + coordinator) estimate is written and its
 * distance to the centralized estimate reported.
 */
import {
  AreaEstimator,
  DEFAULT_ESTIMATOR_OPTIONS,
  formatVoltageCsv,
  GridError,
  LinearStateEstimator,
  MeasurementKind,
  MeasurementModel,
  MeasurementSet,
  parseMeasurementCsv,
  partitionBuses,
  SingularSystemError,
  type EstimateReport,
  type EstimatorOptions,
  type Network,
} from '@gridcloud/grid';
import { INPUT_OPTIONS, INPUT_USAGE, inputBounds } from '../input/input-options';
import { loadNetwork, readLines, requireString, runCommand, UsageError, writeText } from './powerflow';

const USAGE = [
  'usage: gridcloud estimate --case C.m --measurements m.csv --out est.csv [--bad-data] [--bad-data-lnr] [--bad-data-identification largest-residual|joint|joint-questioned] [--robust huber|none] [--zero-injection] [--areas k|case] [input bounds]',
  '  --bad-data        chi-square test on J(x); while it fails, remove the largest normalized residual',
  '  --bad-data-lnr    also test the largest normalized residual when chi-square passes (large cases)',
  '  --bad-data-identification largest-residual (default: one row at a time, each removal questioned) | joint',
  '                  (the smallest set of suspects that explains the frame, near-twins as a group) | joint-questioned',
  '                  (joint, then each removal re-tested with the rows still in: best on conforming errors)',
  '  --robust huber    screen bad data with a Huber M-estimate first (several interacting errors); default none',
  '  --zero-injection  buses without load or generation inject exactly zero current (equality constraints)',
  '  --areas           two-level estimate over k graph areas or the case area column',
  INPUT_USAGE,
].join('\n');

function polar(vRe: Float64Array, vIm: Float64Array): { vm: Float64Array; va: Float64Array } {
  return { vm: vRe.map((re, i) => Math.hypot(re, vIm[i])), va: vRe.map((re, i) => Math.atan2(vIm[i], re)) };
}

function robustOption(raw: unknown): 'none' | 'huber' {
  if (raw === undefined || raw === 'none') return 'none';
  if (raw === 'huber') return 'huber';
  throw new UsageError(`--robust expects 'huber' or 'none', got '${String(raw)}'`);
}

/** The libs/grid options a --bad-data-identification value stands for. */
function identificationOption(
  raw: unknown,
): Pick<EstimatorOptions, 'badDataIdentification' | 'questionJointRemovals'> {
  if (raw === undefined || raw === 'largest-residual')
    return { badDataIdentification: 'largestResidual', questionJointRemovals: false };
  if (raw === 'joint') return { badDataIdentification: 'joint', questionJointRemovals: false };
  if (raw === 'joint-questioned') return { badDataIdentification: 'joint', questionJointRemovals: true };
  throw new UsageError(
    `--bad-data-identification expects 'largest-residual', 'joint' or 'joint-questioned', got '${String(raw)}'`,
  );
}

function areasOption(raw: unknown): number | 'case' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'case') return 'case';
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1)
    throw new UsageError(`--areas expects a positive integer or 'case', got '${String(raw)}'`);
  return k;
}

function describe(net: Network, report: EstimateReport, lines: Int32Array): void {
  const unobservable = [...report.observable].flatMap((o, i) => (o === 0 ? [net.busIds[i]] : []));
  if (unobservable.length > 0)
    process.stderr.write(`unobservable buses (left out): ${unobservable.join(' ')}\n`);
  report.removed.forEach((r, i) => {
    const twins = [...report.suspectGroups[i]].filter((x) => x !== r.row).map((x) => lines[x]);
    // Rows whose residuals cannot be told from the removed one: the bad datum may be any of them.
    const suspects = twins.length === 0 ? '' : `; indistinguishable from CSV lines ${twins.join(' ')}`;
    process.stderr.write(
      `bad data removed: measurement on CSV line ${lines[r.row]} (normalized residual ${r.normalizedResidual.toFixed(2)})${suspects}\n`,
    );
  });
  // An error on a critical measurement is never detected, one in a critical pair never identified.
  if (report.criticalRows.length > 0 || report.criticalPairs.length > 0)
    process.stderr.write(
      `critical measurements (errors undetectable) on CSV lines: ${[...report.criticalRows].map((r) => lines[r]).join(' ') || 'none'}; ` +
        `critical pairs (errors not identifiable): ${report.criticalPairs.map(([a, b]) => `${lines[a]}/${lines[b]}`).join(' ') || 'none'}\n`,
    );
  const test = Number.isNaN(report.threshold)
    ? 'no redundancy, chi-square test not possible'
    : `chi-square threshold ${report.threshold.toFixed(2)} at ${report.degreesOfFreedom} degrees of freedom`;
  process.stderr.write(
    `J(x) = ${report.cost.toFixed(4)}, ${test}${report.badDataRemains ? ': BAD DATA REMAINS' : ''}\n`,
  );
}

/** The measurement set without the removed rows, for the area estimators. */
function withoutRows(set: MeasurementSet, removed: readonly { row: number }[]): MeasurementSet {
  const drop = new Set(removed.map((r) => r.row));
  return new MeasurementSet(
    Array.from({ length: set.count }, (_, i) => i)
      .filter((i) => !drop.has(i))
      .map((i) => set.spec(i)),
  );
}

function areaEstimate(
  net: Network,
  set: MeasurementSet,
  areas: number | 'case',
  central: EstimateReport,
  zeroInjection: boolean,
): { vRe: Float64Array; vIm: Float64Array; observable: Uint8Array } {
  const labels = partitionBuses(net, areas);
  const estimator = new AreaEstimator(net, set, labels, DEFAULT_ESTIMATOR_OPTIONS, { zeroInjection });
  const result = estimator.estimate(set.re, set.im);
  let worst = 0;
  for (let b = 0; b < net.busCount; b++) {
    if (result.observable[b] === 1 && central.observable[b] === 1) {
      worst = Math.max(worst, Math.hypot(result.vRe[b] - central.vRe[b], result.vIm[b] - central.vIm[b]));
    }
  }
  process.stderr.write(
    `areas: ${estimator.areaCount} area estimators, ${result.boundaryBuses} boundary buses reconciled; ` +
      `max |V_area - V_central| = ${worst.toExponential(3)} pu\n`,
  );
  return result;
}

/** Names the CSV lines of the measurements around the bus a singular system could not determine. */
function withCsvLines(
  error: SingularSystemError,
  net: Network,
  set: MeasurementSet,
  lines: Int32Array,
  csvPath: string,
): GridError {
  const b = error.busIndex;
  const near: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const k = set.branch[i];
    const touches =
      set.kind[i] === MeasurementKind.VOLTAGE
        ? set.bus[i] === b
        : net.branchFrom[k] === b || net.branchTo[k] === b;
    if (touches) near.push(lines[i]);
  }
  const where =
    near.length === 0
      ? 'no measurement involves it'
      : `measurements involving it are on CSV lines ${near.join(', ')}`;
  return new GridError(`${csvPath}: ${error.message}; ${where}`);
}

export async function run(argv: string[]): Promise<number> {
  const options = {
    case: { type: 'string' },
    measurements: { type: 'string' },
    out: { type: 'string' },
    'bad-data': { type: 'boolean' },
    'bad-data-lnr': { type: 'boolean' },
    'bad-data-identification': { type: 'string' },
    robust: { type: 'string' },
    'zero-injection': { type: 'boolean' },
    areas: { type: 'string' },
    ...INPUT_OPTIONS,
  } as const;
  return runCommand('estimate', USAGE, argv, options, (values) => {
    const bounds = inputBounds(values);
    const net = loadNetwork(requireString(values, 'case'), bounds);
    const csvPath = requireString(values, 'measurements');
    const out = requireString(values, 'out');
    const areas = areasOption(values.areas);
    const robustEstimator = robustOption(values.robust);
    const identification = identificationOption(values['bad-data-identification']);
    const zeroInjection = values['zero-injection'] === true;
    const { set, lines } = parseMeasurementCsv(
      readLines(csvPath, 'measurement CSV', bounds),
      net,
      csvPath,
      bounds,
    );
    const lnr = values['bad-data-lnr'] === true;
    const options = {
      ...DEFAULT_ESTIMATOR_OPTIONS,
      ...identification,
      normalizedResidualDetection: lnr,
      robustEstimator,
    };
    const model = MeasurementModel.central(net, set, { zeroInjection });
    const estimator = new LinearStateEstimator(model, options);
    let report: EstimateReport;
    try {
      report = estimator.estimate(set.re, set.im, [], values['bad-data'] === true || lnr);
    } catch (error) {
      throw error instanceof SingularSystemError ? withCsvLines(error, net, set, lines, csvPath) : error;
    }
    if (zeroInjection) process.stderr.write(`zero-injection constraints: ${model.zeroInjection.count}\n`);
    describe(net, report, lines);
    const chosen =
      areas === undefined
        ? report
        : areaEstimate(net, withoutRows(set, report.removed), areas, report, zeroInjection);
    writeText(out, formatVoltageCsv(net, polar(chosen.vRe, chosen.vIm), chosen.observable), 'estimate CSV');
    return 0;
  });
}
