/**
 * A reporting instant still collecting frames. Values sit in a dense array indexed by the PMU's position in the
 * aligner (`PmuIndex`), so placing a frame is one array store and a slot allocates two arrays, never a hash entry per
 * PMU (a Map per slot was the aligner's main cost at 600,000 frames/s).
 */
export class PendingSnapshot<T> {
  /** Frames placed so far; equals the number of set entries of `present`. */
  count = 0;
  lastArrivalMs: number;
  private values: T[];
  private present: Uint8Array;
  private subs: Uint16Array;

  constructor(
    readonly slot: number,
    readonly firstArrivalMs: number,
    /** When the wait window closes, by the caller's clock. */
    readonly deadlineMs: number,
    /** PMU positions in use when the slot opened; it grows if more PMUs come while it is open. */
    capacity: number,
  ) {
    this.lastArrivalMs = firstArrivalMs;
    this.values = new Array<T>(capacity);
    this.present = new Uint8Array(capacity);
    this.subs = new Uint16Array(capacity);
  }

  has(index: number): boolean {
    return index < this.present.length && this.present[index] === 1;
  }

  /** The value at `index`; only meaningful when `has(index)`. */
  get(index: number): T {
    return this.values[index];
  }

  /** The `sub` stored with the value at `index`. */
  subAt(index: number): number {
    return this.subs[index];
  }

  set(index: number, value: T, sub: number): void {
    if (index >= this.present.length) this.grow(index + 1);
    this.values[index] = value;
    this.present[index] = 1;
    this.subs[index] = sub;
    this.count += 1;
  }

  /** Withdraws the value at `index` (its PMU was forgotten). */
  clear(index: number): void {
    if (!this.has(index)) return;
    this.present[index] = 0;
    this.values[index] = undefined as T;
    this.count -= 1;
  }

  private grow(capacity: number): void {
    const size = Math.max(capacity, 2 * this.present.length);
    const present = new Uint8Array(size);
    present.set(this.present);
    this.present = present;
    const subs = new Uint16Array(size);
    subs.set(this.subs);
    this.subs = subs;
  }
}
