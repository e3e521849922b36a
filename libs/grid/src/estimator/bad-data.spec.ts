import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { denseSolve } from '../testing/dense-complex';
import { estimationFixture, maxVoltageError } from '../testing/estimation-fixture';
import { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from './estimator-options';
import { LinearStateEstimator } from './linear-state-estimator';
import type { MeasurementModel } from './measurement-model';
import { huberOutliers } from './robust-screen';

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
): { detected: number; identified: number; covered: number } {
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
  let [detected, identified, covered] = [0, 0, 0];
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
    // Every error out, and every good row out with it one the data cannot tell from a removed error.
    const groups = report.suspectGroups.filter((_, i) => planted.has(removed[i])).flatMap((g) => [...g]);
    const flagged = removed.every((r) => planted.has(r) || groups.includes(r));
    covered += [...planted].every((r) => removed.includes(r)) && flagged ? 1 : 0;
  }
  return { detected: detected / TRIALS, identified: identified / TRIALS, covered: covered / TRIALS };
}

describe('several gross errors at once (case118, three 20-50 sigma errors per frame)', () => {
  it('normalized residuals re-tested after each removal, each removal then questioned: redundant placement', () => {
    const rates = plantedErrorRates('redundant', {});
    expect(rates.detected).toBe(1);
    expect(rates.identified).toBeGreaterThanOrEqual(0.85);
  });

  it('normalized residuals re-tested after each removal, each removal then questioned: greedy placement', () => {
    const rates = plantedErrorRates('greedy', {});
    expect(rates.detected).toBe(1);
    expect(rates.identified).toBeGreaterThanOrEqual(0.75);
  });

  it('joint identification (search over the suspects): both placements; near-twins go as a group', () => {
    const redundant = plantedErrorRates('redundant', { badDataIdentification: 'joint' });
    expect(redundant.detected).toBe(1);
    expect(redundant.identified).toBeGreaterThanOrEqual(0.85);
    const greedy = plantedErrorRates('greedy', { badDataIdentification: 'joint' });
    expect(greedy.detected).toBe(1);
    // Not exact where a planted error has a near-twin: both go (4 of 12 trials), so exact sits lower here.
    expect(greedy.identified).toBeGreaterThanOrEqual(0.6);
    expect(greedy.covered).toBeGreaterThanOrEqual(0.85);
  });

  it('Huber screen first: both placements', () => {
    for (const placement of ['redundant', 'greedy'] as const) {
      const rates = plantedErrorRates(placement, { robustEstimator: 'huber' });
      expect(rates.detected).toBe(1);
      expect(rates.identified).toBeGreaterThanOrEqual(0.7);
    }
  });
});

describe('Huber estimate', () => {
  it('equals an independent dense iteratively reweighted least squares to 1e-6', () => {
    const f = estimationFixture('case14', 'all', SIGMA_PU, 8);
    const zRe = f.set.re.slice();
    const zIm = f.set.im.slice();
    zRe[10] += 40 * SIGMA_PU;
    zIm[25] -= 30 * SIGMA_PU;
    const options = { ...DEFAULT_ESTIMATOR_OPTIONS, maxRobustIterations: 200 };
    const est = new LinearStateEstimator(f.model, options);
    const outliers = huberOutliers(est, new Uint8Array(f.model.rowCount).fill(1), zRe, zIm);
    expect(outliers.map((o) => o.row).sort((a, b) => a - b)).toEqual([10, 25]);
    const dense = denseHuber(f.model, zRe, zIm, options.huberThresholdSigmas);
    expect(maxVoltageError(est.vRe, est.vIm, dense.re, dense.im)).toBeLessThan(1e-6);
    // The plain WLS estimate is pulled by the errors, so the comparison can fail.
    const plain = new LinearStateEstimator(f.model).estimate(zRe, zIm);
    expect(maxVoltageError(plain.vRe, plain.vIm, dense.re, dense.im)).toBeGreaterThan(1e-4);
  });
});

