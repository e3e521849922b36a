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
