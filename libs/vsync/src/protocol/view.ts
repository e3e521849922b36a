import { type ProcessId, formatProcess, sameProcess } from './process-id';

/** One installed membership of a group (or of the whole system). Members are listed oldest first, so rank 0 is the
 *  oldest member; `joined`, `left` and `failed` describe the change from the previous view. */
export class View {
  constructor(
    readonly id: number,
    readonly members: readonly ProcessId[],
    readonly joined: readonly ProcessId[] = [],
    readonly left: readonly ProcessId[] = [],
    readonly failed: readonly ProcessId[] = [],
  ) {}

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
