import { BusType, type PowerCase } from '../case/power-case';
import { Network } from '../network/network';
import type { BreakerTopology } from './breaker-topology';
import type { IslandMap } from './islands';

/**
 * The network model of a topology: the case with the open branches out of
 * service, one reference bus per energized island (its `referenceBus`, so a
 * power flow balances each island on its own slack) and every bus of a
 * de-energized island isolated (type 4, no unknowns).
 */
export function islandedNetwork(net: Network, topology: BreakerTopology, islands: IslandMap): Network {
  const open = new Set(topology.openBranches);
  const refs = new Set(islands.islands.filter((i) => i.energized).map((i) => i.referenceBus));
  const dead = new Set(islands.deEnergized);
  const c = net.powerCase;
  const typeOf = (i: number, type: number): number => {
    if (dead.has(i)) return BusType.ISOLATED;
    if (refs.has(i)) return BusType.REF;
    return type === BusType.REF ? BusType.PV : type;
  };
  const islanded: PowerCase = {
    ...c,
    buses: c.buses.map((b, i) => ({ ...b, type: typeOf(i, b.type) })),
    branches: c.branches.map((br, k) => (open.has(k) ? { ...br, inService: false } : br)),
  };
  return new Network(islanded);
}
