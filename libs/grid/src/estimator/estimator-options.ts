import { GridConfigError } from '../errors/config-error';

/** Bounds and thresholds of the linear state estimator. */
export interface EstimatorOptions {
  /** Numeric factorizations kept for recently seen sets of missing measurements (LRU). */
  readonly maxCachedFactors: number;
  /** A pivot below this fraction of its diagonal means the gain matrix is singular there. */
  readonly relativePivotTolerance: number;
  /** Confidence of the chi-square bad-data test, as a probability. */
  readonly chiSquareConfidence: number;
  /** Smallest largest-normalized-residual that identifies a measurement as bad. */
  readonly normalizedResidualThreshold: number;
  /**
   * Also run the largest-normalized-residual test when J passes chi-square.
   * With tens of thousands of degrees of freedom a single gross error adds too
   * little to J to cross the threshold; this finds it at the cost of one
   * sparse-inverse pass per frame.
   */
  readonly normalizedResidualDetection: boolean;
  /** Measurements removed per frame before bad-data processing gives up. */
  readonly maxBadDataRemovals: number;
  /**
   * Iterative-refinement steps estimate() adds after the solve. One step
   * recovers the digits an ill-conditioned gain matrix (very small branch
   * impedances, as in case9241pegase) loses; solveFrame itself never refines.
   */
  readonly refinementSteps: number;
  /**
   * Weight of a zero-injection constraint over the heaviest measurement's.
   * The constraints enter G = H^H W H + w C^H C as very accurate zero
   * measurements (their right-hand side is zero, so a frame costs the same).
   */
  readonly zeroInjectionWeightRatio: number;
  /**
   * Report critical measurements and critical pairs with every estimate.
   * Computed once per set of present measurements (one more factorization
   * and sparse-inverse pass), then cached with its factor.
   */
  readonly criticalityAnalysis: boolean;
  /**
   * 'huber' screens every bad-data frame with a Huber M-estimate first
   * (iteratively reweighted least squares, one factorization per
   * iteration): residuals beyond huberThresholdSigmas lose weight, so
   * several gross errors cannot pull the fit toward themselves and each
   * stands out; the screen removes those beyond the family-wise bound, and
   * the normalized-residual loop goes on from there. 'none' is WLS only.
   */
  readonly robustEstimator: 'none' | 'huber';
  /** Residual magnitude, in sigmas, beyond which the Huber estimate weighs a measurement down. */
  readonly huberThresholdSigmas: number;
  /** Reweighting iterations of the Huber estimate. */
  readonly maxRobustIterations: number;
  /**
   * Residual coherence |Omega_jr|^2 / (Omega_jj Omega_rr) from which a row
   * joins a removed row's suspect group (0.9: correlation 0.95). Costs one
   * solve per removed row, only in frames with bad data.
   */
  readonly suspectGroupCoherence: number;
  /**
   * How bad rows are named once bad data is detected. 'largestResidual':
   * the largest normalized residual goes, one at a time, each removal then
   * questioned. 'joint': Omega over every suspect row tells what removing
   * any subset of them would leave; the smallest subset that explains the
   * frame goes at once (estimator/hypothesis-testing.ts), then the frame is
   * tested again.
   */
  readonly badDataIdentification: 'largestResidual' | 'joint';
  /** Normalized residual from which a row is a suspect of hypothesis-testing identification. */
  readonly suspectNormalizedResidual: number;
  /** Suspects per hypothesis test, largest normalized residuals first (one solve each). */
  readonly maxSuspectRows: number;
  /** Rows one hypothesis of the search over the suspects names at most. */
  readonly maxHypothesisRows: number;
  /** Subsets of the suspects the search examines per test; past it, hypothesis-testing identification decides. */
  readonly maxHypotheses: number;
  /**
   * With 'joint', rows the data cannot tell apart (another
   * hypothesis explains the frame as well with one swapped for the other)
   * all go, when the rest still sees every bus: the bad one is surely out, at
   * the price of good ones. Off, or when a bus would be lost, only the row of
   * the best hypothesis goes (the likelier one, right or not).
   */
  readonly removeAmbiguousGroups: boolean;
  /**
   * With 'joint', each row the joint search removed is then questioned as
   * the largest-residual loop's are: put back, kept in, the frame explained
   * without it, and that explanation kept when it is better (no row left
   * beyond the threshold, fewer removals, or J lower by more than the
   * threshold). A good row that a near-twin's or a conforming pair's error
   * got removed then comes back, re-tested with the sensitivities of the rows
   * still in. Costs a few re-estimates per removed row, only in frames with
   * bad data.
   */
  readonly questionJointRemovals: boolean;
}

