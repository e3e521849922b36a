import type { EstimateReport, GainFactor, LinearStateEstimator } from '@gridcloud/grid';

/** What a baseline loop returns: the rows it removed (in removal order) and its final estimate. */
export interface BaselineOutcome {
  readonly removed: number[];
  readonly report: EstimateReport;
}

/**
 * The largest-normalized-residual loop as `--bad-data --bad-data-lnr` ran it before the give-back and the Huber
 * screen (libs/grid at 7edf083): estimate, remove the measurement with the largest normalized residual if it
 * clears the identification threshold, re-estimate, until none does or maxBadDataRemovals are out. A removal
 * is never revisited, so a good measurement that interacting errors made look worst stays out.
 */
export function plainLnr(est: LinearStateEstimator, zRe: Float64Array, zIm: Float64Array): BaselineOutcome {
  return removeLargest(est, zRe, zIm, (missing) => est.factorFor(missing));
}

/**
 * The textbook shortcut: the same loop, but every normalized residual is scaled by the residual variance of the
 * ORIGINAL measurement set (Omega_ii with nothing removed), never updated as measurements go out.
 */
export function plainLnrOriginalOmega(
  est: LinearStateEstimator,
  zRe: Float64Array,
  zIm: Float64Array,
): BaselineOutcome {
  const original = est.factorFor([]);
  return removeLargest(est, zRe, zIm, () => original);
}

function removeLargest(
  est: LinearStateEstimator,
  zRe: Float64Array,
  zIm: Float64Array,
  sensitivities: (missing: readonly number[]) => GainFactor,
): BaselineOutcome {
  const removed: number[] = [];
  const missing: number[] = [];
  for (;;) {
    // Without bad-data processing, estimate() leaves its estimate in est.vRe/vIm for the residuals below.
    const report = est.estimate(zRe, zIm, missing, false);
    if (removed.length >= est.options.maxBadDataRemovals) return { removed, report };
    const used = est.factorFor(missing);
    const worst = largestAmong(est, sensitivities(missing), used, zRe, zIm);
    if (worst.row < 0 || worst.value < est.identificationThreshold(report.badDataRemains, used.usedRows))
      return { removed, report };
    removed.push(worst.row);
    missing.push(worst.row);
    missing.sort((a, b) => a - b);
  }
}

/** Largest |r_i| / sqrt(Omega_ii) over the rows `used` keeps, Omega taken from `omega`'s measurement set. */
function largestAmong(
  est: LinearStateEstimator,
  omega: GainFactor,
  used: GainFactor,
  zRe: Float64Array,
  zIm: Float64Array,
): { row: number; value: number } {
  if (omega === used) return est.largestNormalizedResidual(used, zRe, zIm);
  const sigma = est.model.sigma;
  let best = { row: -1, value: 0 };
  for (let r = 0; r < est.model.rowCount; r++) {
    if (used.weight[r] === 0) continue;
    const variance = est.residualVariance(omega, r);
    if (!(variance > 1e-9 * sigma[r] * sigma[r])) continue;
    const [rr, ri] = est.residual(r, zRe, zIm);
    const value = Math.hypot(rr, ri) / Math.sqrt(variance);
    if (value > best.value) best = { row: r, value };
  }
  return best;
}
