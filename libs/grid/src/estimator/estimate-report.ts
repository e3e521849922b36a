/** Outcome of estimating one frame, by model column and model row. */
export interface EstimateReport {
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** 1 where the measurements determine the column; other columns carry no value. */
  readonly observable: Uint8Array;
  /** Objective J(x) = sum |r_i / sigma_i|^2 over the measurements used in the final estimate. */
  readonly cost: number;
  /** Real degrees of freedom of J: 2 (used rows) - 2 (observable columns). */
  readonly degreesOfFreedom: number;
  /** Chi-square threshold J was tested against (NaN when there is no redundancy). */
  readonly threshold: number;
  /** Model rows removed as bad data, in removal order, with their normalized residuals. */
  readonly removed: readonly { row: number; normalizedResidual: number }[];
  /** True when J still exceeds the threshold after bad-data processing stopped. */
  readonly badDataRemains: boolean;
}
