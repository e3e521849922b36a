import type { EstimatorOptions } from './estimator-options';
import { GainFactor } from './gain-factor';
import type { GainStructure } from './gain-structure';
import type { MeasurementModel } from './measurement-model';

/** What the screen uses of the linear estimator (named here so the two files do not import each other). */
export interface RobustTarget {
  readonly model: MeasurementModel;
  readonly structure: GainStructure;
  readonly options: EstimatorOptions;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  solveFrame(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void;
  refineFrame(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void;
  residual(r: number, zRe: Float64Array, zIm: Float64Array): [number, number];
  identificationThreshold(chiSquareFailed: boolean, rows: number): number;
}

/** Reweighting stops once no voltage moves more than this between iterations (per unit). */
const ROBUST_STEP_TOLERANCE_PU = 1e-9;

/**
 * Huber M-estimate by iteratively reweighted least squares, then the rows it
 * leaves far outside: each iteration gives a row with standardized residual
 * u = |z - h x| / sigma the weight min(1, k / u), k = huberThresholdSigmas,
 * and refactors. Unlike WLS, the fit is not pulled toward a few gross
 * errors, so interacting errors keep large residuals of their own and good
 * measurements next to them stay small. Rows whose final u clears the
 * family-wise bound of the identification test are returned as outliers
 * (worst first), with u as their value. Leaves the estimator's last
 * estimate at the Huber fit. Not a per-frame path: one numeric
 * factorization per iteration, at most maxRobustIterations.
 */
export function huberOutliers(
  est: RobustTarget,
  present: Uint8Array,
  zRe: Float64Array,
  zIm: Float64Array,
): { row: number; normalizedResidual: number }[] {
  const { model, options } = est;
  const scale = new Float64Array(model.rowCount).fill(1);
  const lastRe = new Float64Array(model.columnCount);
  const lastIm = new Float64Array(model.columnCount);
  let factor = new GainFactor(est.structure, present, options);
  solve(est, factor, zRe, zIm);
  for (let it = 0; it < options.maxRobustIterations; it++) {
    for (let r = 0; r < model.rowCount; r++) {
      if (factor.weight[r] === 0) continue;
      const [rr, ri] = est.residual(r, zRe, zIm);
      const u = Math.hypot(rr, ri) / model.sigma[r];
      scale[r] = u <= options.huberThresholdSigmas ? 1 : options.huberThresholdSigmas / u;
    }
    lastRe.set(est.vRe);
    lastIm.set(est.vIm);
    factor = new GainFactor(est.structure, present, options, scale);
    solve(est, factor, zRe, zIm);
    let step = 0;
    for (let c = 0; c < model.columnCount; c++)
      step = Math.max(step, Math.hypot(est.vRe[c] - lastRe[c], est.vIm[c] - lastIm[c]));
    if (step < ROBUST_STEP_TOLERANCE_PU) break;
  }
  const bound = est.identificationThreshold(false, factor.usedRows);
  const outliers: { row: number; normalizedResidual: number }[] = [];
  for (let r = 0; r < model.rowCount; r++) {
    if (factor.weight[r] === 0) continue;
    const [rr, ri] = est.residual(r, zRe, zIm);
    const u = Math.hypot(rr, ri) / model.sigma[r];
    if (u > bound) outliers.push({ row: r, normalizedResidual: u });
  }
  return outliers
    .sort((a, b) => b.normalizedResidual - a.normalizedResidual)
    .slice(0, options.maxBadDataRemovals);
}

function solve(est: RobustTarget, factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void {
  est.solveFrame(factor, zRe, zIm);
  for (let step = 0; step < est.options.refinementSteps; step++) est.refineFrame(factor, zRe, zIm);
}
