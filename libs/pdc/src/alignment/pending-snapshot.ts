/** A reporting instant still collecting frames. */
export class PendingSnapshot<T> {
  readonly values = new Map<number, T>();
  lastArrivalMs: number;

  constructor(
    readonly slot: number,
    readonly firstArrivalMs: number,
    /** When the wait window closes, by the caller's clock. */
    readonly deadlineMs: number,
  ) {
    this.lastArrivalMs = firstArrivalMs;
  }
}
