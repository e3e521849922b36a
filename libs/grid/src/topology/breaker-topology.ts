import { TopologyError } from '../errors/topology-error';
import type { Network } from '../network/network';

/**
 * The network model a set of breaker states selects: the case's in-service
 * branches minus those whose breakers are open. `id` names it in every
 * estimate (equal ids, equal topologies), `openBranches` lists the open rows.
 */
export interface BreakerTopology {
  readonly id: string;
  /** 0-based branch rows opened by breakers, ascending; only branches in service in the case. */
  readonly openBranches: Int32Array;
}

/**
 * The topology with the given branch rows open. A row outside the case is an
 * error naming it; a branch already out of service in the case is ignored,
 * since opening its breaker changes nothing.
 */
export function breakerTopology(net: Network, openBranches: Iterable<number>): BreakerTopology {
  const open = new Set<number>();
  for (const k of openBranches) {
    if (!Number.isInteger(k) || k < 0 || k >= net.branchCount)
      throw new TopologyError(
        `breaker status names branch row ${k}, but case ${net.caseName} has rows 0..${net.branchCount - 1}`,
      );
    if (net.branchInService[k] === 1) open.add(k);
  }
  const rows = Int32Array.from([...open].sort((a, b) => a - b));
  return { id: topologyId(rows), openBranches: rows };
}

/**
 * 'T' and eight hex digits of FNV-1a over the open rows: short enough for a
 * log line and a wire header, and the same at every process for the same set.
 * Two different sets may share an id only by a 32-bit hash collision, so
 * consumers that must be exact compare `openBranches` as well.
 */
function topologyId(rows: Int32Array): string {
  let h = 0x811c9dc5;
  for (const k of rows) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (k >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return `T${h.toString(16).padStart(8, '0')}`;
}