export const DEFAULT_ESTIMATOR_OPTIONS: EstimatorOptions = {
  maxCachedFactors: 64,
  relativePivotTolerance: 1e-10,
  chiSquareConfidence: 0.99,
  normalizedResidualThreshold: 4,
  normalizedResidualDetection: false,
  maxBadDataRemovals: 10,
  refinementSteps: 1,
  zeroInjectionWeightRatio: 1e7,
  criticalityAnalysis: true,
  robustEstimator: 'none',
  huberThresholdSigmas: 3,
  maxRobustIterations: 20,
  suspectGroupCoherence: 0.9,
  badDataIdentification: 'largestResidual',
  suspectNormalizedResidual: 3,
  maxSuspectRows: 24,
  maxHypothesisRows: 4,
  maxHypotheses: 20_000,
  removeAmbiguousGroups: true,
  questionJointRemovals: false,
};

/** Validates options at start-up, naming the option, its unit and the allowed range. */
export function validateEstimatorOptions(o: EstimatorOptions): EstimatorOptions {
  const check = (ok: boolean, text: string): void => {
    if (!ok) throw new GridConfigError(text);
  };
  const integerIn = (value: number, name: string, low: number, high: number): void =>
    check(
      Number.isInteger(value) && value >= low && value <= high,
      `${name} must be an integer in [${low}, ${high}], got ${value}`,
    );
  integerIn(o.maxCachedFactors, 'maxCachedFactors', 1, 4096);
  check(
    o.relativePivotTolerance > 0 && o.relativePivotTolerance < 1e-3,
    `relativePivotTolerance must be in (0, 1e-3), got ${o.relativePivotTolerance}`,
  );
  check(
    o.chiSquareConfidence > 0.5 && o.chiSquareConfidence < 1,
    `chiSquareConfidence must be a probability in (0.5, 1), got ${o.chiSquareConfidence}`,
  );
  check(
    o.normalizedResidualThreshold > 0,
    `normalizedResidualThreshold must be positive, got ${o.normalizedResidualThreshold}`,
  );
  integerIn(o.maxBadDataRemovals, 'maxBadDataRemovals', 0, 1000);
  integerIn(o.refinementSteps, 'refinementSteps', 0, 5);
  check(
    o.zeroInjectionWeightRatio >= 1 && o.zeroInjectionWeightRatio <= 1e8,
    `zeroInjectionWeightRatio must be in [1, 1e8] (heavier constraints leave pivots below relativePivotTolerance), got ${o.zeroInjectionWeightRatio}`,
  );
  check(
    o.suspectGroupCoherence > 0 && o.suspectGroupCoherence <= 1,
    `suspectGroupCoherence must be in (0, 1], got ${o.suspectGroupCoherence}`,
  );
  check(
    o.robustEstimator === 'none' || o.robustEstimator === 'huber',
    `robustEstimator must be 'none' or 'huber', got '${String(o.robustEstimator)}'`,
  );
  check(
    o.huberThresholdSigmas >= 0.5 && o.huberThresholdSigmas <= 20,
    `huberThresholdSigmas must be in [0.5, 20] sigmas, got ${o.huberThresholdSigmas}`,
  );
  integerIn(o.maxRobustIterations, 'maxRobustIterations', 1, 200);
  check(
    o.badDataIdentification === 'largestResidual' || o.badDataIdentification === 'joint',
    `badDataIdentification must be 'largestResidual' or 'joint', got '${String(o.badDataIdentification)}'`,
  );
  check(
    o.suspectNormalizedResidual > 0 && o.suspectNormalizedResidual <= o.normalizedResidualThreshold,
    `suspectNormalizedResidual must be in (0, normalizedResidualThreshold = ${o.normalizedResidualThreshold}], got ${o.suspectNormalizedResidual}`,
  );
  integerIn(o.maxSuspectRows, 'maxSuspectRows', 1, 256);
  integerIn(o.maxHypothesisRows, 'maxHypothesisRows', 1, 8);
  integerIn(o.maxHypotheses, 'maxHypotheses', 1, 10_000_000);
  return o;
}
