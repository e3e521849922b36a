import { BranchEnd, type Network } from '@gridcloud/grid';

/** One phasor channel of a simulated PMU: its bus voltage or the current into a branch end at its bus. */
export interface PhasorChannelSpec {
  readonly name: string;
  readonly kind: 'voltage' | 'current';
  readonly bus: number;
  readonly branch: number;
  readonly end: number;
}

/** A simulated PMU: its IDCODE, the bus it sits at (dense index) and its channels. */
export interface SimulatedPmu {
  readonly idcode: number;
  readonly stationName: string;
  readonly bus: number;
  readonly busId: number;
  readonly channels: readonly PhasorChannelSpec[];
}

/** Channels of a PMU at `bus`: the voltage, then each in-service branch end there (branch-row order). */
export function channelsAt(net: Network, bus: number): PhasorChannelSpec[] {
  const id = net.busIds[bus];
  const out: PhasorChannelSpec[] = [{ name: `V${id}`, kind: 'voltage', bus, branch: -1, end: 0 }];
  for (let k = 0; k < net.branchCount; k += 1) {
    if (net.branchInService[k] === 0) continue;
    if (net.branchFrom[k] === bus)
      out.push({
        name: `I${id}-${net.busIds[net.branchTo[k]]}#${k}`,
        kind: 'current',
        bus,
        branch: k,
        end: BranchEnd.FROM,
      });
    else if (net.branchTo[k] === bus)
      out.push({
        name: `I${id}-${net.busIds[net.branchFrom[k]]}#${k}`,
        kind: 'current',
        bus,
        branch: k,
        end: BranchEnd.TO,
      });
  }
  return out;
}
