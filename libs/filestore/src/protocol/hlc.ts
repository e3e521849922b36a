/**
 * Hybrid logical clock, pure: every function takes the time it needs as an argument and returns a new value.
 *
 * A replica proposes a timestamp from its own clock (`tickHlc`); the group then stamps each ordered append with
 * `stampBatch`, a function of the previous group stamp and the proposal only, so every replica computes the same
 * server times from the same total order, and server times grow along that order even when proposers' clocks differ.
 */
export interface HlcTimestamp {
  readonly wallMs: number;
  readonly logical: number;
}

/** Largest logical counter stored (u32 on disk); past it the stamp moves to the next millisecond. */
export const MAX_HLC_LOGICAL = 0xffff_ffff;
/** Largest wall clock accepted (ms since the epoch; the year 2^53 ms is far away, this keeps it exact). */
export const MAX_HLC_WALL_MS = Number.MAX_SAFE_INTEGER;

export const HLC_ZERO: HlcTimestamp = Object.freeze({ wallMs: 0, logical: 0 });

export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  return a.wallMs !== b.wallMs ? a.wallMs - b.wallMs : a.logical - b.logical;
}

export function isHlcTimestamp(value: unknown): value is HlcTimestamp {
  const v = value as HlcTimestamp;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.wallMs) &&
    v.wallMs >= 0 &&
    Number.isSafeInteger(v.logical) &&
    v.logical >= 0 &&
    v.logical <= MAX_HLC_LOGICAL
  );
}

/** The timestamp right after `t`. */
export function nextHlc(t: HlcTimestamp): HlcTimestamp {
  if (t.logical < MAX_HLC_LOGICAL) return { wallMs: t.wallMs, logical: t.logical + 1 };
  return { wallMs: t.wallMs + 1, logical: 0 };
}

/** The timestamp `steps` nextHlc steps after `t`. */
export function advanceHlc(t: HlcTimestamp, steps: number): HlcTimestamp {
  const logical = t.logical + steps;
  if (logical <= MAX_HLC_LOGICAL) return { wallMs: t.wallMs, logical };
  return {
    wallMs: t.wallMs + Math.floor(logical / (MAX_HLC_LOGICAL + 1)),
    logical: logical % (MAX_HLC_LOGICAL + 1),
  };
}

/** A local event or send at physical time `nowMs`: later than `last` and than the physical clock. */
export function tickHlc(last: HlcTimestamp, nowMs: number): HlcTimestamp {
  const wallMs = Math.floor(nowMs);
  if (wallMs > last.wallMs) return { wallMs, logical: 0 };
  return nextHlc(last);
}

/** Merges a timestamp seen from elsewhere into the local clock (the classic HLC receive rule). */
export function mergeHlc(last: HlcTimestamp, seen: HlcTimestamp, nowMs: number): HlcTimestamp {
  const newest = compareHlc(seen, last) > 0 ? seen : last;
  return tickHlc(newest, nowMs);
}

/** The server time of the first record of an ordered batch: the proposal if it is later than the group's last
 *  stamp, else the stamp right after it. */
export function firstStampAfter(last: HlcTimestamp, proposed: HlcTimestamp): HlcTimestamp {
  return compareHlc(proposed, last) > 0 ? proposed : nextHlc(last);
}

/**
 * Server times of `count` records appended in one ordered batch, given the group's last stamp and the proposer's
 * timestamp: the first is the proposal if it is later than `last`, else the stamp right after `last`; each next
 * record gets the next stamp. No clock is read: replicas applying the same batches in the same order agree.
 */
export function stampBatch(
  last: HlcTimestamp,
  proposed: HlcTimestamp,
  count: number,
): { first: HlcTimestamp; last: HlcTimestamp } {
  if (count < 1) throw new RangeError(`a batch stamps at least one record, got ${count}`);
  const first = firstStampAfter(last, proposed);
  return { first, last: advanceHlc(first, count - 1) };
}

/** Where a server-time cut at `timeNs` (nanoseconds since the epoch) falls: every stamp of that millisecond or earlier. */
export function hlcCutOf(timeNs: bigint): HlcTimestamp {
  const wallMs = timeNs / 1_000_000n;
  return {
    wallMs: wallMs > BigInt(MAX_HLC_WALL_MS) ? MAX_HLC_WALL_MS : Number(wallMs),
    logical: MAX_HLC_LOGICAL,
  };
}
