import { GridConfigError } from '../errors/config-error';
import type { MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import { HermitianLdl } from '../sparse/hermitian-ldl';
import { RowKind } from './nonlinear-rows';
import {
  DEFAULT_NONLINEAR_OPTIONS,
  NonlinearStateEstimator,
  type NonlinearEstimate,
  type NonlinearEstimatorOptions,
} from './nonlinear-state-estimator';
import { PolarNormalEquations } from './polar-normal-equations';
import type { ScadaSet } from './scada-set';

/** Options of the two-stage SCADA + PMU estimator. */
export interface HybridOptions {
  /**
   * How far a SCADA-measured quantity (per unit: MW/MVAr over the base, |V|)
   * may move between two scans. Stage 2 keeps each SCADA row's information
   * discounted by sigma^2 / (sigma^2 + scanDriftPu^2): the older the scan may
   * be, the more the fresh PMU phasors decide.
   */
  readonly scanDriftPu: number;
  /** Stage-2 factorizations kept for sets of missing PMUs (LRU, cleared at each scan). */
  readonly maxCachedFactors: number;
  readonly nonlinear: NonlinearEstimatorOptions;
}

export const DEFAULT_HYBRID_OPTIONS: HybridOptions = {
  scanDriftPu: 0.05,
  maxCachedFactors: 64,
  nonlinear: DEFAULT_NONLINEAR_OPTIONS,
};

/**
 * Two-stage hybrid estimation. Stage 1, at every SCADA scan (seconds apart):
 * nonlinear WLS (Gauss-Newton) on the scan's SCADA values and the PMU phasors
 * of that instant, giving x0. Stage 2, at every PMU frame in between: one
 * linear update of x0 by the frame's phasors, in information form,
 *   (a G_scada(x0) + H_pmu(x0)^T W H_pmu(x0)) dx = H_pmu(x0)^T W (z_pmu - h_pmu(x0)),
 * where G_scada is stage 1's SCADA information at x0, discounted per row by a
 * = sigma^2 / (sigma^2 + scanDriftPu^2). Keeping G_scada (sparse, the
 * network's coupling) rather than a per-bus variance lets a PMU's change
 * spread to the buses it does not see, the way a load drift spreads. The
 * matrix is fixed between scans, so it is factored once per scan (and per set
 * of missing PMUs); a frame costs one H^T W r and two triangular solves.
 * One instance serves one network topology.
 */
export class HybridEstimator {
  readonly scanEstimator: NonlinearStateEstimator;
  readonly options: HybridOptions;
  private readonly stage2: PolarNormalEquations;
  private readonly weight: Float64Array;
  private readonly factors = new Map<string, HermitianLdl>();
  private readonly residual: Float64Array;
  private readonly work: Float64Array;
  private readonly dx: Float64Array;
  private readonly vRe: Float64Array;
  private readonly vIm: Float64Array;
  private last: NonlinearEstimate | undefined;

  constructor(
    readonly network: Network,
    scada: ScadaSet,
    readonly pmu: MeasurementSet,
    options: HybridOptions = DEFAULT_HYBRID_OPTIONS,
  ) {
    if (!(options.scanDriftPu >= 0 && options.scanDriftPu < 10))
      throw new GridConfigError(`scanDriftPu must be in [0, 10) per unit, got ${options.scanDriftPu}`);
    if (!(
      Number.isInteger(options.maxCachedFactors) &&
      options.maxCachedFactors >= 1 &&
      options.maxCachedFactors <= 4096
    ))
      throw new GridConfigError(
        `maxCachedFactors must be an integer in [1, 4096], got ${options.maxCachedFactors}`,
      );
    this.options = options;
    this.scanEstimator = new NonlinearStateEstimator(network, scada, pmu, options.nonlinear);
    const rows = this.scanEstimator.rows;
    this.stage2 = new PolarNormalEquations(rows, this.scanEstimator.gain);
    const drift2 = options.scanDriftPu ** 2;
    this.weight = Float64Array.from(rows.sigma, (s, r) => {
      const w = 1 / (s * s);
      return rows.kind[r] >= RowKind.V_RE ? w : (w * s * s) / (s * s + drift2);
    });
    this.residual = new Float64Array(rows.count);
    this.work = new Float64Array(2 * this.scanEstimator.gain.n);
    this.dx = new Float64Array(this.scanEstimator.gain.n);
    this.vRe = new Float64Array(network.busCount);
    this.vIm = new Float64Array(network.busCount);
  }

  /** Stage 1 on a SCADA scan and the phasors of that instant; x0 of the frames that follow. */
  scan(
    scadaValues: Float64Array,
    pmuRe: Float64Array,
    pmuIm: Float64Array,
    pmuPresent?: Uint8Array,
  ): NonlinearEstimate {
    const e = this.scanEstimator.estimate(scadaValues, pmuRe, pmuIm, pmuPresent, this.last);
    this.last = e;
    const s = this.stage2;
    s.state.vm.set(e.vm);
    s.state.va.set(e.va);
    s.pinned.set(this.scanEstimator.equations.pinned);
    s.evaluate();
    this.factors.clear();
    return e;
  }

  /**
   * Stage 2 on one PMU frame (values by PMU-set index; `missing` lists absent
   * PMU-set indices). Returns rectangular voltages by bus in arrays the next
   * frame overwrites; needs a scan first.
   */
  frame(
    pmuRe: Float64Array,
    pmuIm: Float64Array,
    missing: readonly number[] = [],
  ): { vRe: Float64Array; vIm: Float64Array } {
    if (this.last === undefined)
      throw new GridConfigError('a PMU frame needs a SCADA scan first (HybridEstimator.scan)');
    const rows = this.stage2.rows;
    const [weight, factor] = this.factorFor(missing);
    for (let r = 0; r < rows.count; r += 1)
      this.residual[r] =
        rows.kind[r] >= RowKind.V_RE ? rows.measured(r, this.residual, pmuRe, pmuIm) - this.stage2.h[r] : 0;
    this.stage2.solve(weight, this.residual, this.work, this.dx, factor);
    const x = this.stage2.state;
    for (let b = 0; b < this.network.busCount; b += 1) {
      const vm = x.vm[b] + this.dx[2 * b + 1];
      const va = x.va[b] + this.dx[2 * b];
      this.vRe[b] = vm * Math.cos(va);
      this.vIm[b] = vm * Math.sin(va);
    }
    return { vRe: this.vRe, vIm: this.vIm };
  }

  get cachedFactors(): number {
    return this.factors.size;
  }

  /** The stage-2 weights with the missing PMUs' rows at zero, and their factor (LRU). */
  private factorFor(missing: readonly number[]): [Float64Array, HermitianLdl] {
    // The common full frame builds nothing: its key and weights are fixed.
    const key = missing.length === 0 ? '' : [...new Set(missing)].sort((a, b) => a - b).join(',');
    const rows = this.stage2.rows;
    const absent = missing.length === 0 ? undefined : new Set(missing);
    const weight =
      absent === undefined
        ? this.weight
        : this.weight.map((w, r) => (rows.kind[r] >= RowKind.V_RE && absent.has(rows.source[r]) ? 0 : w));
    const hit = this.factors.get(key);
    if (hit !== undefined) {
      this.factors.delete(key);
      this.factors.set(key, hit);
      return [weight, hit];
    }
    const ldl = new HermitianLdl(this.scanEstimator.gain.symbolic);
    this.stage2.factor(weight, this.options.nonlinear.relativePivotTolerance, ldl);
    if (this.factors.size >= this.options.maxCachedFactors)
      this.factors.delete(this.factors.keys().next().value!);
    this.factors.set(key, ldl);
    return [weight, ldl];
  }
}
