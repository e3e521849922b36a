import { VsyncError } from '../protocol';

/** Which members hold each work item: `holders[i]` lists `replicas` distinct members for item i, the primary first. */
export interface WorkSplit<M> {
  readonly members: readonly M[];
  readonly itemCount: number;
  /** Replicas per item actually used: the requested count, or fewer when the view has fewer members. */
  readonly replicas: number;
  readonly holders: readonly (readonly M[])[];
}

/** A work split asked with a bad argument (no members twice, a count that is not a positive integer). */
export class WorkSplitError extends VsyncError {
  constructor(detail: string) {
    super('WORK_SPLIT', `WorkSplitError: ${detail}`);
  }
}

/**
 * Splits `itemCount` work items (0..itemCount-1) among `members`, each item to `replicas` of them. A pure function of
 * its arguments: every member that passes the same member list (a view's members, which every member sees alike and
 * in the same order) computes the same split, with no message exchanged. Item i's j-th holder is member
 * (i r + j) mod n, so the r holders of an item are r consecutive, distinct members and the i r slots are dealt
 * round-robin: loads differ by at most one item. `keyOf` tells members apart (default: the value itself; pass
 * processKey for ProcessIds).
 */
export function splitWork<M>(
  members: readonly M[],
  itemCount: number,
  replicas: number,
  keyOf: (member: M) => unknown = (m) => m,
): WorkSplit<M> {
  if (!Number.isInteger(itemCount) || itemCount < 1)
    throw new WorkSplitError(`itemCount must be a positive integer, got ${itemCount}`);
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new WorkSplitError(`replicas must be a positive integer, got ${replicas}`);
  if (new Set(members.map(keyOf)).size !== members.length)
    throw new WorkSplitError('members must be distinct');
  const n = members.length;
  const r = Math.min(replicas, n);
  const holders = Array.from({ length: itemCount }, (_, i) =>
    Array.from({ length: r }, (_, j) => members[(i * r + j) % n]),
  );
  return { members: [...members], itemCount, replicas: r, holders };
}

/** The items `member` holds in a split, with its replica rank in each (0 = primary). */
export function itemsOf<M>(
  split: WorkSplit<M>,
  member: M,
  keyOf: (member: M) => unknown = (m) => m,
): { item: number; rank: number }[] {
  const key = keyOf(member);
  const out: { item: number; rank: number }[] = [];
  split.holders.forEach((list, item) => {
    const rank = list.findIndex((m) => keyOf(m) === key);
    if (rank >= 0) out.push({ item, rank });
  });
  return out;
}
