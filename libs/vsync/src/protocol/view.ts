import { type ProcessId, formatProcess, sameProcess } from './process-id';

/** One installed membership of a group. Members are listed oldest first, so rank 0 is the oldest member; `joined`,
 *  `left` and `failed` describe the change from the previous view.
 *
 *  `id` is the group's own view number: 1 for the view that founded the group, one more at each change, the same at
 *  every member. `systemViewId` is the system view in which this membership was decided; a delivery's `viewId` and
 *  the state-transfer plan speak of system views. */
export class View {
  readonly systemViewId: number;

  constructor(
    readonly id: number,
    readonly members: readonly ProcessId[],
    readonly joined: readonly ProcessId[] = [],
    readonly left: readonly ProcessId[] = [],
    readonly failed: readonly ProcessId[] = [],
    systemViewId: number = id,
  ) {
    this.systemViewId = systemViewId;
  }

  /** Position of `p` among the members (0 = oldest), or -1 when `p` is not a member. */
  rankOf(p: ProcessId): number {
    return this.members.findIndex((m) => sameProcess(m, p));
  }

  includes(p: ProcessId): boolean {
    return this.rankOf(p) >= 0;
  }

  toString(): string {
    return `View ${this.id} [${this.members.map(formatProcess).join(', ')}]`;
  }
}
