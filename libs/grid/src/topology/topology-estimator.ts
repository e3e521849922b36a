import { GridConfigError } from '../errors/config-error';
import type { EstimateReport } from '../estimator/estimate-report';
import { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from '../estimator/estimator-options';
import { LinearStateEstimator } from '../estimator/linear-state-estimator';
import { MeasurementModel } from '../estimator/measurement-model';
import { ZeroInjectionConstraints } from '../estimator/zero-injection';
import { MeasurementKind } from '../measurements/measurement-set';
import { breakerTopology, type BreakerTopology } from './breaker-topology';
import { islandedNetwork } from './islanded-network';
import { findIslands, type Island, type IslandMap } from './islands';

/** One island's part of an estimate. */
export interface IslandEstimate {
  readonly buses: Int32Array;
  readonly energized: boolean;
  readonly referenceBus: number;
  /**
   * Estimated angle (rad) at the reference bus, NaN when the estimate does not
   * determine it. PMU angles share GPS time, but islands drift apart in
   * frequency, so an island's angles mean something only against its own
   * reference: subtract this to express them that way.
   */
  readonly referenceAngleRad: number;
  /** Buses of the island the measurements determine (in the model's columns). */
  readonly observableBuses: number;
}

/** An estimate under a breaker topology: the topology used, its islands and the linear estimate. */
export interface TopologyEstimate {
  readonly topology: BreakerTopology;
  readonly islands: readonly IslandEstimate[];
  /** Buses of de-energized islands: V = 0 by the topology, not estimated, not an error. */
  readonly deEnergized: Int32Array;
  /** Model rows the topology makes meaningless: currents of open branches, measurements in de-energized islands. */
  readonly rowsLeftOut: Int32Array;
  readonly report: EstimateReport;
}

/** What one topology costs to remember: its islands and the model rows it leaves out. */
export interface TopologyModel {
  readonly topology: BreakerTopology;
  readonly islands: IslandMap;
  readonly rowsLeftOut: Int32Array;
  /**
   * The estimator of this topology: the shared one, or one of its own when the
   * topology changes a zero-injection constraint (see TopologyEstimator).
   */
  readonly estimator: LinearStateEstimator;
}

/** Topologies remembered (LRU) unless the caller says otherwise: a few trips and restorations. */
export const DEFAULT_MAX_CACHED_TOPOLOGIES = 16;

/**
 * The linear (PMU) estimator under breaker status. In the phasor model a
 * current row measures its own branch only and a voltage row its own bus, so
 * opening a branch changes no coefficient: it only takes that branch's
 * current rows out (they would otherwise tie its two ends together) and the
 * rows of any island it de-energizes. Both are "missing rows" of the one
 * model, so a topology reuses the model's symbolic analysis and costs one
 * numeric factorization, kept in the estimator's LRU of factors like any
 * other set of missing rows (a topology that changes a zero-injection
 * constraint is the exception: see estimatorFor). Each island is observable on its own (a PMU
 * voltage in it anchors its angles) or its buses are reported unobservable.
 */
export class TopologyEstimator {
  readonly estimator: LinearStateEstimator;
  private readonly topologies = new Map<string, TopologyModel>();
  /** Model column of each bus, -1 when the model does not hold it. */
  private readonly columnOf: Int32Array;

  constructor(
    readonly model: MeasurementModel,
    options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS,
    readonly maxCachedTopologies = DEFAULT_MAX_CACHED_TOPOLOGIES,
  ) {
    if (!(Number.isInteger(maxCachedTopologies) && maxCachedTopologies >= 1 && maxCachedTopologies <= 4096))
      throw new GridConfigError(
        `maxCachedTopologies must be an integer in [1, 4096], got ${maxCachedTopologies}`,
      );
    this.estimator = new LinearStateEstimator(model, options);
    this.columnOf = new Int32Array(model.network.busCount).fill(-1);
    model.columnBus.forEach((b, c) => (this.columnOf[b] = c));
  }

  /** The topology for these open branch rows, its islands and the rows it leaves out (cached). */
  topology(openBranches: Iterable<number>): TopologyModel {
    const topology = breakerTopology(this.model.network, openBranches);
    const key = topology.openBranches.join(',');
    const hit = this.topologies.get(key);
    if (hit !== undefined) {
      this.topologies.delete(key);
      this.topologies.set(key, hit);
      return hit;
    }
    const islands = findIslands(this.model.network, topology);
    const rowsLeftOut = this.rowsLeftOut(topology, islands);
    const entry = { topology, islands, rowsLeftOut, estimator: this.estimatorFor(topology, islands) };
    if (this.topologies.size >= this.maxCachedTopologies)
      this.topologies.delete(this.topologies.keys().next().value!);
    this.topologies.set(key, entry);
    return entry;
  }

  get cachedTopologies(): number {
    return this.topologies.size;
  }

  /** Estimates one frame under the topology the open branches give (see LinearStateEstimator.estimate). */
  estimate(
    zRe: Float64Array,
    zIm: Float64Array,
    openBranches: Iterable<number>,
    missingRows: readonly number[] = [],
    badData = false,
  ): TopologyEstimate {
    const t = this.topology(openBranches);
    const report = t.estimator.estimate(zRe, zIm, [...missingRows, ...t.rowsLeftOut], badData);
    return {
      topology: t.topology,
      islands: t.islands.islands.map((island) => this.islandEstimate(island, report)),
      deEnergized: t.islands.deEnergized,
      rowsLeftOut: t.rowsLeftOut,
      report,
    };
  }

  /**
   * A zero-injection constraint is row i of Ybus, which an open branch at bus
   * i changes. A topology opening a branch at a constrained bus gets a model
   * of its own with the constraints of its own Ybus (one symbolic analysis,
   * remembered with the topology); every other topology shares the estimator.
   */
  private estimatorFor(topology: BreakerTopology, islands: IslandMap): LinearStateEstimator {
    const m = this.model;
    if (m.zeroInjection.count === 0 || topology.openBranches.length === 0) return this.estimator;
    const net = m.network;
    const constrained = new Set(m.zeroInjection.bus);
    const touched = [...topology.openBranches].some(
      (k) => constrained.has(net.branchFrom[k]) || constrained.has(net.branchTo[k]),
    );
    if (!touched) return this.estimator;
    const split = islandedNetwork(net, topology, islands);
    const zeroInjection = ZeroInjectionConstraints.of(split, m.columnBus);
    const own = new MeasurementModel(net, m.set, m.columnBus, m.rowMeasurement, zeroInjection);
    return new LinearStateEstimator(own, this.estimator.options);
  }

  private rowsLeftOut(topology: BreakerTopology, islands: IslandMap): Int32Array {
    const m = this.model;
    const open = new Set(topology.openBranches);
    const dead = new Uint8Array(m.network.busCount);
    for (const b of islands.deEnergized) dead[b] = 1;
    const out: number[] = [];
    for (let r = 0; r < m.rowCount; r += 1) {
      const i = m.rowMeasurement[r];
      const onOpen = m.set.kind[i] === MeasurementKind.CURRENT && open.has(m.set.branch[i]);
      const inDead =
        dead[m.columnBus[m.col1[r]]] === 1 || (m.col2[r] >= 0 && dead[m.columnBus[m.col2[r]]] === 1);
      if (onOpen || inDead) out.push(r);
    }
    return Int32Array.from(out);
  }

  private islandEstimate(island: Island, report: EstimateReport): IslandEstimate {
    const columnOf = this.columnOf;
    let observableBuses = 0;
    for (const b of island.buses) {
      const c = columnOf[b];
      if (c >= 0 && report.observable[c] === 1) observableBuses += 1;
    }
    const refColumn = island.referenceBus < 0 ? -1 : columnOf[island.referenceBus];
    const referenceAngleRad =
      refColumn >= 0 && report.observable[refColumn] === 1
        ? Math.atan2(report.vIm[refColumn], report.vRe[refColumn])
        : Number.NaN;
    return { ...island, referenceAngleRad, observableBuses };
  }
}
