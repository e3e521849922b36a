import type { GainFactor } from './gain-factor';
import type { GainStructure } from './gain-structure';
import type { MeasurementModel } from './measurement-model';

/** What the residual covariance needs of the linear estimator (kept narrow so this module does not import it). */
export interface ResidualSensitivities {
  readonly model: MeasurementModel;
  readonly structure: GainStructure;
  factorFor(missingRows?: readonly number[]): GainFactor;
  residualVariance(factor: GainFactor, r: number): number;
}

/** Column `row` of the residual covariance, by model row (0 at rows the factor does not use). */
export interface CovarianceColumn {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * Omega_jr = sigma_r^2 [j = r] - h_j G^-1 h_r^H for every row j the factor
 * uses: how an error on row r moves row j's residual (r_j = Omega_jr / sigma_r^2
 * times the error). One solve with the factor; `row` must have its columns
 * observable in it.
 */
export function residualCovarianceColumn(
  est: ResidualSensitivities,
  factor: GainFactor,
  row: number,
): CovarianceColumn {
  const m = est.model;
  const x = columnOfInverse(est, row);
  factor.ldl.solveInPlace(x);
  const re = new Float64Array(m.rowCount);
  const im = new Float64Array(m.rowCount);
  const pinv = est.structure.pinv;
  for (let j = 0; j < m.rowCount; j++) {
    if (factor.weight[j] === 0) continue;
    let p = 2 * pinv[m.col1[j]];
    let sr = m.h1Re[j] * x[p] - m.h1Im[j] * x[p + 1];
    let si = m.h1Re[j] * x[p + 1] + m.h1Im[j] * x[p];
    if (m.col2[j] >= 0) {
      p = 2 * pinv[m.col2[j]];
      sr += m.h2Re[j] * x[p] - m.h2Im[j] * x[p + 1];
      si += m.h2Re[j] * x[p + 1] + m.h2Im[j] * x[p];
    }
    re[j] = -sr;
    im[j] = -si;
  }
  if (factor.weight[row] !== 0) re[row] += m.sigma[row] ** 2;
  return { re, im };
}

/** h_r^H in permuted, interleaved coordinates: the right-hand side whose solution is G^-1 h_r^H. */
function columnOfInverse(est: ResidualSensitivities, row: number): Float64Array {
  const m = est.model;
  const pinv = est.structure.pinv;
  const x = new Float64Array(2 * pinv.length);
  let p = 2 * pinv[m.col1[row]];
  x[p] = m.h1Re[row];
  x[p + 1] = -m.h1Im[row];
  if (m.col2[row] >= 0) {
    p = 2 * pinv[m.col2[row]];
    x[p] = m.h2Re[row];
    x[p + 1] = -m.h2Im[row];
  }
  return x;
}
