import type { ReadValue } from '../../dht';

/** What the DHT workload did, for the checks after the run. Times are simulated ms; view ids are group view ids. */
export interface AckedPut {
  readonly key: string;
  readonly t: number;
  readonly ackedAt: number;
  /** The view whose owners all stored it. */
  readonly viewId: number;
}

export interface OneHopRead {
  readonly key: string;
  readonly issuedAt: number;
  /** The view of the owner that answered. */
  readonly viewId: number;
  readonly t: number | null;
}

export interface OrderedRead {
  readonly op: string;
  readonly owner: string;
  readonly key: string;
  readonly value: ReadValue;
}

export interface AggregateResult {
  readonly op: string;
  readonly issuedAt: number;
  readonly parts: ReadonlyArray<readonly string[]>;
}

export class DhtHistory {
  readonly acked: AckedPut[] = [];
  readonly reads: OneHopRead[] = [];
  readonly orderedReads: OrderedRead[] = [];
  /** Ordered operations in the order of their first delivery anywhere (the total order). */
  readonly totalOrder: string[] = [];
  readonly orderedPuts = new Map<string, ReadonlyArray<readonly [string, string]>>();
  readonly aggregates: AggregateResult[] = [];
  /** Removals from the group while an earlier move had not finished: beyond what replication 2 survives. */
  overlappingRemovals = 0;
}
