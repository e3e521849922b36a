import type { PathStamps } from '../wire/stamps';

/** One area's estimate for one snapshot: what a worker publishes to `results`. */
export interface AreaResult {
  readonly slot: number;
  readonly timeSec: number;
  readonly area: number;
  readonly areaCount: number;
  /** Buses in the network, so a consumer can assemble without the case. */
  readonly busCount: number;
  /** Catalog version the snapshot was estimated under. */
  readonly catalogVersion: number;
  /** Buses the area determined (dense case order), their voltages (per unit, rectangular) and whether the area owns them. */
  readonly buses: Int32Array;
  readonly own: Uint8Array;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** The area's own buses its measurements do not determine. */
  readonly unobservable: Int32Array;
  /** Measurements removed as bad data: IDCODE and channel index, in removal order. */
  readonly removedIdcode: Uint16Array;
  readonly removedChannel: Uint16Array;
  /** Branch rows taken as open in this snapshot (topology used); the same list in every area's result. */
  readonly openBranches: Int32Array;
  /**
   * The area's own buses in an island without a source under openBranches: dead, not unknown
   * (version 3 encodings; decoded empty from versions 1 and 2, and absent means none).
   */
  readonly deEnergized?: Int32Array;
  /**
   * Critical measurements of the area's measurement set in this snapshot (present, not on a branch left out;
   * before bad-data removal): IDCODE and channel index, an error there is never detected (libs/grid's
   * criticality, computed once per measurement set). Version 4 encodings; decoded empty from earlier ones, and
   * absent means none.
   */
  readonly criticalIdcode?: Uint16Array;
  readonly criticalChannel?: Uint16Array;
  /** Critical pairs of the same set, two entries per pair: an error in either is detected but not identified. */
  readonly criticalPairIdcode?: Uint16Array;
  readonly criticalPairChannel?: Uint16Array;
  /** Objective J and its degrees of freedom after bad-data removal. */
  readonly cost: number;
  readonly degreesOfFreedom: number;
  readonly badDataRemains: boolean;
  readonly measurementsUsed: number;
  readonly computeMs: number;
  /** When the snapshot passed ingest and this worker (version 2 encodings; absent from version 1). */
  readonly stamps?: PathStamps;
}
