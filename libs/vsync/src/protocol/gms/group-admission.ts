import { type ProcessId, sameProcess } from '../process-id';
import { isPlanted } from '../testing/planted-bugs';
import type { GroupMembership, WireBody } from '../wire-message';

type GroupChangeBody = Extract<WireBody, { kind: 'groupChange' }>;

/**
 * What the core asks of a process's group keys. The crypto lives with the caller (the runtime's GroupSecurity, the
 * simulator's secure nodes); the core only carries a proof and acts on a verdict, so it stays pure: the same key and
 * proof give the same verdict every time.
 */
export interface GroupGuard {
  /** Whether this process holds a key for `group` (it then founds it secured and joins it only with a proof). */
  holdsKey(group: string): boolean;
  /** The token by which `self` shows a member of `group` that it holds the group's key. */
  proof(group: string, self: ProcessId): Uint8Array;
  /** Whether `proof` shows that `joiner` holds the key of `group`; false without a key of one's own. */
  verify(group: string, joiner: ProcessId, proof: Uint8Array): boolean;
}

/**
 * Why the leader refuses a group-change request, or null when it may go into the next view.
 *
 * A secured group is entered only through a sponsor: a joiner sends its proof to a member of the group, which checks it
 * with its own key and asks the leader on the joiner's behalf (`sponsored`). The leader holds no group key; it only
 * checks that a join to a secured group comes, directly, from one of that group's members. Followers never pass
 * sponsored requests on (the sponsor itself resends them to the current leader), so a forwarded request can never be
 * mistaken for a sponsor's.
 */
export function groupChangeRefusal(
  body: GroupChangeBody,
  from: ProcessId,
  groups: readonly GroupMembership[],
): string | null {
  if (!body.join || isPlanted('securedJoinUnchecked')) return null;
  const group = groups.find((g) => g.name === body.group);
  if (body.sponsored) {
    if (group === undefined || !group.members.some((m) => sameProcess(m, from)))
      return 'a sponsored join comes only from a member of the group';
    return null;
  }
  if (group?.secured) return `group "${body.group}" is secured: a join needs a member's sponsorship`;
  return null;
}

/**
 * Whether a change may be applied to a group entry while the next view is built. A founder (the group had no members)
 * sets whether it is secured; after that keys never mix: a secured group takes only sponsored joiners, and an open one
 * only keyless joiners (`secured` on the change says the joiner holds a key). Without the second rule a keyed joiner
 * and a keyless one that found a group in the same decision would share its first view.
 */
export function admitsChange(
  change: { readonly join: boolean; readonly secured?: boolean; readonly sponsored?: boolean },
  secured: boolean,
  memberCount: number,
): boolean {
  if (isPlanted('securedJoinUnchecked')) return true;
  if (!change.join || memberCount === 0) return true;
  if (secured) return change.sponsored === true;
  return change.sponsored !== true && change.secured !== true;
}
