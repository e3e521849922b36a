import { assert } from '../errors/invariant-error';
import { isPlanted } from '../testing/planted-bugs';
import { QueryAbortedError } from '../errors/query-aborted-error';
import { QueryTimeoutError } from '../errors/query-timeout-error';
import type { VsyncError } from '../errors/vsync-error';
import { type ProcessId, formatProcess, processKey } from '../process-id';
import type { ReplyOutcome } from '../wire-message';
import type { QueryReply, QueryWant, TimeoutAction } from './query-types';

/** How a pending query ended, or what it asks the core to do. */
export type QueryEnd =
  | {
      readonly kind: 'done';
      readonly queryId: number;
      readonly replies: readonly QueryReply[];
      readonly silent: readonly ProcessId[];
    }
  | { readonly kind: 'failed'; readonly queryId: number; readonly error: VsyncError }
  /** onTimeout 'declareFailed': the core reports these members as failed; the query waits for the view change. */
  | { readonly kind: 'declare'; readonly queryId: number; readonly silent: readonly ProcessId[] };

export interface NewQuery {
  readonly queryId: number;
  readonly group: string;
  readonly want: QueryWant;
  readonly timeoutMs: number;
  readonly onTimeout: TimeoutAction;
  readonly nowMs: number;
}

interface PendingQuery extends NewQuery {
  deadlineMs: number;
  /** The members asked, in the order their replies are returned; null while the request waits for the send window. */
  asked: readonly ProcessId[] | null;
  /** Keys of the asked members still expected to answer: one that leaves the group's view leaves this set. */
  expected: Set<string>;
  target: number;
  readonly replies: Map<string, QueryReply>;
  declared: boolean;
}

/**
 * The querier's side of queries, pure: which members each query asked, who is still expected, what arrived. A query
 * completes once `want` answers arrived or every member still expected answered; a member that fails or leaves the
 * group leaves the expected set at the view change, so a query completes with the survivors. An answer is counted at
 * most once per member, and only from a member that was asked. The table holds at most `maxPendingQueries` entries.
 */
export class PendingQueries {
  private readonly pending = new Map<number, PendingQuery>();

  constructor(private readonly maxPendingQueries: number) {
    assert(maxPendingQueries > 0, 'maxPendingQueries must be positive');
  }

  get size(): number {
    return this.pending.size;
  }

  get full(): boolean {
    return this.pending.size >= this.maxPendingQueries;
  }

  has(queryId: number): boolean {
    return this.pending.has(queryId);
  }

  add(q: NewQuery): void {
    assert(!this.full, 'a full query table takes no query');
    assert(!this.pending.has(q.queryId), `query ${q.queryId} is already pending`);
    this.pending.set(q.queryId, {
      ...q,
      deadlineMs: q.nowMs + q.timeoutMs,
      asked: null,
      expected: new Set(),
      target: 0,
      replies: new Map(),
      declared: false,
    });
  }

  /** The request left for `asked` (the group's members, or the one p2p target). */
  sent(queryId: number, asked: readonly ProcessId[]): QueryEnd[] {
    const q = this.pending.get(queryId);
    if (q === undefined) return [];
    assert(q.asked === null, `query ${queryId} was sent twice`);
    q.asked = [...asked];
    q.expected = new Set(asked.map(processKey));
    q.target = targetOf(q.want, asked.length);
    return this.settle(q);
  }

  /** An answer arrived. Counted once per asked member that is still expected; anything else is ignored. */
  reply(from: ProcessId, queryId: number, outcome: ReplyOutcome, payload: Uint8Array): QueryEnd[] {
    const q = this.pending.get(queryId);
    const key = processKey(from);
    if (q === undefined || q.asked === null || !q.expected.has(key) || q.replies.has(key)) return [];
    if (outcome === 'abort') {
      this.pending.delete(queryId);
      const reason = new TextDecoder().decode(payload);
      return [
        { kind: 'failed', queryId, error: new QueryAbortedError(q.group, formatProcess(from), reason) },
      ];
    }
    q.replies.set(key, { from, outcome, payload });
    return this.settle(q);
  }

  /** A view was installed: members of `group` not in `members` (failed, left, or the group is gone) are no longer
   *  expected. Their answers, if any arrived, still count. */
  retain(group: string, members: readonly ProcessId[]): QueryEnd[] {
    if (isPlanted('queryKeepsDeparted')) return [];
    const keep = new Set(members.map(processKey));
    const ends: QueryEnd[] = [];
    for (const q of [...this.pending.values()]) {
      if (q.group !== group || q.asked === null) continue;
      for (const key of q.expected) if (!keep.has(key) && !q.replies.has(key)) q.expected.delete(key);
      ends.push(...this.settle(q));
    }
    return ends;
  }

  /** Groups that have queries in flight: the core reports each one's membership at every view. */
  groups(): Set<string> {
    return new Set([...this.pending.values()].map((q) => q.group));
  }

  tick(nowMs: number): QueryEnd[] {
    const ends: QueryEnd[] = [];
    for (const q of [...this.pending.values()]) if (nowMs >= q.deadlineMs) ends.push(this.timeOut(q, nowMs));
    return ends;
  }

  /** Forgets a query (its request failed before it left); returns whether it was pending. */
  forget(queryId: number): boolean {
    return this.pending.delete(queryId);
  }

  /** Forgets every query, returning their ids: the process is leaving and fails them all. */
  clear(): number[] {
    const ids = [...this.pending.keys()];
    this.pending.clear();
    return ids;
  }

  private timeOut(q: PendingQuery, nowMs: number): QueryEnd {
    const silent = this.silent(q);
    if (q.onTimeout === 'declareFailed' && !q.declared && silent.length > 0) {
      // One more timeout for the membership service to remove them; after that, what arrived is the answer.
      q.declared = true;
      q.deadlineMs = nowMs + q.timeoutMs;
      return { kind: 'declare', queryId: q.queryId, silent };
    }
    this.pending.delete(q.queryId);
    if (q.onTimeout === 'abort' || q.asked === null) {
      const names = silent.map(formatProcess);
      return {
        kind: 'failed',
        queryId: q.queryId,
        error: new QueryTimeoutError(q.group, q.timeoutMs, names),
      };
    }
    return { kind: 'done', queryId: q.queryId, replies: this.ordered(q), silent };
  }

  private settle(q: PendingQuery): QueryEnd[] {
    const counted = q.replies.size;
    const outstanding = [...q.expected].some((key) => !q.replies.has(key));
    const target = isPlanted('queryCompletesEarly') ? q.target - 1 : q.target;
    if (counted < target && outstanding) return [];
    this.pending.delete(q.queryId);
    return [{ kind: 'done', queryId: q.queryId, replies: this.ordered(q), silent: [] }];
  }

  /** Replies in the order the members were asked (oldest member first): the same order at every run. */
  private ordered(q: PendingQuery): QueryReply[] {
    const out: QueryReply[] = [];
    for (const m of q.asked ?? []) {
      const r = q.replies.get(processKey(m));
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  private silent(q: PendingQuery): ProcessId[] {
    return (q.asked ?? []).filter((m) => q.expected.has(processKey(m)) && !q.replies.has(processKey(m)));
  }
}

/** Answers a query waits for among `asked` members: never more than were asked. */
export function targetOf(want: QueryWant, asked: number): number {
  if (want === 'all') return asked;
  if (want === 'majority') return Math.floor(asked / 2) + 1;
  return Math.min(want, asked);
}
