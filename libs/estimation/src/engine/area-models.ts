import {
  BranchEnd,
  breakerTopology,
  DEFAULT_ESTIMATOR_OPTIONS,
  findIslands,
  LinearStateEstimator,
  MeasurementKind,
  MeasurementModel,
  type EstimateReport,
  type EstimatorOptions,
  type Network,
  ZeroInjectionConstraints,
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
  | 'openBranches'
  | 'deEnergized'
  | 'criticalIdcode'
  | 'criticalChannel'
  | 'criticalPairIdcode'
  | 'criticalPairChannel'
>;

/**
 * Estimators per area for topologies with constrained buses at open branches: a trip brings one, a few trips or
 * breaker flickers a few more; each holds its own factor cache, so they are bounded.
 */
const MAX_REDUCED_ESTIMATORS = 4;

/** The criticality of one measurement set, as the result carries it (IDCODE and channel per row). */
type CriticalRows = Pick<
  AreaOutcome,
  'criticalIdcode' | 'criticalChannel' | 'criticalPairIdcode' | 'criticalPairChannel'
>;

interface Area {
  readonly ownBuses: Int32Array;
  /** Model column of each bus in the area's state. */
  readonly columnOf: ReadonlyMap<number, number>;
  readonly estimator: LinearStateEstimator | undefined;
  /** Branches at a zero-injection bus the estimator constrains: opening one changes that bus's Ybus row. */
  readonly constrainedBranches: ReadonlySet<number>;
  /**
   * The same rows and columns without the constraints of the buses at open branches, keyed by those buses
   * (ascending), built the first time they are needed; at most MAX_REDUCED_ESTIMATORS, least recently used out.
   */
  readonly reduced: Map<string, LinearStateEstimator>;
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
 *
 * With zeroInjection, each area constrains its zero-injection buses whose
 * whole neighbourhood is in its state. A constraint is row i of Ybus, which a
 * branch opened at bus i changes; an area with such a branch open or left
 * out estimates with an estimator over the same rows that drops the
 * constraints of those end buses only (at most MAX_REDUCED_ESTIMATORS such
 * per area besides the full one).
 */
export class AreaModels {
  private readonly areas: Area[];
  /** Every bus and every measurement: for the system-wide observability of the open-branch rule. */
  readonly central: MeasurementModel;
  /**
   * The criticality of each measurement set as IDCODEs and channels, keyed by libs/grid's critical-row list,
   * which it caches with the set's factorization: mapped once per set, never per frame.
   */
  private readonly criticalByRows = new WeakMap<Int32Array, CriticalRows>();
  /** Energized flag per bus under the last open-branch list seen (every area of a snapshot reports the same list). */
  private lastIslands: { key: string; energized: Uint8Array } | undefined;

  constructor(
    readonly network: Network,
    readonly layout: MeasurementLayout,
    readonly labels: Int32Array,
    readonly areaCount: number,
    options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS,
    private readonly zeroInjection = false,
  ) {
    const rowsOf: number[][] = Array.from({ length: areaCount }, () => []);
    for (let i = 0; i < layout.set.count; i += 1) rowsOf[labels[this.measuringBus(i)]].push(i);
    this.areas = rowsOf.map((rows, a) => this.area(a, rows, options));
    this.central = MeasurementModel.central(network, layout.set);
  }

  private area(a: number, rows: number[], options: EstimatorOptions): Area {
    const ownBuses = Int32Array.from(this.busesOf(a));
    if (rows.length === 0)
      return {
        ownBuses,
        columnOf: new Map(),
        estimator: undefined,
        constrainedBranches: new Set(),
        reduced: new Map(),
        zRe: new Float64Array(0),
        zIm: new Float64Array(0),
      };
    const set = this.layout.set;
    const cols = new Set<number>(ownBuses);
    for (const i of rows) {
      if (set.kind[i] !== MeasurementKind.CURRENT) continue;
      cols.add(this.network.branchFrom[set.branch[i]]);
      cols.add(this.network.branchTo[set.branch[i]]);
    }
    const columns = Int32Array.from(cols);
    const constraints = this.zeroInjection
      ? ZeroInjectionConstraints.of(this.network, columns)
      : ZeroInjectionConstraints.none();
    const model = new MeasurementModel(this.network, set, columns, Int32Array.from(rows), constraints);
    const estimator = new LinearStateEstimator(model, options);
    // The full set's factorization and criticality now, so the first snapshot pays for neither.
    estimator.observabilityReport();
    const columnOf = new Map(Array.from(model.columnBus, (b, c) => [b, c] as [number, number]));
    return {
      ownBuses,
      columnOf,
      estimator,
      constrainedBranches: this.branchesAt(constraints.bus),
      reduced: new Map(),
      zRe: new Float64Array(rows.length),
      zIm: new Float64Array(rows.length),
    };
  }

  /** Every in-service branch with an end at one of `buses`. */
  private branchesAt(buses: Int32Array): Set<number> {
    const net = this.network;
    const at = new Uint8Array(net.busCount);
    for (const b of buses) at[b] = 1;
    const out = new Set<number>();
    for (let k = 0; k < net.branchCount; k += 1) {
      const touches = at[net.branchFrom[k]] === 1 || at[net.branchTo[k]] === 1;
      if (touches && net.branchInService[k] === 1) out.add(k);
    }
    return out;
  }

  /**
   * The area's estimator for this frame: without the constraints of the buses at an open or left-out branch
   * (their injection equations changed), every other constraint kept.
   */
  private estimatorFor(area: Area, leftOut: Int32Array, breakersOpen: Int32Array): LinearStateEstimator {
    const constrained = area.estimator!;
    if (area.constrainedBranches.size === 0) return constrained;
    const zi = constrained.model.zeroInjection;
    const dropped = new Set<number>();
    for (const k of [...leftOut, ...breakersOpen]) {
      if (!area.constrainedBranches.has(k)) continue;
      for (const b of [this.network.branchFrom[k], this.network.branchTo[k]])
        if (zi.bus.includes(b)) dropped.add(b);
    }
    if (dropped.size === 0) return constrained;
    const key = [...dropped].sort((a, b) => a - b).join(',');
    let hit = area.reduced.get(key);
    if (hit !== undefined) {
      area.reduced.delete(key);
    } else {
      const m = constrained.model;
      const model = new MeasurementModel(
        this.network,
        m.set,
        m.columnBus,
        m.rowMeasurement,
        zi.without(dropped),
      );
      hit = new LinearStateEstimator(model, constrained.options);
      if (area.reduced.size >= MAX_REDUCED_ESTIMATORS) area.reduced.delete(area.reduced.keys().next().value!);
    }
    area.reduced.set(key, hit);
    return hit;
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

  /**
   * Estimates area `a` from a frame, leaving out absent rows and the currents
   * of the branches taken as open (openBranchCandidates). Such a branch measured
   * here is reported open when the estimate says that, closed, it would carry
   * at least thresholdPu (the PMUs would see it) or when this area cannot tell
   * (an end undetermined); otherwise it is a closed branch carrying next to
   * nothing, and is not reported.
   */
  estimate(
    a: number,
    frame: MeasurementFrame,
    leftOut: Int32Array,
    badData: boolean,
    thresholdPu: number,
    breakersOpen: Int32Array = new Int32Array(0),
  ): AreaOutcome {
    const area = this.areas[a];
    // Branches the breakers report open are the topology itself: reported by every area, without judging.
    const reported = (judged: Iterable<number>): Pick<AreaOutcome, 'openBranches' | 'deEnergized'> => {
      const openBranches = Int32Array.from(new Set([...judged, ...breakersOpen])).sort();
      return { openBranches, deEnergized: this.deEnergizedOwn(area, openBranches) };
    };
    if (area.estimator === undefined) return { ...this.blind(area), ...reported([]) };
    const { missing, judged } = this.rowsToLeaveOut(area, frame, new Set(leftOut));
    const rows = area.estimator.model.rowCount;
    if (missing.length === rows) return { ...this.blind(area), ...reported(judged) };
    const estimator = this.estimatorFor(area, leftOut, breakersOpen);
    const report = estimator.estimate(area.zRe, area.zIm, missing, badData);
    const open = [...judged].filter((k) => this.wouldCarry(area, report, k, thresholdPu));
    return {
      ...this.outcome(a, area, report, rows - missing.length),
      ...this.criticalOf(estimator, missing),
      ...reported(open),
    };
  }

  /**
   * Critical measurements and pairs of the rows present (before bad-data removal): libs/grid computes them once
   * per set of missing rows and caches them with that set's factorization.
   */
  private criticalOf(estimator: LinearStateEstimator, missing: readonly number[]): CriticalRows {
    const seen = estimator.observabilityReport(missing);
    let hit = this.criticalByRows.get(seen.criticalRows);
    if (hit !== undefined) return hit;
    const rows = estimator.model.rowMeasurement;
    const pairEnds = seen.criticalPairs.flatMap((pair) => [...pair]);
    const { rowIdcode, rowChannel } = this.layout;
    hit = {
      criticalIdcode: Uint16Array.from(seen.criticalRows, (r) => rowIdcode[rows[r]]),
      criticalChannel: Uint16Array.from(seen.criticalRows, (r) => rowChannel[rows[r]]),
      criticalPairIdcode: Uint16Array.from(pairEnds, (r) => rowIdcode[rows[r]]),
      criticalPairChannel: Uint16Array.from(pairEnds, (r) => rowChannel[rows[r]]),
    };
    this.criticalByRows.set(seen.criticalRows, hit);
    return hit;
  }

  /** The area's own buses cut off from every source by the open branches (libs/grid's islands). */
  private deEnergizedOwn(area: Area, openBranches: Int32Array): Int32Array {
    if (openBranches.length === 0) return new Int32Array(0);
    const key = openBranches.join(',');
    if (this.lastIslands?.key !== key) {
      const islands = findIslands(this.network, breakerTopology(this.network, openBranches));
      const energized = new Uint8Array(this.network.busCount).fill(1);
      for (const b of islands.deEnergized) energized[b] = 0;
      this.lastIslands = { key, energized };
    }
    const { energized } = this.lastIslands;
    return area.ownBuses.filter((b) => energized[b] === 0);
  }

  /** Fills the area's z from the frame; returns the rows absent or on a left-out branch (ascending), and those branches. */
  private rowsToLeaveOut(
    area: Area,
    frame: MeasurementFrame,
    leftOut: ReadonlySet<number>,
  ): { missing: number[]; judged: Set<number> } {
    const model = area.estimator!.model;
    const set = this.layout.set;
    const missing: number[] = [];
    const judged = new Set<number>();
    for (let r = 0; r < model.rowCount; r += 1) {
      const i = model.rowMeasurement[r];
      area.zRe[r] = frame.zRe[i];
      area.zIm[r] = frame.zIm[i];
      const k = set.kind[i] === MeasurementKind.CURRENT ? set.branch[i] : -1;
      if (leftOut.has(k)) judged.add(k);
      if (frame.present[i] === 0 || leftOut.has(k)) missing.push(r);
    }
    return { missing, judged };
  }

  /** Whether branch k, closed, would carry at least thresholdPu at either end given the estimate (true when undetermined). */
  private wouldCarry(area: Area, report: EstimateReport, k: number, thresholdPu: number): boolean {
    const net = this.network;
    const f = area.columnOf.get(net.branchFrom[k]);
    const t = area.columnOf.get(net.branchTo[k]);
    if (f === undefined || t === undefined || report.observable[f] === 0 || report.observable[t] === 0)
      return true;
    const v = (c: number): [number, number] => [report.vRe[c], report.vIm[c]];
    const [vf, vt] = [v(f), v(t)];
    const flow = (
      a: { re: Float64Array; im: Float64Array },
      b: { re: Float64Array; im: Float64Array },
    ): number =>
      Math.hypot(
        a.re[k] * vf[0] - a.im[k] * vf[1] + b.re[k] * vt[0] - b.im[k] * vt[1],
        a.re[k] * vf[1] + a.im[k] * vf[0] + b.re[k] * vt[1] + b.im[k] * vt[0],
      );
    return Math.max(flow(net.yff, net.yft), flow(net.ytf, net.ytt)) >= thresholdPu;
  }

  private outcome(
    a: number,
    area: Area,
    report: EstimateReport,
    rowsPresent: number,
  ): Omit<AreaOutcome, 'openBranches' | 'deEnergized'> {
    const model = area.estimator!.model;
    // Counted first so every array is allocated once at its size: this runs for every area of every snapshot.
    let n = 0;
    for (let c = 0; c < model.columnCount; c += 1) if (report.observable[c] !== 0) n += 1;
    const buses = new Int32Array(n);
    const own = new Uint8Array(n);
    const vRe = new Float64Array(n);
    const vIm = new Float64Array(n);
    for (let c = 0, j = 0; c < model.columnCount; c += 1) {
      if (report.observable[c] === 0) continue;
      const b = model.columnBus[c];
      buses[j] = b;
      own[j] = this.labels[b] === a ? 1 : 0;
      vRe[j] = report.vRe[c];
      vIm[j] = report.vIm[c];
      j += 1;
    }
    const removedRows = report.removed.map((x) => model.rowMeasurement[x.row]);
    return {
      buses,
      own,
      vRe,
      vIm,
      unobservable: n === model.columnCount ? new Int32Array(0) : this.unobservableOwn(area, report),
      removedIdcode: Uint16Array.from(removedRows, (i) => this.layout.rowIdcode[i]),
      removedChannel: Uint16Array.from(removedRows, (i) => this.layout.rowChannel[i]),
      cost: report.cost,
      degreesOfFreedom: report.degreesOfFreedom,
      badDataRemains: report.badDataRemains,
      measurementsUsed: rowsPresent - report.removed.length,
    };
  }

  /** The area's own buses the estimate left undetermined (every own bus is a column of its model). */
  private unobservableOwn(area: Area, report: EstimateReport): Int32Array {
    return area.ownBuses.filter((b) => report.observable[area.columnOf.get(b)!] === 0);
  }

  /** An area with no usable measurement: every own bus unobservable. */
  private blind(area: Area): Omit<AreaOutcome, 'openBranches' | 'deEnergized'> {
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
