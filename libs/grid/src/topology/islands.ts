import { BusType } from '../case/power-case';
import type { Network } from '../network/network';
import type { BreakerTopology } from './breaker-topology';

/** A connected part of the network under a topology. */
export interface Island {
  /** Dense bus indices, ascending. */
  readonly buses: Int32Array;
  /** Whether a source (an in-service generator or the case's reference bus) feeds it. */
  readonly energized: boolean;
  /**
   * The bus whose angle is the island's reference: the case's reference bus
   * when the island holds it, else the bus of its largest in-service
   * generator (lowest bus first among equals); -1 for a de-energized island.
   */
  readonly referenceBus: number;
}

/** The islands of a topology: islandOf[bus] indexes islands, ordered by their lowest bus. */
export interface IslandMap {
  readonly islandOf: Int32Array;
  readonly islands: readonly Island[];
  /** Buses of every de-energized island, ascending. */
  readonly deEnergized: Int32Array;
}

/**
 * Splits the network into islands over the branches in service in the case
 * and closed in the topology (union-find, near-linear), and decides which
 * are energized. A bus the case marks isolated (type 4) is de-energized.
 */
export function findIslands(net: Network, topology: BreakerTopology): IslandMap {
  const root = Int32Array.from({ length: net.busCount }, (_, i) => i);
  const find = (i: number): number => {
    while (root[i] !== i) {
      root[i] = root[root[i]];
      i = root[i];
    }
    return i;
  };
  const open = new Set(topology.openBranches);
  for (let k = 0; k < net.branchCount; k += 1) {
    if (net.branchInService[k] === 0 || open.has(k)) continue;
    const [a, b] = [find(net.branchFrom[k]), find(net.branchTo[k])];
    // Joining under the lower root keeps islands ordered by their lowest bus.
    if (a !== b) root[Math.max(a, b)] = Math.min(a, b);
  }
  const islandOf = new Int32Array(net.busCount);
  const members: number[][] = [];
  const indexOfRoot = new Map<number, number>();
  for (let b = 0; b < net.busCount; b += 1) {
    const r = find(b);
    let at = indexOfRoot.get(r);
    if (at === undefined) {
      at = members.length;
      indexOfRoot.set(r, at);
      members.push([]);
    }
    islandOf[b] = at;
    members[at].push(b);
  }
  const generation = generationByBus(net);
  const islands = members.map((buses) => island(net, Int32Array.from(buses), generation));
  const deEnergized = Int32Array.from(islands.flatMap((i) => (i.energized ? [] : [...i.buses]))).sort();
  return { islandOf, islands, deEnergized };
}

/** In-service generation (MW) at each bus, NaN where no generator is in service. */
function generationByBus(net: Network): Float64Array {
  const out = new Float64Array(net.busCount).fill(Number.NaN);
  for (const g of net.powerCase.gens) {
    if (!g.inService) continue;
    const b = net.indexOf(g.bus);
    out[b] = (Number.isNaN(out[b]) ? 0 : out[b]) + g.pg;
  }
  return out;
}

function island(net: Network, buses: Int32Array, generation: Float64Array): Island {
  const live = buses.filter((b) => net.busType[b] !== BusType.ISOLATED);
  const ref = live.find((b) => net.busType[b] === BusType.REF);
  if (ref !== undefined) return { buses, energized: true, referenceBus: ref };
  let best = -1;
  for (const b of live)
    if (!Number.isNaN(generation[b]) && (best < 0 || generation[b] > generation[best])) best = b;
  return { buses, energized: best >= 0, referenceBus: best };
}
