import { EstimationConfigError } from '../errors/estimation-config-error';

/** Which workers compute each area: `holders[a]` lists r distinct workers, the primary first. */
export interface AreaAssignment {
  readonly workers: readonly string[];
  readonly areaCount: number;
  /** Replicas per area actually used: the requested r, or fewer when there are fewer workers. */
  readonly replicas: number;
  readonly holders: readonly (readonly string[])[];
}

/**
 * Splits `areaCount` areas among the workers, each area to `replicas` of
 * them. A pure function of its arguments: every member that passes the same
 * worker list (the view order, which every member sees alike) computes the
 * same assignment. Area a's j-th replica is worker (a r + j) mod n, so the
 * r replicas of an area are r consecutive, distinct workers and the a r slots
 * are dealt round-robin: loads differ by at most one area.
 */
export function assignAreas(workers: readonly string[], areaCount: number, replicas: number): AreaAssignment {
  if (!Number.isInteger(areaCount) || areaCount < 1)
    throw new EstimationConfigError(`areaCount must be a positive integer, got ${areaCount}`);
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new EstimationConfigError(`replicas must be a positive integer, got ${replicas}`);
  if (new Set(workers).size !== workers.length) throw new EstimationConfigError('workers must be distinct');
  const n = workers.length;
  const r = Math.min(replicas, n);
  const holders = Array.from({ length: areaCount }, (_, a) =>
    Array.from({ length: r }, (_, j) => workers[(a * r + j) % n]),
  );
  return { workers: [...workers], areaCount, replicas: r, holders };
}

/** The areas `worker` computes, with its replica rank in each (0 = primary). */
export function areasOf(assignment: AreaAssignment, worker: string): { area: number; rank: number }[] {
  const out: { area: number; rank: number }[] = [];
  assignment.holders.forEach((list, area) => {
    const rank = list.indexOf(worker);
    if (rank >= 0) out.push({ area, rank });
  });
  return out;
}
