/** A seeded source of uniform numbers in [0, 1); injected wherever randomness is needed. */
export interface RandomSource {
  next(): number;
  /** A uniform signed 32-bit integer, where the source has one without going through a float. */
  nextInt32?(): number;
}

/**
 * Mulberry32 generator: small, fast and reproducible from a 32-bit seed, which
 * is all synthetic measurement noise needs (not cryptographic).
 */
export class SeededRandom implements RandomSource {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    return (this.nextInt32() >>> 0) / 4294967296;
  }

  /** The same draw as `next` as a signed 32-bit integer (its bits unchanged). */
  nextInt32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  }
}

/** Standard normal deviates by Box-Muller on a RandomSource (pairs cached). */
export class NormalSource {
  private spare: number | undefined;

  constructor(private readonly uniform: RandomSource) {}

  next(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform.next();
    const v = this.uniform.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
