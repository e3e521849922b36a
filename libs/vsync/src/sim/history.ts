import type { Ordering } from '../protocol';

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
}

export interface GroupViewRecord {
  readonly process: string;
  readonly group: string;
  readonly viewId: number;
  readonly members: readonly string[];
}

/** Everything observable that the invariants are judged on, recorded as the simulation runs. */
export class History {
  readonly sent = new Map<string, SentMessage>();
  readonly deliveries: Delivery[] = [];
  readonly systemViews: InstalledView[] = [];
  readonly groupViews: GroupViewRecord[] = [];
  /** Processes (address#incarnation) that were excluded or crashed, with the time it happened. */
  readonly excluded = new Map<string, number>();
  readonly crashed = new Map<string, number>();
  /** The error each excluded process left with, by name (MinorityPartitionError, ExcludedError, ...). */
  readonly exclusionErrors = new Map<string, string>();
  readonly notes: string[] = [];
}
