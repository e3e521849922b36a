/**
 * Bad-data benchmark: detection and identification of the linear estimator on planted gross errors, on
 * case2869pegase (a grid no spec uses), for a redundant and a greedy PMU placement, and the greedy one with
 * zero-injection constraints (which leave fewer critical measurements), each with the errors placed independently
 * and interacting (bench/bad-data/planting.ts). Each trial draws a noisy frame (sigma 0.002 pu) and adds
 * ERRORS_PER_TRIAL errors of 20-50 sigma, in a random direction, to distinct measurements that are neither
 * critical nor in a critical pair (an error there cannot be identified). Every method runs on the same trials:
 * 'plain' (the largest-normalized-residual loop as --bad-data --bad-data-lnr ran it before, never revisiting a
 * removal: plain-lnr.ts), 'plainOriginalOmega' (the same with the original set's residual sensitivities), 'lnr'
 * (libs/grid's loop, each removal questioned) and 'huber' (a Huber screen first). A trial counts as identified when
 * exactly the planted measurements were removed ("exact"); per method: wrong removals (goodRemoved), missed
 * errors, the RMS voltage error, and `sameTrials` (trials only lnr, or only a plain method, got exact). A trial
 * that is not exact but whose every planted error was removed or lies in the suspect group the estimate reports
 * is counted apart, never as exact. `--trials N` (default 20) per setup, `--case NAME`; the last line is the JSON
 * summary.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_ESTIMATOR_OPTIONS,
  LinearStateEstimator,
  MeasurementModel,
  Network,
  parseMatpowerCase,
  placePmus,
  rectangular,
  SeededRandom,
  solvePowerFlow,
  synthesizeMeasurements,
  type EstimateReport,
  type EstimatorOptions,
  type PlacementStrategy,
} from '@gridcloud/grid';
import { plainLnr, plainLnrOriginalOmega } from './plain-lnr';
import { plantRows, type ErrorPattern } from './planting';
import { casePath } from '../../test/support/data-files';

const SIGMA_PU = 0.002;
const ERRORS_PER_TRIAL = 3;
const MIN_ERROR_SIGMAS = 20;
const MAX_ERROR_SIGMAS = 50;
interface Setup {
  readonly placement: PlacementStrategy;
  readonly zeroInjection: boolean;
  readonly errors: ErrorPattern;
}
const SETUPS: Setup[] = (['independent', 'interacting'] as const).flatMap((errors) => [
  { placement: 'redundant', zeroInjection: false, errors },
  { placement: 'greedy', zeroInjection: false, errors },
  { placement: 'greedy', zeroInjection: true, errors },
]);
/**
 * The estimator options of each method. 'plain' and 'plainOriginalOmega' share the lnr settings but run their own
 * loop (below): they are the baselines the improved methods are measured against, on the same trials.
 */
const METHODS: Record<string, Partial<EstimatorOptions>> = {
  plain: { normalizedResidualDetection: true },
  plainOriginalOmega: { normalizedResidualDetection: true },
  lnr: { normalizedResidualDetection: true },
  huber: { normalizedResidualDetection: true, robustEstimator: 'huber' },
};
/** The improved method whose identifications are compared trial by trial with the plain one. */
const IMPROVED = 'lnr';

interface MethodResult {
  detectionRate: number;
  identificationRate: number;
  /** Trials not exact in which every planted error was removed or is in a reported suspect group. */
  withinSuspectGroupRate: number;
  /** Mean size of the reported suspect groups (1: the removed row alone). */
  meanSuspectGroupSize: number;
  plantedRemoved: number;
  /** Good measurements removed (wrong removals). */
  goodRemoved: number;
  /** Planted errors left in the final estimate. */
  missedErrors: number;
  /**
   * Failed trials in which a planted error left in is critical or in a
   * critical pair of the measurements the final estimate kept: a near-twin
   * good measurement went out instead (their normalized residuals differ by
   * less than the noise), after which the data cannot show the error.
   */
  failedHiddenAfterRemovals: number;
  /**
   * Other failed trials in which a planted error left in sits on a
   * measurement so weakly redundant that an error of MIN_ERROR_SIGMAS shows
   * a normalized residual below the identification threshold
   * (Omega_ii / sigma_i^2 < (4 / 20)^2).
   */
  failedBelowDetectability: number;
  /** Buses left unobservable by removals, summed over the trials. */
  unobservableBuses: number;
  /** Over the buses each estimate gives a value to. */
  rmsErrorPu: number;
  msPerTrial: number;
}

