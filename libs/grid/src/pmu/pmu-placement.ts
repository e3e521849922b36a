import { GridConfigError } from '../errors/config-error';
import type { Network } from '../network/network';

/** How PMUs are placed: full observability, observability surviving the loss of any one PMU, or every bus. */
export type PlacementStrategy = 'greedy' | 'redundant' | 'all';

export const PLACEMENT_STRATEGIES: readonly PlacementStrategy[] = ['greedy', 'redundant', 'all'];

/**
 * PMU buses (dense indices, ascending). A PMU observes its own bus and, through
 * its branch currents, every neighbour, so a bus is covered by the PMUs in its
 * closed neighbourhood. 'greedy' covers every bus once; 'redundant' twice
 * (once for a bus whose neighbourhood has one bus), so losing any single PMU
 * leaves every bus covered. Greedy picks the bus that removes the most
 * deficit, then a reverse pass drops PMUs that are no longer needed.
 */
export function placePmus(net: Network, strategy: PlacementStrategy): Int32Array {
  if (strategy === 'all') return Int32Array.from({ length: net.busCount }, (_, i) => i);
  if (strategy !== 'greedy' && strategy !== 'redundant') {
    throw new GridConfigError(
      `placement must be one of ${PLACEMENT_STRATEGIES.join(', ')}, got '${String(strategy)}'`,
    );
  }
  const need = new Int32Array(net.busCount);
  for (let j = 0; j < net.busCount; j++) {
    const closed = 1 + net.neighborPtr[j + 1] - net.neighborPtr[j];
    need[j] = strategy === 'redundant' ? Math.min(2, closed) : 1;
  }
  const chosen = greedyCover(net, need);
  return pruneRedundant(net, need, chosen);
}

function closedNeighborhood(net: Network, b: number, visit: (j: number) => void): void {
  visit(b);
  for (let p = net.neighborPtr[b]; p < net.neighborPtr[b + 1]; p++) visit(net.neighbors[p]);
}

/**
 * Greedy set multicover. gain[b] counts the buses in b's closed neighbourhood
 * still short of cover; it only changes around a newly satisfied bus, so it
 * is updated locally instead of recomputed for every candidate.
 */
function greedyCover(net: Network, need: Int32Array): number[] {
  const n = net.busCount;
  const cover = new Int32Array(n);
  const placed = new Uint8Array(n);
  const gain = new Int32Array(n);
  for (let b = 0; b < n; b++) closedNeighborhood(net, b, () => gain[b]++);
  const chosen: number[] = [];
  for (;;) {
    let best = -1;
    for (let b = 0; b < n; b++)
      if (placed[b] === 0 && gain[b] > 0 && (best < 0 || gain[b] > gain[best])) best = b;
    if (best < 0) return chosen;
    placed[best] = 1;
    chosen.push(best);
    closedNeighborhood(net, best, (j) => {
      cover[j]++;
      if (cover[j] === need[j]) closedNeighborhood(net, j, (b) => gain[b]--);
    });
  }
}

function pruneRedundant(net: Network, need: Int32Array, chosen: number[]): Int32Array {
  const cover = new Int32Array(net.busCount);
  for (const b of chosen) closedNeighborhood(net, b, (j) => cover[j]++);
  const kept = new Set(chosen);
  for (let k = chosen.length - 1; k >= 0; k--) {
    const b = chosen[k];
    let removable = true;
    closedNeighborhood(net, b, (j) => (removable &&= cover[j] > need[j]));
    if (!removable) continue;
    kept.delete(b);
    closedNeighborhood(net, b, (j) => cover[j]--);
  }
  return Int32Array.from([...kept].sort((a, b) => a - b));
}
