import type { GroupMembership, ProcessId, ViewValue } from '../protocol';

/** One group's membership as the whole system sees it (oldest member first), as the decided view carries it. */
export type GroupMembers = GroupMembership;

/**
 * The installed system view as an observer sees it: every live process and every group's members. A process
 * learns every group's membership from the membership service's decisions without joining those groups, so a
 * supervisor can watch which processes belong to which group without receiving their traffic.
 */
export interface SystemView {
  readonly id: number;
  readonly members: readonly ProcessId[];
  readonly groups: readonly GroupMembers[];
  /** Processes that left gracefully or failed since the previous system view. */
  readonly left: readonly ProcessId[];
  readonly failed: readonly ProcessId[];
}

export function toSystemView(value: ViewValue): SystemView {
  return {
    id: value.id,
    members: value.members,
    // Decided views are never mutated, so observers may share the core's (readonly) group list.
    groups: value.groups,
    left: value.left,
    failed: value.failed,
  };
}
