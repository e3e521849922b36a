/**
 * Which snapshot slots were already taken, so that a snapshot reaching a
 * worker twice (from the `estimators` group and from Kafka) is estimated from
 * its first copy only. Remembers at most `maxRememberedSlots`; past it the
 * oldest slot taken is forgotten, so a copy arriving later than that many
 * snapshots behind counts as new (and its areas are estimated again, which
 * consumers drop as duplicates).
 */
export class RecentSlots {
  private readonly taken = new Set<number>();

  constructor(readonly maxRememberedSlots: number) {
    if (!Number.isInteger(maxRememberedSlots) || maxRememberedSlots < 1)
      throw new RangeError(`maxRememberedSlots must be a positive integer, got ${maxRememberedSlots}`);
  }

  /** True the first time a slot is offered (it is then remembered), false for a later copy. */
  take(slot: number): boolean {
    if (this.taken.has(slot)) return false;
    this.taken.add(slot);
    // A Set iterates in insertion order: its first value is the slot taken longest ago.
    if (this.taken.size > this.maxRememberedSlots) this.taken.delete(this.taken.values().next().value!);
    return true;
  }

  get size(): number {
    return this.taken.size;
  }
}
