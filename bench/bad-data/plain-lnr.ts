import type { EstimateReport, LinearStateEstimator } from '@gridcloud/grid';

/** What a baseline loop returns: the rows it removed (in removal order) and its final estimate. */
export interface BaselineOutcome {
  readonly removed: number[];
  readonly report: EstimateReport;
}

/**
 * The largest-normalized-residual loop of libs/grid before issue 17 (legacy-grid.ts runs that code itself), on
 * today's model: estimate, remove the measurement with the largest normalized residual if it clears the
 * identification threshold, re-estimate, until none does or maxBadDataRemovals are out. A removal is never
 * revisited. Unlike the old code it runs with the setup's zero-injection constraints, so it is the plain loop's
 * baseline where the old code cannot take them.
 */
export function plainLnr(est: LinearStateEstimator, zRe: Float64Array, zIm: Float64Array): BaselineOutcome {
  const removed: number[] = [];
  const missing: number[] = [];
  for (;;) {
    // Without bad-data processing, estimate() leaves its estimate in est.vRe/vIm for the residuals below.
    const report = est.estimate(zRe, zIm, missing, false);
    if (removed.length >= est.options.maxBadDataRemovals) return { removed, report };
    const used = est.factorFor(missing);
    const worst = est.largestNormalizedResidual(used, zRe, zIm);
    if (worst.row < 0 || worst.value < est.identificationThreshold(report.badDataRemains, used.usedRows))
      return { removed, report };
    removed.push(worst.row);
    missing.push(worst.row);
    missing.sort((a, b) => a - b);
  }
}
