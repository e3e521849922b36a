/** What a phasor measurement observes: a bus voltage or a branch-end current. */
export const MeasurementKind = { VOLTAGE: 0, CURRENT: 1 } as const;
export type MeasurementKind = (typeof MeasurementKind)[keyof typeof MeasurementKind];

/** Branch end of a current measurement. */
export const BranchEnd = { FROM: 0, TO: 1 } as const;

/** One measurement as given by the caller (bus and branch by dense index). */
export interface MeasurementSpec {
  readonly kind: MeasurementKind;
  /** Dense bus index for a voltage; -1 for a current. */
  readonly bus: number;
  /** 0-based branch row for a current; -1 for a voltage. */
  readonly branch: number;
  /** BranchEnd for a current. */
  readonly end: number;
  readonly re: number;
  readonly im: number;
  /** Standard deviation of each rectangular component, per unit. */
  readonly sigma: number;
}

/**
 * A frame of phasor measurements in structure-of-arrays form, so the
 * estimator reads values from typed arrays on its hot path. Per-frame values
 * change (re/im); the layout (kind, bus, branch, end, sigma) identifies the
 * measurement set a factorization belongs to.
 */
export class MeasurementSet {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly bus: Int32Array;
  readonly branch: Int32Array;
  readonly end: Uint8Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly sigma: Float64Array;

  constructor(specs: readonly MeasurementSpec[]) {
    this.count = specs.length;
    this.kind = Uint8Array.from(specs, (s) => s.kind);
    this.bus = Int32Array.from(specs, (s) => s.bus);
    this.branch = Int32Array.from(specs, (s) => s.branch);
    this.end = Uint8Array.from(specs, (s) => s.end);
    this.re = Float64Array.from(specs, (s) => s.re);
    this.im = Float64Array.from(specs, (s) => s.im);
    this.sigma = Float64Array.from(specs, (s) => s.sigma);
  }

  spec(i: number): MeasurementSpec {
    return {
      kind: this.kind[i] as MeasurementKind,
      bus: this.bus[i],
      branch: this.branch[i],
      end: this.end[i],
      re: this.re[i],
      im: this.im[i],
      sigma: this.sigma[i],
    };
  }
}
