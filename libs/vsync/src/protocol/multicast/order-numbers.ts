import { assert } from '../errors/invariant-error';
import { isPlanted } from '../testing/planted-bugs';

/** Most group sequence numbers one orderRequest asks for or one orderGrant gives: a requester asks for at most its
 *  send window's worth, and a sequencer ignores a larger request instead of skipping far ahead. */
export const MAX_NUMBERS_PER_REQUEST = 4_096;

interface NumberRange {
  first: number;
  readonly end: number;
}

/**
 * The group sequence numbers of one member in one group epoch. The sequencer (the epoch's rank 0) hands them out
 * from 1 upwards; any other member asks it for a range before it sends total-order records and stamps each record
 * with the next number it holds. A number travels inside its record, so any set of records is ordered the same way
 * wherever it is held: the order cannot be lost with the sequencer.
 */
export class OrderNumbers {
  /** Sequencer: the next number to hand out. */
  private next = 1;
  /** Requester: numbers granted and not used yet, in grant order. */
  private readonly ranges: NumberRange[] = [];
  /** Requester: numbers asked for and not granted yet. */
  private outstanding = 0;

  constructor(readonly isSequencer: boolean) {}

  /** Whether one more total-order record can be numbered now. */
  get available(): boolean {
    return this.isSequencer || this.ranges.length > 0;
  }

  /** How many more numbers to ask for so that `wanted` records will have one (0 for the sequencer). */
  shortfall(wanted: number): number {
    if (this.isSequencer) return 0;
    let unused = 0;
    for (const r of this.ranges) unused += r.end - r.first;
    return Math.max(0, Math.min(wanted - unused - this.outstanding, MAX_NUMBERS_PER_REQUEST));
  }

  asked(count: number): void {
    this.outstanding += count;
  }

  /** The number of the next own total-order record. */
  take(): number {
    if (this.isSequencer) return this.next++;
    const range = this.ranges[0];
    assert(range !== undefined, 'a total-order record was sent without a group sequence number');
    const n = range.first++;
    if (range.first === range.end) this.ranges.shift();
    return n;
  }

  /** Sequencer: reserves `count` numbers for a requester; returns the first. */
  grant(count: number): number {
    assert(this.isSequencer, 'only the sequencer grants group sequence numbers');
    const first = this.next;
    if (!isPlanted('sequencerReusesNumbers')) this.next += count;
    return first;
  }

  /** Requester: the sequencer's answer to one of its requests (grants come in request order, links being FIFO). */
  granted(first: number, count: number): void {
    if (this.isSequencer || count < 1 || count > this.outstanding) return;
    this.outstanding -= count;
    this.ranges.push({ first, end: first + count });
  }
}
