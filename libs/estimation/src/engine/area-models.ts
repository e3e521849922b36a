import {
  BranchEnd,
  DEFAULT_ESTIMATOR_OPTIONS,
  LinearStateEstimator,
  MeasurementKind,
  MeasurementModel,
  type EstimatorOptions,
  type Network,
} from '@gridcloud/grid';
import type { MeasurementFrame } from '../catalog/measurement-frame';
import type { MeasurementLayout } from '../catalog/measurement-layout';
import type { AreaResult } from './area-result';

/** What one area estimate gives, before the worker adds the snapshot's identity and timing. */
export type AreaOutcome = Pick<
  AreaResult,
  | 'buses'
  | 'own'
  | 'vRe'
  | 'vIm'
  | 'unobservable'
  | 'removedIdcode'
  | 'removedChannel'
  | 'cost'
  | 'degreesOfFreedom'
  | 'badDataRemains'
  | 'measurementsUsed'
>;

interface Area {
  readonly ownBuses: Int32Array;
  readonly estimator: LinearStateEstimator | undefined;
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
}

/**
 * One linear estimator per area of a measurement layout. An area takes the
 * measurements its own buses' PMUs made (a voltage at its bus, a current at
 * its end of a branch); its state is its own buses plus the far ends of its
 * measured tie-lines (libs/grid's area decomposition). Each estimator keeps
 * libs/grid's bounded LRU of factorizations keyed by the missing rows, so a
 * set of present measurements not seen before is factored on demand.
 */
export class AreaModels {
  private readonly areas: Area[];

  constructor(
    readonly network: Network,
    readonly layout: MeasurementLayout,
    readonly labels: Int32Array,
    readonly areaCount: number,
    options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS,
  ) {
    const rowsOf: number[][] = Array.from({ length: areaCount }, () => []);
    for (let i = 0; i < layout.set.count; i += 1) rowsOf[labels[this.measuringBus(i)]].push(i);
    this.areas = rowsOf.map((rows, a) => this.area(a, rows, options));
  }

  private area(a: number, rows: number[], options: EstimatorOptions): Area {
    const ownBuses = Int32Array.from(this.busesOf(a));
    if (rows.length === 0)
      return { ownBuses, estimator: undefined, zRe: new Float64Array(0), zIm: new Float64Array(0) };
    const set = this.layout.set;
    const cols = new Set<number>(ownBuses);
    for (const i of rows) {
      if (set.kind[i] !== MeasurementKind.CURRENT) continue;
      cols.add(this.network.branchFrom[set.branch[i]]);
      cols.add(this.network.branchTo[set.branch[i]]);
    }
    const model = new MeasurementModel(this.network, set, Int32Array.from(cols), Int32Array.from(rows));
    const estimator = new LinearStateEstimator(model, options);
    estimator.factorFor();
    return { ownBuses, estimator, zRe: new Float64Array(rows.length), zIm: new Float64Array(rows.length) };
  }

  private busesOf(a: number): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.network.busCount; b += 1) if (this.labels[b] === a) out.push(b);
    return out;
  }

  /** The bus whose PMU takes measurement i (the measured end for a current). */
  private measuringBus(i: number): number {
    const set = this.layout.set;
    if (set.kind[i] === MeasurementKind.VOLTAGE) return set.bus[i];
    const k = set.branch[i];
    return set.end[i] === BranchEnd.FROM ? this.network.branchFrom[k] : this.network.branchTo[k];
  }

  /** Estimates area `a` from a frame, leaving out absent rows and the currents of open branches. */
  estimate(a: number, frame: MeasurementFrame, openBranches: Int32Array, badData: boolean): AreaOutcome {
    const area = this.areas[a];
    if (area.estimator === undefined) return this.blind(area);
    const model = area.estimator.model;
    const open = new Set(openBranches);
    const set = this.layout.set;
    const missing: number[] = [];
    for (let r = 0; r < model.rowCount; r += 1) {
      const i = model.rowMeasurement[r];
      area.zRe[r] = frame.zRe[i];
      area.zIm[r] = frame.zIm[i];
      const onOpen = set.kind[i] === MeasurementKind.CURRENT && open.has(set.branch[i]);
      if (frame.present[i] === 0 || onOpen) missing.push(r);
    }
    if (missing.length === model.rowCount) return this.blind(area);
    const report = area.estimator.estimate(area.zRe, area.zIm, missing, badData);
    return this.outcome(a, area, report, model.rowCount - missing.length);
  }

  private outcome(
    a: number,
    area: Area,
    report: ReturnType<LinearStateEstimator['estimate']>,
    rowsPresent: number,
  ): AreaOutcome {
    const model = area.estimator!.model;
    const buses: number[] = [];
    const cols: number[] = [];
    for (let c = 0; c < model.columnCount; c += 1) {
      if (report.observable[c] === 0) continue;
      buses.push(model.columnBus[c]);
      cols.push(c);
    }
    const seen = new Set(buses);
    const removedRows = report.removed.map((x) => model.rowMeasurement[x.row]);
    return {
      buses: Int32Array.from(buses),
      own: Uint8Array.from(buses, (b) => (this.labels[b] === a ? 1 : 0)),
      vRe: Float64Array.from(cols, (c) => report.vRe[c]),
      vIm: Float64Array.from(cols, (c) => report.vIm[c]),
      unobservable: area.ownBuses.filter((b) => !seen.has(b)),
      removedIdcode: Uint16Array.from(removedRows, (i) => this.layout.rowIdcode[i]),
      removedChannel: Uint16Array.from(removedRows, (i) => this.layout.rowChannel[i]),
      cost: report.cost,
      degreesOfFreedom: report.degreesOfFreedom,
      badDataRemains: report.badDataRemains,
      measurementsUsed: rowsPresent - report.removed.length,
    };
  }

  /** An area with no usable measurement: every own bus unobservable. */
  private blind(area: Area): AreaOutcome {
    return {
      buses: new Int32Array(0),
      own: new Uint8Array(0),
      vRe: new Float64Array(0),
      vIm: new Float64Array(0),
      unobservable: area.ownBuses.slice(),
      removedIdcode: new Uint16Array(0),
      removedChannel: new Uint16Array(0),
      cost: 0,
      degreesOfFreedom: 0,
      badDataRemains: false,
      measurementsUsed: 0,
    };
  }
}
