import type { DeliveryOrdering, ProcessId } from '../protocol';

/**
 * What a representative relays to a subscribed GroupClient. A message is named by where every member that delivered
 * it would place it: the `index`-th message of its `stream` (sender and ordering) delivered in view `viewId`. Every
 * member delivers, per sender and ordering, the same prefix of that sender's messages in a view, and the survivors of
 * a view the same set (virtual synchrony), so the name means the same message at every member and a subscriber can
 * resume at another representative, drop doubles and count exactly what it missed.
 */
export interface RelayedMessage {
  readonly kind: 'message';
  readonly viewId: number;
  readonly stream: string;
  readonly index: number;
  readonly sender: ProcessId;
  readonly ordering: DeliveryOrdering;
  /** The delivered payload, or null when it is larger than one relay answer may carry (the subscriber counts a gap). */
  readonly payload: Uint8Array | null;
}

/** The end of view `viewId` at the representative: how many messages of each stream it delivered in it, and the
 *  view that followed; a subscriber compares the counts with what it saw to count exactly what it missed. */
export interface RelayedViewEnd {
  readonly kind: 'viewEnd';
  readonly viewId: number;
  readonly nextViewId: number;
  readonly counts: ReadonlyArray<readonly [string, number]>;
}

export type RelayEntry = RelayedMessage | RelayedViewEnd;

/** How far a subscriber got: the view it is in, the messages of each stream it saw there, whether it saw the view's
 *  end (and then the view that follows). */
export interface CursorState {
  readonly viewId: number;
  readonly counts: ReadonlyArray<readonly [string, number]>;
  readonly nextViewId?: number;
}

/** One poll of a subscriber at its representative: null cursor for a new subscription (live from now). */
export interface PollRequest {
  readonly subscriber: string;
  readonly cursor: CursorState | null;
  readonly waitMs: number;
}

export type PollAnswer =
  /** `start` is set when the subscription starts here (cursor null): the representative's position now. */
  | { readonly kind: 'entries'; readonly entries: readonly RelayEntry[]; readonly start?: CursorState }
  /** The representative ended this subscription (it fell too far behind); `reason` says why. */
  | { readonly kind: 'dropped'; readonly reason: string }
  /** The representative takes no more subscribers; the client tries another member. */
  | { readonly kind: 'refused'; readonly reason: string };

/** The key of a message stream: its sender and ordering (total and FIFO order are each FIFO per sender). */
export function streamOf(sender: ProcessId, ordering: DeliveryOrdering): string {
  return `${sender.address}#${sender.incarnation}/${ordering}`;
}

/** Checks a poll as it arrived from a client: anything malformed is refused by name, never trusted. */
export function parsePollRequest(value: unknown): PollRequest | string {
  if (value === null || typeof value !== 'object') return 'a poll must be an object';
  const { subscriber, cursor, waitMs } = value as Record<string, unknown>;
  if (typeof subscriber !== 'string' || subscriber.length === 0 || subscriber.length > 512)
    return 'poll.subscriber must be a string of 1..512 characters';
  if (!Number.isInteger(waitMs) || (waitMs as number) < 0) return 'poll.waitMs must be an integer >= 0';
  if (cursor === null) return { subscriber, cursor: null, waitMs: waitMs as number };
  const parsed = parseCursor(cursor);
  return typeof parsed === 'string' ? parsed : { subscriber, cursor: parsed, waitMs: waitMs as number };
}

function parseCursor(value: unknown): CursorState | string {
  if (value === null || typeof value !== 'object') return 'poll.cursor must be null or an object';
  const { viewId, counts, nextViewId } = value as Record<string, unknown>;
  if (!Number.isInteger(viewId)) return 'poll.cursor.viewId must be an integer';
  if (nextViewId !== undefined && !Number.isInteger(nextViewId))
    return 'poll.cursor.nextViewId must be an integer';
  const pairs = Array.isArray(counts) ? counts : undefined;
  const valid = pairs?.every(
    (p) => Array.isArray(p) && typeof p[0] === 'string' && Number.isInteger(p[1]) && (p[1] as number) >= 0,
  );
  if (pairs === undefined || valid !== true) return 'poll.cursor.counts must be [stream, count] pairs';
  return {
    viewId: viewId as number,
    counts: pairs as Array<[string, number]>,
    nextViewId: nextViewId as number | undefined,
  };
}
