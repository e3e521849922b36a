import { invertHermitian, multiply, principal } from './dense-hermitian';
import type { EstimatorOptions } from './estimator-options';
import type { GainFactor } from './gain-factor';
import { searchHypotheses, type Hypothesis, type SuspectSet } from './hypothesis-search';
import { residualCovarianceColumn, type ResidualSensitivities } from './residual-covariance';

/** What joint identification needs of the linear estimator (named here so the two files do not import each other). */
export interface JointTarget extends ResidualSensitivities {
  readonly options: EstimatorOptions;
  residual(r: number, zRe: Float64Array, zIm: Float64Array): [number, number];
  normalizedResiduals(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): Float64Array;
  identificationThreshold(chiSquareFailed: boolean, rows: number): number;
  estimate(zRe: Float64Array, zIm: Float64Array, missing: readonly number[]): { badDataRemains: boolean };
  largestNormalizedResidual(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): { value: number };
}

/**
 * A suspect whose pivot in Omega_SS falls below this fraction of its
 * variance (1 - rho^2 of its residual on the suspects before it) is treated
 * as a linear combination of them, a critical pair or set inside the
 * suspects: what sets it apart, sqrt(1e-3) of its normalized residual, is
 * below a threshold of 4 for any error under about 120 sigma, and the
 * Schur complement of so nearly dependent rows is mostly rounding.
 */
const DEPENDENT_PIVOT = 1e-3;

/** One identified row: its statistic, and the rows the data cannot tell it from (itself included). */
export interface JointIdentification {
  readonly row: number;
  readonly statistic: number;
  readonly ambiguousWith: readonly number[];
}

/**
 * Joint identification of the bad rows of a frame whose test failed. Every
 * row whose normalized residual reaches suspectNormalizedResidual (at most
 * maxSuspectRows, largest first) is a suspect, and Omega over the suspects
 * (one solve each) says what removing any subset of them would leave, without
 * re-estimating. The smallest subset that explains the frame wins
 * (searchHypotheses: each of its rows significant with the others removed, no
 * other suspect left beyond the threshold, the largest fall of J); a suspect
 * that another hypothesis as good swaps for is ambiguous with it. Where no
 * subset of up to maxHypothesisRows explains the frame within maxHypotheses,
 * hypothesis-testing identification (Mili, Van Cutsem, Ribbens-Pavella 1985)
 * names the rows: the errors of all suspects are estimated together, and the
 * least significant suspect is cleared until every one left is significant.
 * Both judge a row by its normalized residual with the other suspects
 * removed, so an error that a neighbour's error masks, or a good row that a
 * neighbour makes look worst, is seen as it would be alone. Empty when no
 * suspect is significant.
 */
export function identifyJointly(
  est: JointTarget,
  missing: readonly number[],
  zRe: Float64Array,
  zIm: Float64Array,
): JointIdentification[] {
  const factor = est.factorFor(missing);
  const suspects = suspectSet(est, factor, zRe, zIm);
  // Re-estimates without a hypothesis's rows; leaves another estimate in est, so call it after suspectSet.
  const confirm = (at: readonly number[]): boolean => {
    const without = [...new Set([...missing, ...at.map((i) => suspects.rows[i])])].sort((a, b) => a - b);
    const report = est.estimate(zRe, zIm, without);
    const used = est.factorFor(without);
    const worst = est.largestNormalizedResidual(used, zRe, zIm);
    return worst.value < est.identificationThreshold(report.badDataRemains, used.usedRows);
  };
  // A statistic is the normalized residual of a frame without the other suspects, which may pass chi-square.
  const threshold = est.identificationThreshold(false, factor.usedRows);
  const { options } = est;
  const found = searchHypotheses(
    suspects,
    threshold,
    options.normalizedResidualThreshold ** 2,
    {
      maxRows: options.maxHypothesisRows,
      maxHypotheses: options.maxHypotheses,
      dependentPivot: DEPENDENT_PIVOT,
    },
    confirm,
  );
  if (found === undefined)
    return significantSubset(suspects, threshold).map(({ at, statistic }) => ({
      row: suspects.rows[at],
      statistic,
      ambiguousWith: [suspects.rows[at]],
    }));
  return found.best.at.map((at, i) => ({
    row: suspects.rows[at],
    statistic: found.best.statistics[i],
    ambiguousWith: [at, ...swapsFor(found.best, found.rivals, at)].map((k) => suspects.rows[k]),
  }));
}

