import { residualCovarianceColumn, type LinearStateEstimator } from '@gridcloud/grid';

/**
 * What the data can tell of one planted error, worst first. 'critical': its residual is identically zero, no
 * test sees it. 'criticalPair': another row's residual moves exactly with it (coherence 1), no test tells them
 * apart. 'criticalSet': it turns critical once the trial's other planted rows are out (their errors can cancel).
 * 'belowResolution': none of those, but at its size it cannot clear the identification threshold: alone
 * (weakly redundant), against its nearest twin, or with the other planted rows out. 'identifiable': the rest.
 */
export const IDENTIFIABILITY = [
  'critical',
  'criticalPair',
  'criticalSet',
  'belowResolution',
  'identifiable',
] as const;
export type Identifiability = (typeof IDENTIFIABILITY)[number];

/** Omega / sigma^2 below this is zero (a critical row), coherence above 1 minus it is one (a critical pair). */
const EXACT_TOLERANCE = 1e-6;

/**
 * Classes each planted row by its residual sensitivities: Omega_pp, its largest coherence |Omega_jp|^2 /
 * (Omega_jj Omega_pp) with any other row, and both again without the other planted rows (Omega'_pp,
 * coherence'). An error of b sigmas shows a normalized residual of b sqrt(Omega_pp / sigma^2) alone and
 * b sqrt(Omega'_pp (1 - coherence') / sigma^2) once the other errors and its nearest twin are out: either below
 * `threshold`, it is below resolution.
 */
export function classifyPlanted(
  est: LinearStateEstimator,
  planted: readonly number[],
  sizesSigma: readonly number[],
  threshold: number,
): Identifiability[] {
  const factor = est.factorFor([]);
  const sigma = est.model.sigma;
  return planted.map((p, k) => {
    const omega = est.residualVariance(factor, p) / sigma[p] ** 2;
    if (!(omega > EXACT_TOLERANCE)) return 'critical';
    if (largestCoherence(est, [], p) > 1 - EXACT_TOLERANCE) return 'criticalPair';
    const others = planted.filter((q) => q !== p).sort((a, b) => a - b);
    const without = est.factorFor(others);
    // Without the others its bus may not even be seen: then it is critical among them too.
    const joint = without.weight[p] === 0 ? 0 : est.residualVariance(without, p) / sigma[p] ** 2;
    if (!(joint > EXACT_TOLERANCE)) return 'criticalSet';
    // Once the other errors are out (as a method that found them would have them), against its nearest twin.
    const twin = largestCoherence(est, others, p);
    const seen = sizesSigma[k] * Math.sqrt(Math.min(omega, joint * (1 - twin)));
    return seen < threshold ? 'belowResolution' : 'identifiable';
  });
}

/** The worst class of a trial's planted rows. */
export function trialClass(classes: readonly Identifiability[]): Identifiability {
  return IDENTIFIABILITY[Math.min(...classes.map((c) => IDENTIFIABILITY.indexOf(c)))];
}

/** The largest residual coherence of row p with another row, with the rows `missing` out. */
function largestCoherence(est: LinearStateEstimator, missing: readonly number[], p: number): number {
  const factor = est.factorFor(missing);
  const column = residualCovarianceColumn(est, factor, p);
  const omegaPP = column.re[p];
  let best = 0;
  for (let j = 0; j < est.model.rowCount; j++) {
    if (j === p || factor.weight[j] === 0) continue;
    const cross = column.re[j] ** 2 + column.im[j] ** 2;
    // Negligible against any row's scale (Omega_jj <= sigma_j^2 bounds the coherence only from below).
    if (cross < EXACT_TOLERANCE ** 2 * omegaPP * est.model.sigma[j] ** 2) continue;
    const omegaJJ = est.residualVariance(factor, j);
    if (omegaJJ > 0) best = Math.max(best, cross / (omegaPP * omegaJJ));
  }
  return Math.min(best, 1);
}
