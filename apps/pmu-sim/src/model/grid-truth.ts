import {
  breakerTopology,
  Network,
  placePmus,
  solveIslandedPowerFlow,
  type PlacementStrategy,
  type PowerCase,
} from '@gridcloud/grid';

/** A solved operating point: bus voltages in rectangular per unit on the network that produced them. */
export interface OperatingPoint {
  readonly net: Network;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly vm: Float64Array;
  readonly va: Float64Array;
  readonly loadScale: number;
  readonly tripped: readonly number[];
  /** Buses the trips cut off from every source (V = 0), ascending bus indices. */
  readonly deEnergized: Int32Array;
}

/**
 * Power-flow truth for the simulator: the case's loads and generation scaled
 * together (a slow drift), with some branches out of service (line trips),
 * solved by Newton-Raphson per island: a trip that splits the grid leaves
 * each part with a source balanced by its own reference bus and the parts
 * without one de-energized (V = 0), as a real split would. PMU buses come from the placement of the intact
 * network so the channel list of every PMU stays fixed across events.
 */
export class GridTruth {
  readonly baseNet: Network;
  readonly pmuBuses: Int32Array;

  constructor(
    readonly powerCase: PowerCase,
    strategy: PlacementStrategy,
  ) {
    this.baseNet = new Network(powerCase);
    this.pmuBuses = placePmus(this.baseNet, strategy);
  }

  solve(loadScale: number, tripped: readonly number[]): OperatingPoint {
    const net = new Network(this.scaledCase(loadScale, tripped));
    // The trips are out of service in the case itself, so the topology opens nothing more.
    const pf = solveIslandedPowerFlow(net, breakerTopology(net, []));
    const vRe = Float64Array.from(pf.vm, (m, i) => m * Math.cos(pf.va[i]));
    const vIm = Float64Array.from(pf.vm, (m, i) => m * Math.sin(pf.va[i]));
    return {
      net,
      vRe,
      vIm,
      vm: Float64Array.from(pf.vm),
      va: Float64Array.from(pf.va),
      loadScale,
      tripped: [...tripped],
      deEnergized: pf.islands.deEnergized,
    };
  }

  private scaledCase(loadScale: number, tripped: readonly number[]): PowerCase {
    const c = this.powerCase;
    const out = new Set(tripped);
    return {
      ...c,
      // Generation follows load so the slack bus does not absorb the whole drift.
      buses: c.buses.map((b) => ({ ...b, pd: b.pd * loadScale, qd: b.qd * loadScale })),
      gens: c.gens.map((g) => ({ ...g, pg: g.pg * loadScale })),
      branches: c.branches.map((br, k) => (out.has(k) ? { ...br, inService: false } : br)),
    };
  }
}
