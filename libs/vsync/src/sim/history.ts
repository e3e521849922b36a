import type { Ordering, QueryWant, TimeoutAction } from '../protocol';

/** A multicast the core accepted into its send window (the API promise resolved). */
export interface SentMessage {
  readonly id: string;
  readonly sender: string;
  readonly group: string;
  readonly ordering: Ordering;
  /** Position among this sender's messages of this group and ordering: 1, 2, ... */
  readonly index: number;
}

export interface Delivery {
  readonly receiver: string;
  readonly group: string;
  readonly viewId: number;
  readonly sender: string;
  readonly ordering: Ordering;
  readonly id: string;
}

export interface InstalledView {
  readonly process: string;
  readonly id: number;
  readonly members: readonly string[];
  /** Each group's members in this view, by group name (the query checks read them). */
  readonly groups?: ReadonlyMap<string, readonly string[]>;
}

export interface GroupViewRecord {
  readonly process: string;
  readonly group: string;
  /** The system view (era-numbered) in which this membership was decided. */
  readonly viewId: number;
  readonly members: readonly string[];
  /** The group's own view number (View.id), when the run recorded it. */
  readonly groupViewId?: number;
  /** Whether the process entered the group with this view (it is among the view's joined). */
  readonly entered?: boolean;
  /** Whether every member entered with this view and none departed: the group was founded (or refounded after it
   *  emptied in an earlier view). */
  readonly founded?: boolean;
}

/** A query as its querier issued it; `target` is the asked member of a p2p query. */
export interface IssuedQuery {
  readonly id: string;
  readonly querier: string;
  readonly group: string;
  readonly ordering: Ordering | 'p2p';
  readonly target: string | null;
  readonly want: QueryWant;
  readonly onTimeout: TimeoutAction;
}

/** How a query ended at its querier: the answerers in reply order (what each value reply named as its author), the
 *  members it reported silent, or the error it failed with. */
export interface QueryEnd {
  readonly id: string;
  readonly answerers: readonly { readonly from: string; readonly named: string | null }[];
  readonly silent: readonly string[];
  readonly error: string | null;
  /** The querier's system view when the query ended (era-numbered like every view id here). */
  readonly viewId: number;
}

/** One delivery or group view report at one process, in the order the process emitted them. */
export type TimelineEntry =
  | { readonly kind: 'view'; readonly process: string; readonly group: string; readonly viewId: number }
  | { readonly kind: 'deliver'; readonly process: string; readonly group: string; readonly id: string }
  | { readonly kind: 'queryEnd'; readonly process: string; readonly group: string; readonly id: string };

/** A group join request as its process issued it, and how it ended: 'joined', the error it failed with ("name:
 *  message"), or 'stopped' (the process crashed or restarted before an answer). `endedMs` is null while pending. */
export interface JoinRequestRecord {
  readonly process: string;
  readonly group: string;
  readonly askedMs: number;
  endedMs: number | null;
  outcome: string | null;
  /** The group's members in the process's system view when the request ended (empty if none). */
  membersAtEnd: readonly string[];
}

/** Everything observable that the invariants are judged on, recorded as the simulation runs. */
export class History {
  readonly sent = new Map<string, SentMessage>();
  readonly deliveries: Delivery[] = [];
  readonly systemViews: InstalledView[] = [];
  readonly groupViews: GroupViewRecord[] = [];
  /** Deliveries and group view reports interleaved as each process emitted them: which view a delivery happened in is
   *  judged from its position between two view reports, not from the view id the core tagged it with. */
  readonly timeline: TimelineEntry[] = [];
  /** Group leave requests that completed, as "process|group|viewId", the id of the last group view it was in. */
  readonly groupLeaves = new Set<string>();
  /** Processes (address#incarnation) that were excluded or crashed, with the time it happened. */
  readonly excluded = new Map<string, number>();
  readonly crashed = new Map<string, number>();
  /** The error each excluded process left with, by name (MinorityPartitionError, ExcludedError, ...). */
  readonly exclusionErrors = new Map<string, string>();
  readonly notes: string[] = [];
  readonly queries = new Map<string, IssuedQuery>();
  readonly queryEnds = new Map<string, QueryEnd>();
  /** Point-to-point requests delivered, as "receiver|id" (they are not group deliveries: no view synchrony). */
  readonly p2pDelivered = new Set<string>();
  /** Group join requests, by "process|requestId", in the simulated time of the run (not the processes' clocks). */
  readonly joinRequests = new Map<string, JoinRequestRecord>();
}
