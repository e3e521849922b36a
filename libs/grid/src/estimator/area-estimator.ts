import { BranchEnd, MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from './estimator-options';
import type { GainFactor } from './gain-factor';
import { LinearStateEstimator } from './linear-state-estimator';
import { MeasurementModel } from './measurement-model';
import { ZeroInjectionConstraints } from './zero-injection';

/** One area's estimator and what the coordinator needs from it. */
interface Area {
  readonly estimator: LinearStateEstimator;
  readonly factor: GainFactor;
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
  /** Variance (G^-1)_cc of each column shared with another area; NaN elsewhere. */
  readonly variance: Float64Array;
}

/** Result of a two-level estimate, by bus. */
export interface AreaEstimate {
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly observable: Uint8Array;
  /** Buses estimated by more than one area and reconciled by the coordinator. */
  readonly boundaryBuses: number;
}

/**
 * Two-level linear state estimation (GridCloud ran one estimator per
 * substation group and a coordinator on top). Each area owns its buses' PMUs:
 * their voltages and the branch currents measured at its buses. An area's
 * state is its own buses plus the far ends of its measured tie-lines, which
 * those currents determine. Areas estimate independently; the coordinator
 * takes interior buses from their area and reconciles every bus estimated by
 * several areas by inverse-variance weighting with (G_area^-1)_bb.
 */
export class AreaEstimator {
  private readonly areas: Area[] = [];
  private readonly holders: number[][];

  constructor(
    readonly network: Network,
    readonly set: MeasurementSet,
    readonly labels: Int32Array,
    options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS,
    /** Zero-injection constraints in every area, each on a bus whose whole neighbourhood the area's state holds. */
    private readonly modelOptions: { readonly zeroInjection?: boolean } = {},
  ) {
    const count = labels.reduce((m, a) => Math.max(m, a), 0) + 1;
    const rowsOf: number[][] = Array.from({ length: count }, () => []);
    for (let i = 0; i < set.count; i++) rowsOf[labels[this.measuringBus(i)]].push(i);
    this.holders = Array.from({ length: network.busCount }, () => []);
    const models = rowsOf
      .map((rows, a) => this.areaModel(a, rows))
      .filter((m): m is MeasurementModel => m !== undefined);
    models.forEach((model, idx) => {
      for (const b of model.columnBus) this.holders[b].push(idx);
    });
    for (const model of models) {
      const estimator = new LinearStateEstimator(model, options);
      const factor = estimator.factorFor();
      const m = model.rowCount;
      this.areas.push({
        estimator,
        factor,
        zRe: new Float64Array(m),
        zIm: new Float64Array(m),
        variance: this.variances(estimator, factor),
      });
    }
  }

  get areaCount(): number {
    return this.areas.length;
  }

  /** The bus whose PMU takes measurement i (the measured end for a current). */
  private measuringBus(i: number): number {
    if (this.set.kind[i] === MeasurementKind.VOLTAGE) return this.set.bus[i];
    const k = this.set.branch[i];
    return this.set.end[i] === BranchEnd.FROM ? this.network.branchFrom[k] : this.network.branchTo[k];
  }

  private areaModel(area: number, rows: number[]): MeasurementModel | undefined {
    if (rows.length === 0) return undefined;
    const cols = new Set<number>();
    for (let b = 0; b < this.network.busCount; b++) if (this.labels[b] === area) cols.add(b);
    for (const i of rows) {
      if (this.set.kind[i] !== MeasurementKind.CURRENT) continue;
      cols.add(this.network.branchFrom[this.set.branch[i]]);
      cols.add(this.network.branchTo[this.set.branch[i]]);
    }
    const columns = Int32Array.from(cols);
    const constraints =
      this.modelOptions.zeroInjection === true
        ? ZeroInjectionConstraints.of(this.network, columns)
        : ZeroInjectionConstraints.none();
    return new MeasurementModel(this.network, this.set, columns, Int32Array.from(rows), constraints);
  }

  /** (G^-1)_cc for the columns the area shares with another area, from the factor's sparse inverse. */
  private variances(est: LinearStateEstimator, factor: GainFactor): Float64Array {
    const model = est.model;
    const out = new Float64Array(model.columnCount).fill(NaN);
    const shared = model.columnBus.some((b, c) => this.holders[b].length > 1 && factor.observable[c] === 1);
    if (!shared) return out;
    const diag = factor.inverseOnPattern().diag;
    for (let c = 0; c < model.columnCount; c++) {
      if (this.holders[model.columnBus[c]].length < 2 || factor.observable[c] === 0) continue;
      out[c] = diag[est.structure.pinv[c]];
    }
    return out;
  }

  /** Estimates one frame (z indexed like the measurement set). */
  estimate(zRe: Float64Array, zIm: Float64Array): AreaEstimate {
    const n = this.network.busCount;
    const sumRe = new Float64Array(n);
    const sumIm = new Float64Array(n);
    const sumW = new Float64Array(n);
    let boundary = 0;
    for (const area of this.areas) {
      const model = area.estimator.model;
      for (let r = 0; r < model.rowCount; r++) {
        area.zRe[r] = zRe[model.rowMeasurement[r]];
        area.zIm[r] = zIm[model.rowMeasurement[r]];
      }
      area.estimator.solveFrame(area.factor, area.zRe, area.zIm);
      for (let step = 0; step < area.estimator.options.refinementSteps; step++) {
        area.estimator.refineFrame(area.factor, area.zRe, area.zIm);
      }
      for (let c = 0; c < model.columnCount; c++) {
        if (area.factor.observable[c] === 0) continue;
        const b = model.columnBus[c];
        const w = Number.isNaN(area.variance[c]) ? 1 : 1 / area.variance[c];
        sumRe[b] += w * area.estimator.vRe[c];
        sumIm[b] += w * area.estimator.vIm[c];
        sumW[b] += w;
      }
    }
    const observable = new Uint8Array(n);
    for (let b = 0; b < n; b++) {
      if (sumW[b] === 0) continue;
      observable[b] = 1;
      sumRe[b] /= sumW[b];
      sumIm[b] /= sumW[b];
      if (this.holders[b].length > 1) boundary++;
    }
    return { vRe: sumRe, vIm: sumIm, observable, boundaryBuses: boundary };
  }
}