function argValue(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
}

/** RMS voltage error over the buses the estimate gives a value to. */
function hiddenAfterRemovals(model: MeasurementModel, planted: number[], removed: number[]): boolean {
  const left = planted.filter((r) => !removed.includes(r));
  if (left.length === 0) return false;
  const seen = new LinearStateEstimator(model).observabilityReport(removed);
  const unseen = new Set<number>(seen.criticalRows);
  for (const [i, j] of seen.criticalPairs) unseen.add(i).add(j);
  return left.some((r) => unseen.has(r));
}

function weaklySeen(est: LinearStateEstimator, planted: number[], removed: number[]): boolean {
  const factor = est.factorFor([...removed].sort((a, b) => a - b));
  const floor = (est.options.normalizedResidualThreshold / MIN_ERROR_SIGMAS) ** 2;
  return planted
    .filter((r) => !removed.includes(r))
    .some((r) => est.residualVariance(factor, r) / est.model.sigma[r] ** 2 < floor);
}

function rmsError(
  r: { vRe: Float64Array; vIm: Float64Array; observable: Uint8Array },
  t: { re: Float64Array; im: Float64Array },
): number {
  let sum = 0;
  let count = 0;
  for (let b = 0; b < r.vRe.length; b++) {
    if (r.observable[b] === 0) continue;
    sum += (r.vRe[b] - t.re[b]) ** 2 + (r.vIm[b] - t.im[b]) ** 2;
    count++;
  }
  return Math.sqrt(sum / count);
}

function runPlacement(
  net: Network,
  { placement, zeroInjection, errors }: Setup,
  trials: number,
): Record<string, unknown> {
  const truth = solvePowerFlow(net);
  const t = rectangular(truth);
  const pmus = placePmus(net, placement);
  const random = new SeededRandom(17);
  const first = synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random);
  const model = MeasurementModel.central(net, first, { zeroInjection });
  const seen = new LinearStateEstimator(model).observabilityReport();
  const unseen = new Set<number>(seen.criticalRows);
  for (const [i, j] of seen.criticalPairs) unseen.add(i).add(j);
  const eligible = Array.from({ length: model.rowCount }, (_, r) => r).filter((r) => !unseen.has(r));
  const estimators = Object.fromEntries(
    Object.entries(METHODS).map(([name, o]) => [
      name,
      new LinearStateEstimator(model, { ...DEFAULT_ESTIMATOR_OPTIONS, criticalityAnalysis: false, ...o }),
    ]),
  );
  const totals = Object.fromEntries(
    Object.keys(METHODS).map((name) => [
      name,
      {
        detected: 0,
        identified: 0,
        grouped: 0,
        groups: 0,
        groupRows: 0,
        planted: 0,
        good: 0,
        rms: 0,
        ms: 0,
        unobservable: 0,
        hidden: 0,
        weak: 0,
      },
    ]),
  );
  const exactByTrial: Record<string, boolean[]> = Object.fromEntries(
    Object.keys(METHODS).map((name) => [name, []]),
  );
  let cleanRms = 0;
  for (let trial = 0; trial < trials; trial++) {
    const set = synthesizeMeasurements(net, truth, pmus, SIGMA_PU, random);
    const planted = plantRows(errors, random, eligible, ERRORS_PER_TRIAL, model, net);
    const zRe = set.re.slice();
    const zIm = set.im.slice();
    for (const r of planted) {
      const size = SIGMA_PU * (MIN_ERROR_SIGMAS + (MAX_ERROR_SIGMAS - MIN_ERROR_SIGMAS) * random.next());
      const angle = 2 * Math.PI * random.next();
      zRe[r] += size * Math.cos(angle);
      zIm[r] += size * Math.sin(angle);
    }
    const clean = estimators.lnr.estimate(set.re, set.im);
    cleanRms += rmsError(clean, t) / trials;
    for (const [name, est] of Object.entries(estimators)) {
      const t0 = performance.now();
      const { removed, report } = runMethod(name, est, zRe, zIm);
      const total = totals[name];
      total.ms += (performance.now() - t0) / trials;
      const hits = removed.filter((r) => planted.includes(r)).length;
      total.detected += removed.length > 0 || report.badDataRemains ? 1 : 0;
      const exact = hits === planted.length && removed.length === planted.length;
      total.identified += exact ? 1 : 0;
      exactByTrial[name].push(exact);
      const suspects = new Set(report.suspectGroups.flatMap((g) => [...g]));
      if (!exact && planted.every((r) => removed.includes(r) || suspects.has(r))) total.grouped++;
      total.groups += report.suspectGroups.length;
      total.groupRows += report.suspectGroups.reduce((n, g) => n + g.length, 0);
      if (!exact && hiddenAfterRemovals(model, planted, removed)) total.hidden++;
      else if (!exact && weaklySeen(est, planted, removed)) total.weak++;
      total.planted += hits;
      total.good += removed.length - hits;
      total.rms += rmsError(report, t) / trials;
      total.unobservable += report.observable.reduce((n, o) => n + (o === 0 ? 1 : 0), 0);
    }
  }
  const methods: Record<string, MethodResult> = {};
  for (const [name, total] of Object.entries(totals)) {
    methods[name] = {
      detectionRate: total.detected / trials,
      identificationRate: total.identified / trials,
      withinSuspectGroupRate: total.grouped / trials,
      meanSuspectGroupSize: total.groups === 0 ? 0 : Number((total.groupRows / total.groups).toFixed(2)),
      plantedRemoved: total.planted / (trials * ERRORS_PER_TRIAL),
      goodRemoved: total.good,
      missedErrors: trials * ERRORS_PER_TRIAL - total.planted,
      failedHiddenAfterRemovals: total.hidden,
      failedBelowDetectability: total.weak,
      unobservableBuses: total.unobservable,
      rmsErrorPu: Number(total.rms.toPrecision(4)),
      msPerTrial: Math.round(total.ms * 10) / 10,
    };
  }
  return {
    placement,
    errors,
    zeroInjection: zeroInjection ? model.zeroInjection.count : 0,
    pmus: pmus.length,
    measurements: model.rowCount,
    criticalMeasurements: seen.criticalRows.length,
    criticalPairs: seen.criticalPairs.length,
    trials,
    cleanRmsErrorPu: Number(cleanRms.toPrecision(4)),
    methods,
    sameTrials: sameTrialComparison(exactByTrial),
  };
}

