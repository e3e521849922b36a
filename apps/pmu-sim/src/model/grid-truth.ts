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
  private tripNetwork: { key: string; net: Network } | undefined;

  constructor(
    readonly powerCase: PowerCase,
    strategy: PlacementStrategy,
  ) {
    this.baseNet = new Network(powerCase);
    this.pmuBuses = placePmus(this.baseNet, strategy);
  }

  solve(loadScale: number, tripped: readonly number[]): OperatingPoint {
    return this.pointOf(solveTruthVoltages(this.powerCase, loadScale, tripped));
  }

  /**
   * The operating point of voltages solved elsewhere (a look-ahead worker) for this case. Its network only
   * carries the trips: the load scale changes no admittance, so one network per set of trips serves every drift
   * step (the last one is kept; trips only accumulate).
   */
  pointOf(solved: SolvedVoltages): OperatingPoint {
    const key = solved.tripped.join(',');
    if (this.tripNetwork?.key !== key)
      this.tripNetwork = { key, net: new Network(scaledCase(this.powerCase, 1, solved.tripped)) };
    return { ...solved, tripped: [...solved.tripped], net: this.tripNetwork.net };
  }
}

/** An operating point without its network: plain typed arrays, what a worker thread can hand back. */
export type SolvedVoltages = Omit<OperatingPoint, 'net'>;

/**
 * Solves the case's power flow with its loads and generation scaled together (a slow drift) and some branches
 * out of service (line trips), per island. Pure: the look-ahead worker runs it on its own thread.
 */
export function solveTruthVoltages(
  powerCase: PowerCase,
  loadScale: number,
  tripped: readonly number[],
): SolvedVoltages {
  const net = new Network(scaledCase(powerCase, loadScale, tripped));
  // The trips are out of service in the case itself, so the topology opens nothing more.
  const pf = solveIslandedPowerFlow(net, breakerTopology(net, []));
  return {
    vRe: Float64Array.from(pf.vm, (m, i) => m * Math.cos(pf.va[i])),
    vIm: Float64Array.from(pf.vm, (m, i) => m * Math.sin(pf.va[i])),
    vm: Float64Array.from(pf.vm),
    va: Float64Array.from(pf.va),
    loadScale,
    tripped: [...tripped],
    deEnergized: pf.islands.deEnergized,
  };
}

function scaledCase(c: PowerCase, loadScale: number, tripped: readonly number[]): PowerCase {
  const out = new Set(tripped);
  return {
    ...c,
    // Generation follows load so the slack bus does not absorb the whole drift.
    buses: c.buses.map((b) => ({ ...b, pd: b.pd * loadScale, qd: b.qd * loadScale })),
    gens: c.gens.map((g) => ({ ...g, pg: g.pg * loadScale })),
    branches: c.branches.map((br, k) => (out.has(k) ? { ...br, inService: false } : br)),
  };
}
