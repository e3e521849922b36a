import { type ProcessId, processKey, sameProcess } from '../process-id';

/** The acceptances of one group epoch: for every member that reported, the `through` vector of its last safeAccept
 *  (by sender rank in the epoch's members: every safe record of that sender up to that seq is in its log). */
export class EpochVotes {
  private readonly through = new Map<string, number[]>();

  constructor(
    readonly epoch: number,
    readonly members: readonly ProcessId[],
  ) {}

  rankOf(p: ProcessId): number {
    return this.members.findIndex((m) => sameProcess(m, p));
  }

  /** Merges one member's report; a report from a non-member, or of the wrong length, is ignored (not this epoch's). */
  record(acceptor: ProcessId, through: readonly number[]): void {
    if (this.rankOf(acceptor) < 0 || through.length !== this.members.length) return;
    const key = processKey(acceptor);
    const known = this.through.get(key) ?? this.members.map(() => 0);
    for (let rank = 0; rank < known.length; rank++) known[rank] = Math.max(known[rank], through[rank]);
    this.through.set(key, known);
  }

  /** The members whose logs hold the safe record `seq` of `sender`, in member order. */
  acceptorsOf(sender: ProcessId, seq: number): ProcessId[] {
    const rank = this.rankOf(sender);
    if (rank < 0) return [];
    return this.members.filter((m) => (this.through.get(processKey(m))?.[rank] ?? 0) >= seq);
  }

  /** This member's own vector, a copy (what it announces). */
  vectorOf(acceptor: ProcessId): number[] {
    return [...(this.through.get(processKey(acceptor)) ?? this.members.map(() => 0))];
  }
}
