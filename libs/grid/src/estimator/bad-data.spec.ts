import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { estimationFixture } from '../testing/estimation-fixture';
import { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from './estimator-options';
import { LinearStateEstimator } from './linear-state-estimator';

const SIGMA_PU = 0.002;
const TRIALS = 12;

/**
 * Three gross errors of 20-50 sigma per frame, in random directions, on
 * distinct measurements that are neither critical nor in a critical pair
 * (those cannot be identified by any residual test); returns the fraction
 * of frames where bad data was detected and where exactly the planted
 * measurements were removed. bench/bad-data measures the same on
 * case2869pegase; the floors here sit below what case118 gives.
 */
function plantedErrorRates(
  placement: 'redundant' | 'greedy',
  options: Partial<EstimatorOptions>,
): { detected: number; identified: number } {
  const f = estimationFixture('case118', placement, SIGMA_PU, 1);
  const est = new LinearStateEstimator(f.model, {
    ...DEFAULT_ESTIMATOR_OPTIONS,
    normalizedResidualDetection: true,
    criticalityAnalysis: false,
    ...options,
  });
  const seen = new LinearStateEstimator(f.model).observabilityReport();
  const unseen = new Set<number>(seen.criticalRows);
  for (const [i, j] of seen.criticalPairs) unseen.add(i).add(j);
  const eligible = Array.from({ length: f.model.rowCount }, (_, r) => r).filter((r) => !unseen.has(r));
  const random = new SeededRandom(5);
  let [detected, identified] = [0, 0];
  for (let trial = 0; trial < TRIALS; trial++) {
    const g = estimationFixture('case118', placement, SIGMA_PU, 100 + trial);
    const planted = new Set<number>();
    while (planted.size < 3) planted.add(eligible[Math.floor(random.next() * eligible.length)]);
    const zRe = g.set.re.slice();
    const zIm = g.set.im.slice();
    for (const r of planted) {
      const size = SIGMA_PU * (20 + 30 * random.next());
      const angle = 2 * Math.PI * random.next();
      zRe[r] += size * Math.cos(angle);
      zIm[r] += size * Math.sin(angle);
    }
    const report = est.estimate(zRe, zIm, [], true);
    const removed = report.removed.map((r) => r.row);
    detected += removed.length > 0 || report.badDataRemains ? 1 : 0;
    identified += removed.length === 3 && removed.every((r) => planted.has(r)) ? 1 : 0;
  }
  return { detected: detected / TRIALS, identified: identified / TRIALS };
}

describe('several gross errors at once (case118, three 20-50 sigma errors per frame)', () => {
  it('normalized residuals re-tested after each removal, with give-back: redundant placement', () => {
    const rates = plantedErrorRates('redundant', {});
    expect(rates.detected).toBe(1);
    expect(rates.identified).toBeGreaterThanOrEqual(0.85);
  });

  it('normalized residuals re-tested after each removal, with give-back: greedy placement', () => {
    const rates = plantedErrorRates('greedy', {});
    expect(rates.detected).toBe(1);
    expect(rates.identified).toBeGreaterThanOrEqual(0.75);
  });

  it('Huber screen first: both placements', () => {
    for (const placement of ['redundant', 'greedy'] as const) {
      const rates = plantedErrorRates(placement, { robustEstimator: 'huber' });
      expect(rates.detected).toBe(1);
      expect(rates.identified).toBeGreaterThanOrEqual(0.7);
    }
  });
});
