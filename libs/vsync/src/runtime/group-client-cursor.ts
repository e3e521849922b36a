import type { CursorState, RelayedMessage, RelayedViewEnd } from './group-client-relay-wire';

/** Messages a subscriber knows it missed: `count` exactly, or undefined when the representative could not say. */
export interface SubscriptionGap {
  readonly count: number | undefined;
  /** The view the missing messages were delivered in (the first one, for a gap across views). */
  readonly viewId: number;
  readonly reason: string;
}

export interface CursorStep {
  /** The message is new to this subscriber (false: a double, dropped). */
  readonly fresh: boolean;
  readonly gaps: readonly SubscriptionGap[];
}

/**
 * A subscriber's position in a group's delivery history (see RelayedMessage for how messages are named). It drops
 * doubles (a message it saw, relayed again by a new representative) and counts what it missed: a jump in a stream's
 * index, a view end whose counts exceed what it saw, a view it saw nothing of. When a representative cannot link the
 * subscriber's view to the next one (it was not a member then, or forgot that view) the gap is reported with an
 * unknown count, never as nothing.
 */
export class SubscriptionCursor {
  private viewId = 0;
  private counts = new Map<string, number>();
  /** Set once the end of `viewId` was seen: the view that follows it. */
  private nextViewId: number | undefined;
  private started = false;

  /** Starts at a representative's current position (a new subscription), or at a known one. */
  start(state: CursorState): void {
    this.viewId = state.viewId;
    this.counts = new Map(state.counts);
    this.nextViewId = state.nextViewId;
    this.started = true;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** What the subscriber sends its representative: where to resume. */
  state(): CursorState | null {
    if (!this.started) return null;
    return { viewId: this.viewId, counts: [...this.counts], nextViewId: this.nextViewId };
  }

  message(m: RelayedMessage): CursorStep {
    if (this.isPast(m.viewId)) return { fresh: false, gaps: [] };
    const gaps = m.viewId > this.viewId ? this.enter(m.viewId) : [];
    const seen = this.counts.get(m.stream) ?? 0;
    if (m.index <= seen) return { fresh: false, gaps };
    if (m.index > seen + 1)
      gaps.push({
        count: m.index - seen - 1,
        viewId: m.viewId,
        reason: `messages ${seen + 1}..${m.index - 1} of ${m.stream} were not relayed`,
      });
    this.counts.set(m.stream, m.index);
    if (m.payload === null)
      gaps.push({
        count: 1,
        viewId: m.viewId,
        reason: `message ${m.index} of ${m.stream} is too large to relay`,
      });
    return { fresh: m.payload !== null, gaps };
  }

  viewEnd(end: RelayedViewEnd): readonly SubscriptionGap[] {
    if (this.isPast(end.viewId)) return [];
    const gaps = end.viewId > this.viewId ? this.enter(end.viewId) : [];
    const missed = end.counts.reduce(
      (sum, [stream, n]) => sum + Math.max(0, n - (this.counts.get(stream) ?? 0)),
      0,
    );
    if (missed > 0)
      gaps.push({
        count: missed,
        viewId: end.viewId,
        reason: `view ${end.viewId} ended with ${missed} not relayed`,
      });
    // The subscriber may have seen more than the survivors delivered (from a representative that crashed): keep it.
    for (const [stream, n] of end.counts) this.counts.set(stream, Math.max(n, this.counts.get(stream) ?? 0));
    this.nextViewId = end.nextViewId;
    return gaps;
  }

  /** An entry of a view this subscriber finished, or of one before it. */
  private isPast(viewId: number): boolean {
    return viewId < this.viewId || (viewId === this.viewId && this.nextViewId !== undefined);
  }

  /** Moves on to a later view; a gap of unknown size when the end of the current one did not lead there. */
  private enter(viewId: number): SubscriptionGap[] {
    const linked = this.nextViewId === viewId;
    const gaps: SubscriptionGap[] = linked
      ? []
      : [
          {
            count: undefined,
            viewId: this.viewId,
            reason: `the representative could not link view ${this.viewId} to view ${viewId}`,
          },
        ];
    this.viewId = viewId;
    this.counts = new Map();
    this.nextViewId = undefined;
    return gaps;
  }
}
