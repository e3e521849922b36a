/** Parameters of the slow, deterministic motion of the simulated grid. */
export interface MotionOptions {
  /** Peak relative load change of the slow drift (0.03 = +/-3%). */
  readonly loadDriftAmplitude: number;
  readonly loadDriftPeriodS: number;
  /** Peak frequency deviation of the slow oscillation around nominal, in Hz. */
  readonly freqDeviationHz: number;
  readonly freqPeriodS: number;
  /** Frequency dip after a line trip, decaying with `tripTauS`. */
  readonly tripDipHz: number;
  readonly tripTauS: number;
}

export const DEFAULT_MOTION: MotionOptions = {
  loadDriftAmplitude: 0.03,
  loadDriftPeriodS: 120,
  freqDeviationHz: 0.02,
  freqPeriodS: 20,
  tripDipHz: 0.05,
  tripTauS: 4,
};

/** System frequency deviation, its rate of change and the phase it has accumulated, at one instant. */
export interface FrequencyState {
  readonly deltaHz: number;
  readonly rocofHzPerS: number;
  /** 2 pi times the integral of deltaHz since the start: every phasor turns by this angle. */
  readonly phaseRad: number;
}

/**
 * Closed-form motion so that any instant can be evaluated on its own (no
 * integration state): the simulator stays deterministic whatever frames it
 * skips or repeats.
 */
export class Motion {
  constructor(readonly options: MotionOptions) {}

  loadScale(tS: number): number {
    const o = this.options;
    return 1 + o.loadDriftAmplitude * Math.sin((2 * Math.PI * tS) / o.loadDriftPeriodS);
  }

  frequency(tS: number, tripTimesS: readonly number[]): FrequencyState {
    const o = this.options;
    const w = (2 * Math.PI) / o.freqPeriodS;
    let delta = o.freqDeviationHz * Math.sin(w * tS);
    let rocof = o.freqDeviationHz * w * Math.cos(w * tS);
    // Integral of A sin(w t) from 0 is A (1 - cos(w t)) / w.
    let cycles = (o.freqDeviationHz * (1 - Math.cos(w * tS))) / w;
    for (const t0 of tripTimesS) {
      if (tS < t0) continue;
      const decay = Math.exp(-(tS - t0) / o.tripTauS);
      delta -= o.tripDipHz * decay;
      rocof += (o.tripDipHz / o.tripTauS) * decay;
      cycles -= o.tripDipHz * o.tripTauS * (1 - decay);
    }
    return { deltaHz: delta, rocofHzPerS: rocof, phaseRad: 2 * Math.PI * cycles };
  }
}
