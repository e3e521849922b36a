import { itemsOf, splitWork, WorkSplitError } from '@gridcloud/vsync';
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
 * Splits `areaCount` areas among the workers, each area to `replicas` of them: vsync's splitWork over the worker
 * list, so every member that passes the same list (the view order, which every member sees alike) computes the same
 * assignment, the r replicas of an area are r consecutive, distinct workers, and loads differ by at most one area.
 */
export function assignAreas(workers: readonly string[], areaCount: number, replicas: number): AreaAssignment {
  try {
    const split = splitWork(workers, areaCount, replicas);
    return { workers: split.members, areaCount, replicas: split.replicas, holders: split.holders };
  } catch (error) {
    if (error instanceof WorkSplitError)
      throw new EstimationConfigError(
        error.message
          .replace(/^WorkSplitError: /, '')
          .replace('itemCount', 'areaCount')
          .replace('members', 'workers'),
      );
    throw error;
  }
}

/** The areas `worker` computes, with its replica rank in each (0 = primary). */
export function areasOf(assignment: AreaAssignment, worker: string): { area: number; rank: number }[] {
  const split = { members: assignment.workers, itemCount: assignment.areaCount, ...assignment };
  return itemsOf(split, worker).map(({ item, rank }) => ({ area: item, rank }));
}
