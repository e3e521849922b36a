/** A stored value: text or bytes (its size counts against the member's bounds). */
export type DhtValue = string | Uint8Array;

/**
 * Which write wins at a replica: the higher counter, ties broken by the writer's process key. One-hop puts take the
 * counter from the writer's clock (last writer wins); ordered puts take the stored counter plus one, which every
 * owner computes alike because every owner applied the same ordered writes before.
 */
export interface Version {
  readonly t: number;
  readonly w: string;
}

export interface DhtEntry {
  readonly key: string;
  readonly value: DhtValue;
  readonly version: Version;
}

/** Bounds of one member's shard; units last. */
export interface DhtBounds {
  /** Replicas of each key (the owners: the primary and r-1 backups). */
  readonly replication: number;
  /** Entries a member stores at most; a one-hop put beyond it is refused with DhtFullError. */
  readonly maxEntries: number;
  /** Bytes of keys and values (plus a fixed overhead per entry) a member stores at most. */
  readonly maxStoredBytes: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  /** Reads and ordered operations held at a member until its fill after a view change completes. */
  readonly maxWaitingRequests: number;
  /** Bytes of entries per handover message (several messages when a member hands over more). */
  readonly maxHandoverBatchBytes: number;
}

export const DEFAULT_DHT_BOUNDS: DhtBounds = {
  replication: 2,
  maxEntries: 1_000_000,
  maxStoredBytes: 256 * 1024 * 1024,
  maxKeyBytes: 1_024,
  maxValueBytes: 256 * 1024,
  maxWaitingRequests: 10_000,
  maxHandoverBatchBytes: 512 * 1024,
};

/** Accounting overhead per stored entry (map slot, version), so many tiny entries still count. */
export const ENTRY_OVERHEAD_BYTES = 64;

export function newer(a: Version, b: Version): boolean {
  return a.t > b.t || (a.t === b.t && a.w > b.w);
}

export function sizeOf(key: string, value: DhtValue): number {
  const valueBytes = typeof value === 'string' ? value.length * 3 : value.byteLength;
  return key.length * 3 + valueBytes + ENTRY_OVERHEAD_BYTES;
}
