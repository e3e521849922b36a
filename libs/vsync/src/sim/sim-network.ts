import type { Prng } from './prng';

/** The faulty network as a first-class layer (like JGroups' DISCARD, DUPL, DELAY): every decision about one message
 *  is made here from the seeded generator, and nowhere else. */
export interface NetworkFaults {
  lossRate: number;
  duplicateRate: number;
  /** Every message takes baseDelayMs plus a uniform jitter up to jitterMs, so a large jitter reorders. */
  baseDelayMs: number;
  jitterMs: number;
}

export const CALM_NETWORK: NetworkFaults = { lossRate: 0, duplicateRate: 0, baseDelayMs: 1, jitterMs: 1 };

export class SimNetwork {
  faults: NetworkFaults = { ...CALM_NETWORK };
  /** Directed cuts "from->to" by node number; a symmetric partition cuts both directions. */
  private readonly cuts = new Set<string>();

  constructor(private readonly prng: Prng) {}

  cut(from: number, to: number): void {
    this.cuts.add(`${from}->${to}`);
  }

  healAll(): void {
    this.cuts.clear();
  }

  isCut(from: number, to: number): boolean {
    return this.cuts.has(`${from}->${to}`);
  }

  get partitioned(): boolean {
    return this.cuts.size > 0;
  }

  /** The delays (ms from now) at which copies of one message arrive: none if lost or cut, two if duplicated. */
  arrivals(from: number, to: number): number[] {
    if (this.isCut(from, to) || this.prng.chance(this.faults.lossRate)) return [];
    const copies = this.prng.chance(this.faults.duplicateRate) ? 2 : 1;
    const out: number[] = [];
    for (let i = 0; i < copies; i++)
      out.push(this.faults.baseDelayMs + this.prng.next() * this.faults.jitterMs);
    return out;
  }
}
