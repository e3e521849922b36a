import { BusType } from '../case/power-case';
import { GridConfigError } from '../errors/config-error';
import { GridError } from '../errors/grid-error';
import { MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import type { BusVoltages } from '../powerflow/power-flow-solution';
import { breakerTopology } from '../topology/breaker-topology';
import { findIslands, type IslandMap } from '../topology/islands';
import { NonlinearGain } from './nonlinear-gain';
import { NonlinearRows, RowKind } from './nonlinear-rows';
import { PolarNormalEquations } from './polar-normal-equations';
import type { ScadaSet } from './scada-set';

/** Bounds of the Gauss-Newton iteration. */
export interface NonlinearEstimatorOptions {
  readonly maxIterations: number;
  /** Converged when no unknown moves more than this (rad or pu) in an iteration. */
  readonly toleranceStep: number;
  /** A pivot below this fraction of its diagonal means the measurements do not determine that unknown. */
  readonly relativePivotTolerance: number;
}

export const DEFAULT_NONLINEAR_OPTIONS: NonlinearEstimatorOptions = {
  maxIterations: 30,
  toleranceStep: 1e-9,
  relativePivotTolerance: 1e-12,
};

/** A converged nonlinear estimate, by bus. */
export interface NonlinearEstimate extends BusVoltages {
  /** Variances of |V| and of the angle from (H^T W H)^-1 at the estimate; 0 for a pinned or dead unknown. */
  readonly varVm: Float64Array;
  readonly varVa: Float64Array;
  /** Buses whose angle was held at its reference (islands with no PMU voltage in the scan). */
  readonly referenceBuses: Int32Array;
  readonly iterations: number;
  /** J = sum ((z - h(x)) / sigma)^2 at the estimate. */
  readonly cost: number;
}

/**
 * Nonlinear weighted-least-squares state estimation (Gauss-Newton on the
 * polar state) from SCADA measurements and, when given, PMU phasors. Angles
 * need a reference per island: an island with a PMU voltage in the scan takes
 * the PMUs' (GPS) angles; any other island holds its reference bus (libs/grid
 * findIslands) at the case's stored angle. De-energized buses (isolated in
 * the network, as islandedNetwork makes them) are not estimated: V = 0.
 * The structure of the gain matrix is computed once per measurement layout.
 */
export class NonlinearStateEstimator {
  readonly rows: NonlinearRows;
  readonly gain: NonlinearGain;
  readonly islands: IslandMap;
  readonly options: NonlinearEstimatorOptions;
  readonly equations: PolarNormalEquations;
  private readonly residual: Float64Array;
  private readonly work: Float64Array;
  private readonly dx: Float64Array;

  constructor(
    readonly network: Network,
    scada: ScadaSet,
    pmu?: MeasurementSet,
    options: NonlinearEstimatorOptions = DEFAULT_NONLINEAR_OPTIONS,
  ) {
    this.options = validate(options);
    this.rows = new NonlinearRows(network, scada, pmu);
    this.gain = new NonlinearGain(this.rows);
    this.islands = findIslands(network, breakerTopology(network, []));
    this.equations = new PolarNormalEquations(this.rows, this.gain);
    this.residual = new Float64Array(this.rows.count);
    this.work = new Float64Array(2 * this.gain.n);
    this.dx = new Float64Array(this.gain.n);
  }

  /**
   * Estimates one scan. `pmuPresent` (by PMU set index) marks the phasors
   * received, all when omitted; `start` warm-starts from a previous estimate
   * (a flat start otherwise).
   */
  estimate(
    scadaValues: Float64Array,
    pmuRe: Float64Array = new Float64Array(0),
    pmuIm: Float64Array = new Float64Array(0),
    pmuPresent?: Uint8Array,
    start?: BusVoltages,
  ): NonlinearEstimate {
    const weight = this.weights(pmuPresent);
    const references = this.pinUnknowns(pmuPresent);
    this.startFrom(start);
    const eq = this.equations;
    const x = eq.state;
    for (let it = 1; it <= this.options.maxIterations; it += 1) {
      this.evaluate(scadaValues, pmuRe, pmuIm);
      eq.factor(weight, this.options.relativePivotTolerance);
      eq.solve(weight, this.residual, this.work, this.dx);
      let largest = 0;
      for (let b = 0; b < this.network.busCount; b += 1) {
        x.va[b] += this.dx[2 * b];
        x.vm[b] += this.dx[2 * b + 1];
        largest = Math.max(largest, Math.abs(this.dx[2 * b]), Math.abs(this.dx[2 * b + 1]));
      }
      if (largest <= this.options.toleranceStep)
        return this.finish(scadaValues, pmuRe, pmuIm, weight, references, it);
    }
    throw new GridError(
      `nonlinear state estimation did not converge in ${this.options.maxIterations} iterations; check the measurements or raise maxIterations`,
    );
  }

  /** 1 / sigma^2 per row; 0 for an absent PMU phasor. */
  weights(pmuPresent: Uint8Array | undefined): Float64Array {
    const r = this.rows;
    return Float64Array.from(r.sigma, (s, i) =>
      r.kind[i] >= RowKind.V_RE && pmuPresent !== undefined && pmuPresent[r.source[i]] === 0
        ? 0
        : 1 / (s * s),
    );
  }

  /** Pins dead buses' unknowns and the reference angle of every island without a present PMU voltage. */
  private pinUnknowns(pmuPresent: Uint8Array | undefined): Int32Array {
    const net = this.network;
    const pmu = this.rows.pmu;
    const pinned = this.equations.pinned;
    const anchored = new Uint8Array(this.islands.islands.length);
    for (let i = 0; pmu !== undefined && i < pmu.count; i += 1) {
      if (pmu.kind[i] !== MeasurementKind.VOLTAGE || (pmuPresent !== undefined && pmuPresent[i] === 0))
        continue;
      anchored[this.islands.islandOf[pmu.bus[i]]] = 1;
    }
    pinned.fill(0);
    for (let b = 0; b < net.busCount; b += 1)
      if (net.busType[b] === BusType.ISOLATED) pinned[2 * b] = pinned[2 * b + 1] = 1;
    const refs: number[] = [];
    this.islands.islands.forEach((island, k) => {
      if (!island.energized || anchored[k] === 1) return;
      pinned[2 * island.referenceBus] = 1;
      refs.push(island.referenceBus);
    });
    return Int32Array.from(refs);
  }

  private startFrom(start: BusVoltages | undefined): void {
    const net = this.network;
    const x = this.equations.state;
    for (let b = 0; b < net.busCount; b += 1) {
      const dead = net.busType[b] === BusType.ISOLATED;
      const stored = (net.powerCase.buses[b].vaDeg * Math.PI) / 180;
      x.vm[b] = dead ? 0 : (start?.vm[b] ?? 1);
      x.va[b] = dead ? 0 : this.equations.pinned[2 * b] === 1 ? stored : (start?.va[b] ?? 0);
    }
  }

  private evaluate(z: Float64Array, pmuRe: Float64Array, pmuIm: Float64Array): void {
    this.equations.evaluate();
    for (let r = 0; r < this.rows.count; r += 1)
      this.residual[r] = this.rows.measured(r, z, pmuRe, pmuIm) - this.equations.h[r];
  }

  private finish(
    z: Float64Array,
    pmuRe: Float64Array,
    pmuIm: Float64Array,
    weight: Float64Array,
    referenceBuses: Int32Array,
    iterations: number,
  ): NonlinearEstimate {
    const eq = this.equations;
    this.evaluate(z, pmuRe, pmuIm);
    eq.factor(weight, this.options.relativePivotTolerance);
    const g = this.gain;
    const diag = eq.ldl.inverseOnPattern().diag;
    const n = this.network.busCount;
    const variance = (c: number): number => (eq.pinned[c] === 1 ? 0 : diag[g.pinv[c]]);
    let cost = 0;
    for (let row = 0; row < this.rows.count; row += 1) cost += weight[row] * this.residual[row] ** 2;
    return {
      vm: eq.state.vm.slice(),
      va: eq.state.va.slice(),
      varVa: Float64Array.from({ length: n }, (_, b) => variance(2 * b)),
      varVm: Float64Array.from({ length: n }, (_, b) => variance(2 * b + 1)),
      referenceBuses,
      iterations,
      cost,
    };
  }
}

function validate(o: NonlinearEstimatorOptions): NonlinearEstimatorOptions {
  if (!(Number.isInteger(o.maxIterations) && o.maxIterations >= 1 && o.maxIterations <= 1000))
    throw new GridConfigError(`maxIterations must be an integer in [1, 1000], got ${o.maxIterations}`);
  if (!(o.toleranceStep > 0 && o.toleranceStep < 1))
    throw new GridConfigError(`toleranceStep must be in (0, 1) rad or pu, got ${o.toleranceStep}`);
  if (!(o.relativePivotTolerance > 0 && o.relativePivotTolerance < 1e-3))
    throw new GridConfigError(`relativePivotTolerance must be in (0, 1e-3), got ${o.relativePivotTolerance}`);
  return o;
}
