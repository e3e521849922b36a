import type { Network } from '../network/network';
import type { BreakerTopology } from '../topology/breaker-topology';
import { islandedNetwork } from '../topology/islanded-network';
import { findIslands, type IslandMap } from '../topology/islands';
import { solvePowerFlow } from './newton-raphson';
import { DEFAULT_POWER_FLOW_OPTIONS, type PowerFlowOptions } from './power-flow-options';
import type { PowerFlowSolution } from './power-flow-solution';

/** A power flow under a breaker topology, with the islands it found and the network it solved. */
export interface IslandedPowerFlow extends PowerFlowSolution {
  readonly islands: IslandMap;
  readonly network: Network;
}

/**
 * AC power flow of a network split by open breakers: every energized island
 * is balanced by its own reference bus (its stored angle kept there), and de-energized
 * buses get V = 0. The islands' Jacobian blocks are independent, so one
 * Newton solve over the whole network converges for each island at once.
 */
export function solveIslandedPowerFlow(
  net: Network,
  topology: BreakerTopology,
  options: PowerFlowOptions = DEFAULT_POWER_FLOW_OPTIONS,
): IslandedPowerFlow {
  const islands = findIslands(net, topology);
  const network = islandedNetwork(net, topology, islands);
  if (islands.deEnergized.length === net.busCount) {
    const zero = new Float64Array(net.busCount);
    return { vm: zero, va: zero.slice(), iterations: 0, mismatchPu: 0, islands, network };
  }
  const solution = solvePowerFlow(network, options);
  const vm = solution.vm.slice();
  const va = solution.va.slice();
  for (const b of islands.deEnergized) {
    vm[b] = 0;
    va[b] = 0;
  }
  return { ...solution, vm, va, islands, network };
}
