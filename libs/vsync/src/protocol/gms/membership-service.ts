import { assert } from '../errors/invariant-error';
import type { ProcessId } from '../process-id';
import { isPlanted } from '../testing/planted-bugs';
import { majorityOf } from './ballot';

/** The membership service (GMS) of a view: its oldest `size` members, all of them if the view is smaller. Members are
 *  listed oldest first and every process computes this from the same agreed view, so all agree on it without a
 *  message; when a service member fails, the next-oldest process takes its seat in the next view. */
export function membershipService(members: readonly ProcessId[], size: number): readonly ProcessId[] {
  assert(Number.isInteger(size) && size > 0, `membershipServiceSize must be a positive integer, got ${size}`);
  return members.slice(0, size);
}

/** Service members whose votes decide a view change, or keep a process in the primary partition: a strict majority of
 *  the view's membership service, so any two quorums of one view share a member. */
export function serviceQuorum(members: readonly ProcessId[], size: number): number {
  const service = membershipService(members, size).length;
  return plantedQuorum(service) ?? majorityOf(service);
}

/** The quorum a planted bug uses instead of a majority (mutation check only), or null: the real rule. */
export function plantedQuorum(service: number): number | null {
  if (isPlanted('minorityDecides')) return Math.max(1, Math.ceil(service / 2) - 1);
  if (isPlanted('evenServiceHalfDecides') && service % 2 === 0) return service / 2;
  return null;
}
