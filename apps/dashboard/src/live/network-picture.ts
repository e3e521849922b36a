import { BusType, type Network } from '@gridcloud/grid';
import { layoutNetwork } from '../layout/network-layout';

/** The network as the page draws it, sent once to each browser: buses at layout positions and the branches. */
export interface NetworkPicture {
  readonly caseName: string;
  readonly referenceBus: number;
  readonly buses: { readonly id: number; readonly x: number; readonly y: number }[];
  /** Dense bus indices; inService is the case's status (a trip shows in the frames' openBranches). */
  readonly branches: { readonly from: number; readonly to: number; readonly inService: boolean }[];
}

/** Lays the case out once (deterministic, so every restart draws the same picture). */
export function networkPicture(network: Network): NetworkPicture {
  const xy = layoutNetwork({ busCount: network.busCount, from: network.branchFrom, to: network.branchTo });
  const reference = network.busType.indexOf(BusType.REF);
  return {
    caseName: network.caseName,
    referenceBus: reference < 0 ? 0 : reference,
    buses: Array.from(network.busIds, (id, b) => ({ id, x: xy[2 * b], y: xy[2 * b + 1] })),
    branches: Array.from(network.branchFrom, (from, k) => ({
      from,
      to: network.branchTo[k],
      inService: network.branchInService[k] === 1,
    })),
  };
}
