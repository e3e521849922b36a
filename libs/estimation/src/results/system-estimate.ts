/** The whole-system estimate of one snapshot, assembled from every area's first result. */
export interface SystemEstimate {
  readonly slot: number;
  readonly timeSec: number;
  readonly busCount: number;
  readonly areaCount: number;
  readonly catalogVersion: number;
  /** Bus voltages (per unit, rectangular, dense case order); meaningful where observable is 1. */
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly observable: Uint8Array;
  readonly unobservableBuses: number;
  /** Branch rows taken as open (the topology the estimate used). */
  readonly openBranches: Int32Array;
  /** Buses cut off from every source by the open branches (dead, not unknown); absent means none. */
  readonly deEnergized?: Int32Array;
  /**
   * Critical measurements (an error there is never detected) and critical pairs (detected, not identified) of the
   * snapshot's measurement set, over all areas (each measurement belongs to one area).
   */
  readonly criticalMeasurements: number;
  readonly criticalPairs: number;
  /** Measurements removed as bad data, over all areas. */
  readonly badDataRemoved: number;
  /** Sum of the areas' objectives J and of their degrees of freedom. */
  readonly cost: number;
  readonly degreesOfFreedom: number;
  /** Slowest area's compute time: the areas run in parallel on different workers. */
  readonly computeMsMax: number;
}
