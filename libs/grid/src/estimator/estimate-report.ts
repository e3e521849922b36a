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
  /**
   * Critical measurements of the rows the final estimate used (model rows):
   * an error in one is not detected. Empty when criticalityAnalysis is off.
   */
  readonly criticalRows: Int32Array;
  /** Critical pairs of those rows: an error in either is detected but not identified. */
  readonly criticalPairs: readonly (readonly [number, number])[];
  /**
   * One group per removed row, in removal order: the rows whose residuals the
   * data cannot tell from it (coherence at least suspectGroupCoherence, the
   * removed row included, ascending). The bad datum is one of the group; a
   * group of one means the removed row itself was identified.
   */
  readonly suspectGroups: readonly Int32Array[];
}

/** What a set of present measurements can see, before any frame. */
export interface ObservabilityReport {
  /** 1 where the measurements (and zero-injection constraints) determine the column. */
  readonly observable: Uint8Array;
  readonly unobservableCount: number;
  /** Model rows whose error cannot be detected (ascending). */
  readonly criticalRows: Int32Array;
  /** Pairs of model rows whose errors cannot be told apart. */
  readonly criticalPairs: readonly (readonly [number, number])[];
}
