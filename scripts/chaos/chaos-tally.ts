/** A snapshot ingest released: its slot (reporting instant) and timestamp. */
export interface ReleasedSnapshot {
  readonly slot: number;
  readonly timeSec: number;
}

export interface Tally {
  readonly snapshots: number;
  readonly estimated: number;
  /** Snapshots released by ingest in the window with no assembled estimate. */
  readonly gaps: number;
  readonly gapSlots: readonly number[];
}

/** Gap slots listed in the tally at most (the count is exact). */
export const MAX_LISTED_GAPS = 50;

/**
 * Which released snapshots got a whole-system estimate, counted over the snapshots released from the first
 * estimated one up to `lastSlot` (results still in flight at the end are not counted as gaps).
 */
export function tally(
  released: readonly ReleasedSnapshot[],
  estimated: ReadonlySet<number>,
  lastSlot: number,
): Tally {
  let first = Infinity;
  for (const slot of estimated) first = Math.min(first, slot);
  const inWindow = released.filter((s) => s.slot >= first && s.slot <= lastSlot);
  const missing = inWindow.filter((s) => !estimated.has(s.slot)).map((s) => s.slot);
  return {
    snapshots: inWindow.length,
    estimated: inWindow.length - missing.length,
    gaps: missing.length,
    gapSlots: missing.slice(0, MAX_LISTED_GAPS),
  };
}
