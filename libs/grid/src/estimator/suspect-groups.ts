import { residualCovarianceColumn, type ResidualSensitivities } from './residual-covariance';

/** A row's residual covariance with another below this fraction of the product of their scales is ignored. */
const NEGLIGIBLE_COHERENCE = 1e-12;

/**
 * The rows whose residuals cannot be told from `row`'s: with `row` back among
 * the measurements (the set it was identified in), every used row j whose
 * residual coherence with it, |Omega_jr|^2 / (Omega_jj Omega_rr), is at least
 * minCoherence, `row` included, ascending. An error on any of them moves the
 * normalized residuals of all of them alike (1 is a critical pair), so the
 * largest one may name a near-twin instead of the bad datum: the bad datum is
 * one of these. Omega_jr = -h_j G^-1 h_r^H takes one solve with the factor;
 * Omega_jj comes from its sparse inverse.
 */

export function suspectGroup(
  est: ResidualSensitivities,
  missing: readonly number[],
  row: number,
  minCoherence: number,
): Int32Array {
  const m = est.model;
  const factor = est.factorFor(missing.filter((r) => r !== row));
  const seen = (c: number): boolean => c < 0 || factor.observable[c] === 1;
  if (!seen(m.col1[row]) || !seen(m.col2[row])) return Int32Array.of(row);
  const omegaRR = est.residualVariance(factor, row);
  if (!(omegaRR > 1e-9 * m.sigma[row] ** 2)) return Int32Array.of(row);
  const column = residualCovarianceColumn(est, factor, row);
  const group = [row];
  for (let j = 0; j < m.rowCount; j++) {
    if (j === row || factor.weight[j] === 0) continue;
    const cross = column.re[j] ** 2 + column.im[j] ** 2;
    // Omega_jj <= sigma_j^2, so this skips only rows far below any threshold before the variance is read.
    if (cross < NEGLIGIBLE_COHERENCE * omegaRR * m.sigma[j] ** 2) continue;
    const omegaJJ = est.residualVariance(factor, j);
    if (omegaJJ > 0 && cross >= minCoherence * omegaRR * omegaJJ) group.push(j);
  }
  return Int32Array.from(group).sort();
}
