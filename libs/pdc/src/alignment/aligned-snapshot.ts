/** One PMU's measurement offered to the aligner. `value` is opaque to it. */
export interface TimedFrame<T> {
  /** The PMU's IDCODE (the PMU block's, not the stream's, in a multi-PMU frame). */
  readonly pmuId: number;
  /** Whole seconds of the timestamp (SOC). */
  readonly soc: number;
  /** Fraction of the second in [0, 1) (FRACSEC / TIME_BASE). */
  readonly fraction: number;
  /** When the frame arrived, by the caller's clock (UNIX ms). */
  readonly arrivalMs: number;
  readonly value: T;
}

/** Why a snapshot left the aligner. */
export type ReleaseReason = 'complete' | 'window' | 'overflow' | 'flush';

/**
 * Every expected PMU's frame for one reporting instant. PMUs that did not
 * report in time are listed in `missing` and have no value; nothing is
 * dropped without being named here or in a `late`/`refused` effect.
 */
export interface AlignedSnapshot<T> {
  /** Index of the reporting instant: round(time * framesPerSecond). */
  readonly slot: number;
  /** The instant in UNIX seconds (slot / framesPerSecond). */
  readonly timeSec: number;
  /** PMUs whose frames arrived in time, ascending IDCODE, with their values in the same order. */
  readonly pmuIds: readonly number[];
  readonly values: readonly T[];
  /** Expected PMUs with no frame in this snapshot, ascending IDCODE. */
  readonly missing: readonly number[];
  readonly complete: boolean;
  readonly reason: ReleaseReason;
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
  readonly releasedAtMs: number;
  /** Reporting instants skipped since the previous snapshot because no frame at all arrived for them. */
  readonly skippedSlotsBefore: number;
}

/**
 * Why a frame was refused rather than placed in a snapshot. `invalid-time`: its SOC or fraction is not a finite
 * time with the fraction in [0, 1) (a peer's bad TIME_BASE or FRACSEC); such a frame has no slot.
 */
export type RefusalReason = 'duplicate' | 'future' | 'unexpected-pmu' | 'invalid-time';

export type AlignerEffect<T> =
  | { readonly type: 'snapshot'; readonly snapshot: AlignedSnapshot<T> }
  /** The frame's snapshot was already released: it is reported, not merged. `ageMs` is arrival minus the slot's instant. */
  | { readonly type: 'late'; readonly frame: TimedFrame<T>; readonly slot: number; readonly ageMs: number }
  | {
      readonly type: 'refused';
      readonly frame: TimedFrame<T>;
      readonly reason: RefusalReason;
      readonly message: string;
    };
