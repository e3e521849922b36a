/**
 * A reporting instant still collecting frames. Values sit in a dense array indexed by the PMU's position in the
 * aligner, so placing a frame is one array store and never a hash entry per PMU (a Map per slot was the aligner's
 * main cost at 600,000 frames/s). The aligner reuses released ones (`reopen`), so a slot allocates nothing once
 * the arrays have grown to the PMUs expected.
 */
export class PendingSnapshot<T> {
  /** Frames placed so far; equals the number of set entries of `present`. */
  count = 0;
  lastArrivalMs: number;
  private values: T[];
  private present: Uint8Array;

  constructor(
    public slot: number,
    public firstArrivalMs: number,
    /** When the wait window closes, by the caller's clock. */
    public deadlineMs: number,
    /** PMU positions in use when the slot opened; it grows if more PMUs come while it is open. */
    capacity: number,
  ) {
    this.lastArrivalMs = firstArrivalMs;
    this.values = new Array<T>(capacity);
    this.present = new Uint8Array(capacity);
  }

  /** Makes a released snapshot a new open one, empty, keeping its arrays. */
  reopen(slot: number, firstArrivalMs: number, deadlineMs: number, capacity: number): this {
    this.slot = slot;
    this.firstArrivalMs = firstArrivalMs;
    this.lastArrivalMs = firstArrivalMs;
    this.deadlineMs = deadlineMs;
    this.count = 0;
    this.present.fill(0);
    // Values a consumer may still hold are not kept alive by a reused slot.
    this.values.fill(undefined as T);
    if (this.present.length < capacity) this.grow(capacity);
    return this;
  }

  has(index: number): boolean {
    return index < this.present.length && this.present[index] === 1;
  }

  /** The value at `index`; only meaningful when `has(index)`. */
  get(index: number): T {
    return this.values[index];
  }

  set(index: number, value: T): void {
    if (index >= this.present.length) this.grow(index + 1);
    this.values[index] = value;
    this.present[index] = 1;
    this.count += 1;
  }

  /** Withdraws the value at `index` (its PMU was forgotten). */
  clear(index: number): void {
    if (!this.has(index)) return;
    this.present[index] = 0;
    this.values[index] = undefined as T;
    this.count -= 1;
  }

  /** Both arrays at `capacity` or more; the values array is made anew, not extended, so it stays dense. */
  private grow(capacity: number): void {
    const size = Math.max(capacity, 2 * this.present.length);
    const present = new Uint8Array(size);
    present.set(this.present);
    this.present = present;
    const values = new Array<T>(size);
    for (let i = 0; i < this.values.length; i += 1) values[i] = this.values[i];
    this.values = values;
  }
}
