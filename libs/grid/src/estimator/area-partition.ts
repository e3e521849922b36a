import { GridConfigError } from '../errors/config-error';
import type { Network } from '../network/network';

/**
 * Area label (0..k-1) of each bus: either the case's `area` column
 * ('case'), or k graph areas cut from a breadth-first order of the bus graph
 * started at a far (pseudo-peripheral) bus, so each area is a band of
 * neighbouring buses with few tie-lines to the next band.
 */
export function partitionBuses(net: Network, areas: number | 'case'): Int32Array {
  if (areas === 'case') {
    const ids = new Map<number, number>();
    return Int32Array.from(net.busArea, (a) => {
      if (!ids.has(a)) ids.set(a, ids.size);
      return ids.get(a)!;
    });
  }
  if (!Number.isInteger(areas) || areas < 1 || areas > net.busCount) {
    throw new GridConfigError(
      `areas must be 'case' or an integer in [1, ${net.busCount}] (bus count), got ${areas}`,
    );
  }
  const order = breadthFirstOrder(net);
  const size = Math.ceil(net.busCount / areas);
  const label = new Int32Array(net.busCount);
  order.forEach((b, k) => (label[b] = Math.min(areas - 1, Math.floor(k / size))));
  return label;
}

function bfsFrom(net: Network, start: number, seen: Uint8Array, out: number[]): number {
  let head = out.length;
  out.push(start);
  seen[start] = 1;
  let last = start;
  while (head < out.length) {
    const b = out[head++];
    last = b;
    for (let p = net.neighborPtr[b]; p < net.neighborPtr[b + 1]; p++) {
      const j = net.neighbors[p];
      if (seen[j] === 0) {
        seen[j] = 1;
        out.push(j);
      }
    }
  }
  return last;
}

/** BFS order over every component, each started from the last bus a first BFS reached. */
function breadthFirstOrder(net: Network): number[] {
  const order: number[] = [];
  const seen = new Uint8Array(net.busCount);
  const probe = new Uint8Array(net.busCount);
  for (let s = 0; s < net.busCount; s++) {
    if (seen[s] === 1) continue;
    const far = bfsFrom(net, s, probe, []);
    bfsFrom(net, far, seen, order);
  }
  return order;
}