/** The suspects that rival hypotheses put in place of `at` (each rival differing from best in that row alone). */
function swapsFor(best: Hypothesis, rivals: readonly Hypothesis[], at: number): number[] {
  const swaps = new Set<number>();
  for (const rival of rivals) {
    const out = best.at.filter((a) => !rival.at.includes(a));
    const inn = rival.at.filter((a) => !best.at.includes(a));
    if (out.length === 1 && out[0] === at) inn.forEach((k) => swaps.add(k));
  }
  return [...swaps];
}

/** The suspects of a frame with their covariance (one solve per suspect) and residuals. */
export function suspectSet(
  est: JointTarget,
  factor: GainFactor,
  zRe: Float64Array,
  zIm: Float64Array,
): SuspectSet {
  const normalized = est.normalizedResiduals(factor, zRe, zIm);
  const rows = Array.from(normalized.keys())
    .filter((r) => normalized[r] >= est.options.suspectNormalizedResidual)
    .sort((a, b) => normalized[b] - normalized[a] || a - b)
    .slice(0, est.options.maxSuspectRows);
  const s = rows.length;
  const omega = { size: s, re: new Float64Array(s * s), im: new Float64Array(s * s) };
  rows.forEach((row, j) => {
    const column = residualCovarianceColumn(est, factor, row);
    for (let i = 0; i < s; i++) {
      omega.re[i * s + j] = column.re[rows[i]];
      omega.im[i * s + j] = column.im[rows[i]];
    }
  });
  const rRe = new Float64Array(s);
  const rIm = new Float64Array(s);
  rows.forEach((row, i) => ([rRe[i], rIm[i]] = est.residual(row, zRe, zIm)));
  return { rows, omega, rRe, rIm };
}

/**
 * Clears suspects until every one left is significant: a suspect dependent
 * on those before it goes first (it carries no information of its own), then
 * the one with the smallest statistic below `threshold`.
 */
export function significantSubset(
  suspects: SuspectSet,
  threshold: number,
): { at: number; statistic: number }[] {
  let at = suspects.rows.map((_, i) => i);
  while (at.length > 0) {
    const statistics = jointStatistics(suspects, at);
    if ('dependent' in statistics) {
      at = at.filter((_, i) => i !== statistics.dependent);
      continue;
    }
    let weakest = 0;
    statistics.forEach((t, i) => (weakest = t < statistics[weakest] ? i : weakest));
    if (statistics[weakest] >= threshold) return at.map((a, i) => ({ at: a, statistic: statistics[i] }));
    at = at.filter((_, i) => i !== weakest);
  }
  return [];
}

/** |(Omega_SS^-1 r_S)_i| / sqrt((Omega_SS^-1)_ii) for each suspect in `at`. */
function jointStatistics(suspects: SuspectSet, at: readonly number[]): number[] | { dependent: number } {
  const inverse = invertHermitian(principal(suspects.omega, at), DEPENDENT_PIVOT);
  if ('dependent' in inverse) return inverse;
  const y = multiply(inverse, pick(suspects.rRe, at), pick(suspects.rIm, at));
  return at.map((_, i) => Math.hypot(y.re[i], y.im[i]) / Math.sqrt(inverse.re[i * at.length + i]));
}

function pick(values: Float64Array, at: readonly number[]): Float64Array {
  return Float64Array.from(at, (i) => values[i]);
}