/**
 * The improved method against each plain one on the same trials: in how many trials only the improved one
 * removed exactly the planted errors, and in how many only the plain one did.
 */
function sameTrialComparison(
  exactByTrial: Record<string, boolean[]>,
): Record<string, { onlyImproved: number; onlyPlain: number; improvedBetter: boolean }> {
  const improved = exactByTrial[IMPROVED];
  const out: Record<string, { onlyImproved: number; onlyPlain: number; improvedBetter: boolean }> = {};
  for (const plain of ['plain', 'plainOriginalOmega']) {
    const base = exactByTrial[plain];
    const onlyImproved = improved.filter((e, t) => e && !base[t]).length;
    const onlyPlain = improved.filter((e, t) => !e && base[t]).length;
    out[`${IMPROVED}VS${plain[0].toUpperCase()}${plain.slice(1)}`] = {
      onlyImproved,
      onlyPlain,
      improvedBetter: onlyImproved > onlyPlain,
    };
  }
  return out;
}

/** One method on one trial's frame: the rows it removed (ascending) and its final estimate. */
function runMethod(
  name: string,
  est: LinearStateEstimator,
  zRe: Float64Array,
  zIm: Float64Array,
): { removed: number[]; report: EstimateReport } {
  const baseline =
    name === 'plain'
      ? plainLnr(est, zRe, zIm)
      : name === 'plainOriginalOmega'
        ? plainLnrOriginalOmega(est, zRe, zIm)
        : undefined;
  if (baseline !== undefined)
    return { removed: [...baseline.removed].sort((a, b) => a - b), report: baseline.report };
  const report = est.estimate(zRe, zIm, [], true);
  return { removed: report.removed.map((r) => r.row).sort((a, b) => a - b), report };
}

function main(): void {
  const trials = Number(argValue('--trials', '20'));
  if (!Number.isInteger(trials) || trials < 1 || trials > 10_000)
    throw new Error(`--trials must be an integer in [1, 10000], got ${argValue('--trials', '')}`);
  const name = argValue('--case', 'case2869pegase');
  const net = new Network(parseMatpowerCase(readFileSync(casePath(name), 'utf8'), `${name}.m`));
  const results = SETUPS.map((setup) => runPlacement(net, setup, trials));
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  process.stdout.write(
    `${JSON.stringify({ case: name, errorsPerTrial: ERRORS_PER_TRIAL, placements: results })}\n`,
  );
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`bench:bad-data: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
