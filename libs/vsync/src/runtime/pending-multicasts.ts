/** Slots a PendingMulticasts ring starts with; it doubles when full and never shrinks. */
const INITIAL_SLOTS = 64;

/**
 * The settlers of the multicast promises the core has not answered yet, kept in request id order in a ring.
 *
 * A Map keyed by request id did this before, but a sender's pending multicasts come and go in bursts (a batch per
 * event-loop turn), and the Map rebuilt its hash table as it grew and again as it shrank: at full rate those tables
 * were the largest share of what survived the young generation, and so of the old generation's garbage. The ring
 * allocates only when it grows past its largest size so far.
 *
 * The core answers a group's multicasts in the order they were issued, so the answer is almost always the oldest
 * entry; one out of order (another group's, or a refusal) is found by binary search, as ids only grow.
 */
export class PendingMulticasts {
  private ids: number[] = new Array<number>(INITIAL_SLOTS).fill(0);
  private resolves: Array<(() => void) | undefined> = new Array(INITIAL_SLOTS).fill(undefined);
  private rejects: Array<((error: Error) => void) | undefined> = new Array(INITIAL_SLOTS).fill(undefined);
  /** Slot of the oldest entry; entries run from it for `used` slots, settled ones included until they reach it. */
  private head = 0;
  private used = 0;
  private unsettled = 0;

  /** Multicasts still waiting for their answer. */
  get size(): number {
    return this.unsettled;
  }

  /** Adds a multicast's settlers; `id` must be larger than every id added before. */
  add(id: number, resolve: () => void, reject: (error: Error) => void): void {
    if (this.used > 0 && id <= this.ids[this.slot(this.used - 1)])
      throw new RangeError(`multicast request ${id} is not newer than the last one`);
    if (this.used === this.ids.length) this.grow();
    const slot = this.slot(this.used);
    this.ids[slot] = id;
    this.resolves[slot] = resolve;
    this.rejects[slot] = reject;
    this.used += 1;
    this.unsettled += 1;
  }

  /** Settles the multicast `id` (resolved, or rejected with `error`); false if it is not pending here. */
  settle(id: number, error?: Error): boolean {
    const at = this.find(id);
    if (at < 0) return false;
    const slot = this.slot(at);
    const resolve = this.resolves[slot]!;
    const reject = this.rejects[slot]!;
    this.resolves[slot] = this.rejects[slot] = undefined;
    this.unsettled -= 1;
    this.dropSettledHead();
    if (error === undefined) resolve();
    else reject(error);
    return true;
  }

  /** Rejects every pending multicast with `error`, oldest first, and empties the ring. */
  rejectAll(error: Error): void {
    const rejects: Array<(error: Error) => void> = [];
    for (let i = 0; i < this.used; i++) {
      const reject = this.rejects[this.slot(i)];
      if (reject !== undefined) rejects.push(reject);
    }
    this.resolves.fill(undefined);
    this.rejects.fill(undefined);
    this.head = this.used = this.unsettled = 0;
    for (const reject of rejects) reject(error);
  }

  private slot(position: number): number {
    return (this.head + position) & (this.ids.length - 1);
  }

  /** Position (from the head) of the unsettled entry `id`, or -1. */
  private find(id: number): number {
    if (this.used === 0) return -1;
    // The common case: the oldest is answered first.
    if (this.ids[this.head] === id) return this.resolves[this.head] === undefined ? -1 : 0;
    let low = 0;
    let high = this.used - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const midId = this.ids[this.slot(mid)];
      if (midId === id) return this.resolves[this.slot(mid)] === undefined ? -1 : mid;
      if (midId < id) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  private dropSettledHead(): void {
    while (this.used > 0 && this.resolves[this.head] === undefined) {
      this.head = (this.head + 1) & (this.ids.length - 1);
      this.used -= 1;
    }
    if (this.used === 0) this.head = 0;
  }

  /** Doubles the ring, the entries moved to the front in order. */
  private grow(): void {
    const slots = this.ids.length * 2;
    const ids = new Array<number>(slots).fill(0);
    const resolves = new Array<(() => void) | undefined>(slots).fill(undefined);
    const rejects = new Array<((error: Error) => void) | undefined>(slots).fill(undefined);
    for (let i = 0; i < this.used; i++) {
      const from = this.slot(i);
      ids[i] = this.ids[from];
      resolves[i] = this.resolves[from];
      rejects[i] = this.rejects[from];
    }
    this.ids = ids;
    this.resolves = resolves;
    this.rejects = rejects;
    this.head = 0;
  }
}
