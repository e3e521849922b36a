import { describe, expect, it } from 'vitest';
import { chiSquareQuantile, normalQuantile } from '../stats/chi-square';
import { SeededRandom } from './seeded-random';
import { ZigguratNormal } from './ziggurat-normal';

const DRAWS = 400_000;
const BINS = 100;

function draws(seed: number, n: number): Float64Array {
  const z = new ZigguratNormal(new SeededRandom(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) out[i] = z.next();
  return out;
}

describe('ZigguratNormal', () => {
  it('fills 100 equally likely normal bins as a standard normal does (chi-square at p = 0.9999)', () => {
    const edges = Array.from({ length: BINS - 1 }, (_, i) => normalQuantile((i + 1) / BINS));
    const counts = new Float64Array(BINS);
    for (const x of draws(7, DRAWS)) {
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x < edges[mid]) hi = mid;
        else lo = mid + 1;
      }
      counts[lo] += 1;
    }
    const expected = DRAWS / BINS;
    const chi2 = counts.reduce((s, c) => s + ((c - expected) * (c - expected)) / expected, 0);
    expect(chi2).toBeLessThan(chiSquareQuantile(BINS - 1, 0.9999));
  });

  it('reaches the tails past the base layer (|z| > 3.5 and > 4) as often as a normal does', () => {
    const xs = draws(11, DRAWS);
    const beyond = (t: number): number => xs.reduce((n, x) => n + (Math.abs(x) > t ? 1 : 0), 0);
    for (const t of [3.5, 4]) {
      const p = 2 * normalQuantileTail(t);
      const mean = DRAWS * p;
      expect(Math.abs(beyond(t) - mean)).toBeLessThan(5 * Math.sqrt(mean));
    }
    let m = 0;
    let v = 0;
    for (const x of xs) m += x;
    m /= DRAWS;
    for (const x of xs) v += (x - m) * (x - m);
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v / DRAWS - 1)).toBeLessThan(0.01);
  });

  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(Array.from(draws(3, 50))).toEqual(Array.from(draws(3, 50)));
    expect(Array.from(draws(3, 50))).not.toEqual(Array.from(draws(4, 50)));
  });
});

/** P(Z > t) for a standard normal, by bisection on normalQuantile (exact enough for a 5-sigma count test). */
function normalQuantileTail(t: number): number {
  let lo = 1e-12;
  let hi = 0.5;
  for (let i = 0; i < 100; i += 1) {
    const mid = (lo + hi) / 2;
    if (-normalQuantile(mid) > t) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
