import type { AlignedSnapshot, TimedFrame } from '@gridcloud/pdc';
/** One PMU's measurement at one instant, copied out of the decoder's reusable view. */
export interface PmuSample {
  readonly idcode: number;
  /** IDCODE of the stream (PMU or PDC) that carried it. */
  readonly streamIdcode: number;
  readonly soc: number;
  readonly fracsec: number;
  readonly stat: number;
  /** FRACSEC message time quality code (0: locked to UTC). */
  readonly timeQuality: number;
  readonly freqHz: number;
  readonly rocofHzPerS: number;
  /** (re, im) pairs in the units of the PMU's configuration. */
  readonly phasors: Float64Array;
  /** The PMU's analog channels, scaled as its configuration says (empty when it has none). */
  readonly analogs: Float64Array;
  /** The PMU's digital status words, e.g. breaker states (empty when it has none). */
  readonly digitals: Uint16Array;
  readonly arrivalMs: number;
}

/**
 * One data frame as the pipeline keeps it: its time and arrival once, and its values copied once out of the
 * decoder; every PMU's sample of the frame reads from it.
 */
export interface FrameValues {
  /** IDCODE of the stream (PMU or PDC) that carried the frame. */
  readonly streamIdcode: number;
  readonly soc: number;
  readonly fracsec: number;
  /** FRACSEC / TIME_BASE: the fraction of the second, for the aligner. */
  readonly fraction: number;
  readonly timeQuality: number;
  readonly arrivalMs: number;
  /** Per PMU of the frame: STAT, FREQ in Hz and DFREQ in Hz/s. */
  readonly stat: Uint16Array;
  readonly freqHz: Float64Array;
  readonly rocofHzPerS: Float64Array;
  readonly phasors: Float64Array;
  readonly analogs: Float64Array;
  readonly digitals: Uint16Array;
  /** PMU p's phasors are (re, im) pairs phasorStart[p] .. phasorStart[p + 1] of the frame (the decoder's layout). */
  readonly phasorStart: ArrayLike<number>;
  readonly analogStart: ArrayLike<number>;
  readonly digitalStart: ArrayLike<number>;
}

/**
 * What the pipeline offers the aligner for each PMU of a frame: one object, reused from PMU to PMU and frame to
 * frame (the aligner keeps only its `value`, the frame's record, and its `sub`, the PMU's position in the frame; the
 * effects that name it are handled before the next offer). An open slot then holds no object per PMU, so a
 * young-generation collection copies nothing per sample however far behind the pipeline is; the samples are made
 * when the slot is released (`samplesOf`).
 */
export class OfferCursor implements TimedFrame<FrameValues> {
  pmuId = 0;
  soc = 0;
  fraction = 0;
  arrivalMs = 0;
  sub = 0;

  constructor(public value: FrameValues) {}

  /** Points at PMU `p` (IDCODE `pmuId`) of `frame`. */
  at(frame: FrameValues, p: number, pmuId: number): this {
    this.value = frame;
    this.pmuId = pmuId;
    this.soc = frame.soc;
    this.fraction = frame.fraction;
    this.arrivalMs = frame.arrivalMs;
    this.sub = p;
    return this;
  }
}

/** A released slot's samples: one FrameSample per PMU, from its frame's record and its position in it. */
export function samplesOf(s: AlignedSnapshot<FrameValues>): AlignedSnapshot<PmuSample> {
  const subs = s.subs;
  const values = new Array<PmuSample>(s.values.length);
  for (let i = 0; i < values.length; i += 1)
    values[i] = new FrameSample(s.values[i], subs === undefined ? 0 : subs[i], s.pmuIds[i]);
  return {
    slot: s.slot,
    timeSec: s.timeSec,
    pmuIds: s.pmuIds,
    values,
    missing: s.missing,
    complete: s.complete,
    reason: s.reason,
    firstArrivalMs: s.firstArrivalMs,
    lastArrivalMs: s.lastArrivalMs,
    releasedAtMs: s.releasedAtMs,
    skippedSlotsBefore: s.skippedSlotsBefore,
  };
}

/**
 * A PMU's sample as the pipeline makes it: three fields (its frame, its position in the frame, its IDCODE), every
 * other value read from the frame when asked. Samples are made when their slot is released (the aligner holds only
 * the frame's record meanwhile, see OfferCursor), so they die young.
 */
export class FrameSample implements PmuSample {
  constructor(
    private readonly frame: FrameValues,
    private readonly p: number,
    readonly idcode: number,
  ) {}

  get streamIdcode(): number {
    return this.frame.streamIdcode;
  }

  get soc(): number {
    return this.frame.soc;
  }

  get fracsec(): number {
    return this.frame.fracsec;
  }

  get timeQuality(): number {
    return this.frame.timeQuality;
  }

  get arrivalMs(): number {
    return this.frame.arrivalMs;
  }

  get stat(): number {
    return this.frame.stat[this.p];
  }

  get freqHz(): number {
    return this.frame.freqHz[this.p];
  }

  get rocofHzPerS(): number {
    return this.frame.rocofHzPerS[this.p];
  }

  get phasors(): Float64Array {
    const f = this.frame;
    return f.phasors.subarray(2 * f.phasorStart[this.p], 2 * f.phasorStart[this.p + 1]);
  }

  get analogs(): Float64Array {
    const f = this.frame;
    return f.analogs.subarray(f.analogStart[this.p], f.analogStart[this.p + 1]);
  }

  get digitals(): Uint16Array {
    const f = this.frame;
    return f.digitals.subarray(f.digitalStart[this.p], f.digitalStart[this.p + 1]);
  }

  /** Phasor values (two per phasor), analog channels and digital words of this sample, counted without a view. */
  get phasorValueCount(): number {
    return 2 * (this.frame.phasorStart[this.p + 1] - this.frame.phasorStart[this.p]);
  }

  get analogCount(): number {
    return this.frame.analogStart[this.p + 1] - this.frame.analogStart[this.p];
  }

  get digitalCount(): number {
    return this.frame.digitalStart[this.p + 1] - this.frame.digitalStart[this.p];
  }

  /** Copies the phasor values into `to` at `at` without making a view; returns how many were copied. */
  copyPhasors(to: Float64Array, at: number): number {
    const f = this.frame;
    return copyRange(f.phasors, 2 * f.phasorStart[this.p], 2 * f.phasorStart[this.p + 1], to, at);
  }

  copyAnalogs(to: Float64Array, at: number): number {
    const f = this.frame;
    return copyRange(f.analogs, f.analogStart[this.p], f.analogStart[this.p + 1], to, at);
  }

  copyDigitals(to: Uint16Array, at: number): number {
    const f = this.frame;
    return copyRange(f.digitals, f.digitalStart[this.p], f.digitalStart[this.p + 1], to, at);
  }
}

function copyRange<A extends Float64Array | Uint16Array>(
  from: A,
  start: number,
  end: number,
  to: A,
  at: number,
): number {
  for (let i = start; i < end; i += 1) to[at + i - start] = from[i];
  return end - start;
}
