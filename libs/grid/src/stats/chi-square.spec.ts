import { describe, expect, it } from 'vitest';
import { chiSquareQuantile, normalQuantile } from './chi-square';

describe('chi-square thresholds', () => {
  it('normalQuantile matches tabulated values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('chiSquareQuantile is within 0.5% of tabulated values for estimator-sized degrees of freedom', () => {
    const table: [number, number, number][] = [
      [30, 0.99, 50.892],
      [100, 0.99, 135.807],
      [1000, 0.95, 1074.679],
    ];
    for (const [dof, p, want] of table)
      expect(Math.abs(chiSquareQuantile(dof, p) / want - 1)).toBeLessThan(0.005);
  });
});
