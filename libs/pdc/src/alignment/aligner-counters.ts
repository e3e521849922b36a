import type { RefusalReason, ReleaseReason } from './aligned-snapshot';

/** Running totals of the aligner; every offered frame ends up in exactly one of placed, late or refused. */
export interface AlignerCounters {
  framesOffered: number;
  framesPlaced: number;
  framesLate: number;
  readonly refused: Record<RefusalReason, number>;
  snapshots: number;
  readonly released: Record<ReleaseReason, number>;
  /** Sum over snapshots of expected PMUs that had no frame. */
  missingFrames: number;
  /** Reporting instants for which no frame arrived at all. */
  skippedSlots: number;
}

export function newAlignerCounters(): AlignerCounters {
  return {
    framesOffered: 0,
    framesPlaced: 0,
    framesLate: 0,
    refused: { duplicate: 0, future: 0, 'unexpected-pmu': 0, 'invalid-time': 0 },
    snapshots: 0,
    released: { complete: 0, window: 0, overflow: 0, flush: 0 },
    missingFrames: 0,
    skippedSlots: 0,
  };
}
