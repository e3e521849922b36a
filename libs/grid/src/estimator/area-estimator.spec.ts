import { describe, expect, it } from 'vitest';
import { estimationFixture, maxVoltageError } from '../testing/estimation-fixture';
import { AreaEstimator } from './area-estimator';
import { partitionBuses } from './area-partition';
import { LinearStateEstimator } from './linear-state-estimator';

describe('AreaEstimator', () => {
  it('case118 in 4 graph areas: noise-free two-level estimate equals the truth', () => {
    const f = estimationFixture('case118', 'redundant', 0);
    const labels = partitionBuses(f.net, 4);
    expect(new Set(labels).size).toBe(4);
    const areas = new AreaEstimator(f.net, f.set, labels);
    const result = areas.estimate(f.set.re, f.set.im);
    expect(result.boundaryBuses).toBeGreaterThan(0);
    expect(result.observable.every((o) => o === 1)).toBe(true);
    expect(maxVoltageError(result.vRe, result.vIm, f.truthRe, f.truthIm)).toBeLessThan(1e-8);
  });

  it('case_ACTIVSg2000 by its area column (8 areas): noisy two-level estimate stays within a few sigma of the centralized one', () => {
    const f = estimationFixture('case_ACTIVSg2000', 'all', 0.002, 2);
    const labels = partitionBuses(f.net, 'case');
    expect(new Set(labels).size).toBe(8);
    const result = new AreaEstimator(f.net, f.set, labels).estimate(f.set.re, f.set.im);
    const central = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im);
    const gap = maxVoltageError(result.vRe, result.vIm, central.vRe, central.vIm);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(5 * 0.002);
    // Both are estimates of the same truth; the two-level one is not much worse.
    expect(maxVoltageError(result.vRe, result.vIm, f.truthRe, f.truthIm)).toBeLessThan(
      3 * maxVoltageError(central.vRe, central.vIm, f.truthRe, f.truthIm) + 1e-3,
    );
  });

  it('rejects an area count outside 1..buses', () => {
    const f = estimationFixture('case14', 'all', 0);
    expect(() => partitionBuses(f.net, 0)).toThrow(/areas must be 'case' or an integer in \[1, 14\]/);
  });
});
