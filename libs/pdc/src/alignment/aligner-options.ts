import { checkRange } from '../errors/check';

/** Bounds of the time aligner. Every time is in milliseconds of the caller's clock (UNIX epoch). */
export interface AlignerOptions {
  /** Reporting rate the snapshots are aligned to; a frame's timestamp is rounded to the nearest 1/fps slot. */
  readonly framesPerSecond: number;
  /** How long a snapshot waits for missing PMUs after its first frame arrived. */
  readonly alignWindowMs: number;
  /** Most snapshots held open at once; opening one more releases the oldest early (flagged 'overflow'). */
  readonly maxPendingSnapshots: number;
  /** Frames stamped further ahead of the caller's clock than this are refused ('future'): a bad clock must not open snapshots that block the rest. */
  readonly maxFutureMs: number;
  /** Most PMUs the aligner expects; a bound against a peer inventing IDCODEs. */
  readonly maxPmus: number;
}

export const DEFAULT_ALIGNER_OPTIONS: AlignerOptions = {
  framesPerSecond: 30,
  alignWindowMs: 100,
  maxPendingSnapshots: 64,
  maxFutureMs: 2_000,
  maxPmus: 10_000,
};

export function validateAlignerOptions(o: AlignerOptions): AlignerOptions {
  checkRange('framesPerSecond', o.framesPerSecond, 0.01, 1000);
  checkRange('alignWindowMs', o.alignWindowMs, 0, 60_000);
  checkRange('maxPendingSnapshots', o.maxPendingSnapshots, 1, 100_000, true);
  checkRange('maxFutureMs', o.maxFutureMs, 0, 86_400_000);
  checkRange('maxPmus', o.maxPmus, 1, 65_536, true);
  return o;
}
