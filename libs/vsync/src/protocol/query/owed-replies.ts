import { assert } from '../errors/invariant-error';
import { type ProcessId, processKey } from '../process-id';

interface Owed {
  readonly querier: ProcessId;
  readonly group: string;
}

/**
 * The responder's side, pure: one reply is owed per delivered query request, and only one is ever sent. Bounded by
 * `maxOwedReplies`: past it the oldest debt is dropped (its querier times out, as if this member were slow), because
 * a delivery can never be refused. Debts to a querier that left the system are dropped at the view change.
 */
export class OwedReplies {
  private readonly owed = new Map<string, Owed>();
  private droppedCount = 0;

  constructor(private readonly maxOwedReplies: number) {
    assert(maxOwedReplies > 0, 'maxOwedReplies must be positive');
  }

  get size(): number {
    return this.owed.size;
  }

  /** Debts dropped because the table was full (a figure for monitoring). */
  get dropped(): number {
    return this.droppedCount;
  }

  add(querier: ProcessId, queryId: number, group: string): void {
    assert(queryId > 0, 'query ids start at 1');
    const key = keyOf(querier, queryId);
    if (this.owed.has(key)) return;
    if (this.owed.size >= this.maxOwedReplies) {
      const oldest = this.owed.keys().next().value!;
      this.owed.delete(oldest);
      this.droppedCount += 1;
    }
    this.owed.set(key, { querier, group });
  }

  /** Settles a debt: returns its group if this reply was owed (first reply only), else undefined. */
  take(querier: ProcessId, queryId: number): string | undefined {
    const key = keyOf(querier, queryId);
    const debt = this.owed.get(key);
    if (debt === undefined) return undefined;
    this.owed.delete(key);
    return debt.group;
  }

  /** Keeps only debts to queriers that are still in the system. */
  retain(isMember: (p: ProcessId) => boolean): void {
    for (const [key, debt] of this.owed) if (!isMember(debt.querier)) this.owed.delete(key);
  }

  clear(): void {
    this.owed.clear();
  }
}

function keyOf(querier: ProcessId, queryId: number): string {
  return `${processKey(querier)}|${queryId}`;
}