/** Huber IRLS in real form with dense normal equations, from the model's coefficients. */
function denseHuber(
  model: MeasurementModel,
  zRe: Float64Array,
  zIm: Float64Array,
  k: number,
): { re: number[]; im: number[] } {
  const n = model.columnCount;
  const scale = new Array<number>(model.rowCount).fill(1);
  let x = new Array<number>(2 * n).fill(0);
  const entries = (r: number): [number, number, number][] => {
    const out: [number, number, number][] = [[model.col1[r], model.h1Re[r], model.h1Im[r]]];
    if (model.col2[r] >= 0) out.push([model.col2[r], model.h2Re[r], model.h2Im[r]]);
    return out;
  };
  for (let it = 0; it < 300; it++) {
    const a = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
    const rhs = new Array<number>(2 * n).fill(0);
    for (let r = 0; r < model.rowCount; r++) {
      const w = scale[r] / model.sigma[r] ** 2;
      for (const t of [0, 1]) {
        const row = new Map<number, number>();
        for (const [c, hr, hi] of entries(r)) {
          row.set(c, (row.get(c) ?? 0) + (t === 0 ? hr : hi));
          row.set(c + n, (row.get(c + n) ?? 0) + (t === 0 ? -hi : hr));
        }
        const z = t === 0 ? zRe[r] : zIm[r];
        for (const [p, hp] of row) {
          rhs[p] += w * hp * z;
          for (const [q, hq] of row) a[p][q] += w * hp * hq;
        }
      }
    }
    x = denseSolve(a, rhs);
    for (let r = 0; r < model.rowCount; r++) {
      let [hr, hi] = [0, 0];
      for (const [c, cr, ci] of entries(r)) {
        hr += cr * x[c] - ci * x[c + n];
        hi += cr * x[c + n] + ci * x[c];
      }
      const u = Math.hypot(zRe[r] - hr, zIm[r] - hi) / model.sigma[r];
      scale[r] = u <= k ? 1 : k / u;
    }
  }
  return { re: x.slice(0, n), im: x.slice(n) };
}

describe('suspect groups', () => {
  it('name both rows of a critical pair whichever is removed, and only the removed row for a well-identified error', () => {
    const f = estimationFixture('case118', 'greedy', SIGMA_PU, 5);
    const options = { ...DEFAULT_ESTIMATOR_OPTIONS, normalizedResidualDetection: true };
    const est = new LinearStateEstimator(f.model, options);
    // The criticality analysis is the independent reference: a critical pair has coherence 1.
    const [a, b] = est.observabilityReport([]).criticalPairs[0];
    const zRe = f.set.re.slice();
    zRe[a] += 30 * SIGMA_PU;
    const report = est.estimate(zRe, f.set.im, [], true);
    expect(report.removed.length).toBe(1);
    expect([a, b]).toContain(report.removed[0].row);
    expect([...report.suspectGroups[0]]).toEqual(expect.arrayContaining([a, b]));

    // A voltage seen by a redundant placement is identified alone.
    const g = estimationFixture('case118', 'redundant', SIGMA_PU, 5);
    const redundant = new LinearStateEstimator(g.model, options);
    const v = g.model.rowMeasurement.findIndex((_, r) => g.model.col2[r] < 0);
    const z2 = g.set.re.slice();
    z2[v] += 30 * SIGMA_PU;
    const clean = redundant.estimate(z2, g.set.im, [], true);
    expect(clean.removed.map((r) => r.row)).toEqual([v]);
    expect([...clean.suspectGroups[0]]).toEqual([v]);
  });
});

describe('questionJointRemovals', () => {
  it('puts back a good row that joint identification removed beside two interacting errors', () => {
    // Two errors on neighbouring measurements of greedy case118 (found by search, as bench/bad-data plants them):
    // the joint search removes a third, good row with them; questioned, it comes back and the frame still passes.
    const f = estimationFixture('case118', 'greedy', SIGMA_PU, 108);
    const zRe = f.set.re.slice();
    const zIm = f.set.im.slice();
    const errors = [
      { row: 113, sigmas: 48.662, angle: 3.074 },
      { row: 117, sigmas: 26.893, angle: 3.669 },
    ];
    for (const e of errors) {
      zRe[e.row] += e.sigmas * SIGMA_PU * Math.cos(e.angle);
      zIm[e.row] += e.sigmas * SIGMA_PU * Math.sin(e.angle);
    }
    const base = {
      ...DEFAULT_ESTIMATOR_OPTIONS,
      normalizedResidualDetection: true,
      criticalityAnalysis: false,
      badDataIdentification: 'joint' as const,
    };
    const removedBy = (o: Partial<EstimatorOptions>): { rows: number[]; remains: boolean } => {
      const report = new LinearStateEstimator(f.model, { ...base, ...o }).estimate(zRe, zIm, [], true);
      return { rows: report.removed.map((r) => r.row).sort((a, b) => a - b), remains: report.badDataRemains };
    };
    const joint = removedBy({});
    expect(joint.rows).toEqual(expect.arrayContaining([113, 117]));
    expect(joint.rows.length).toBe(3);
    expect(removedBy({ questionJointRemovals: true })).toEqual({ rows: [113, 117], remains: false });
  });
});
