import { describe, expect, it } from 'vitest';
import { denseSolve } from '../testing/dense-complex';
import { estimationFixture } from '../testing/estimation-fixture';
import { DEFAULT_ESTIMATOR_OPTIONS } from './estimator-options';
import { searchHypotheses } from './hypothesis-search';
import { identifyJointly, significantSubset, suspectSet } from './hypothesis-testing';
import { LinearStateEstimator } from './linear-state-estimator';
import type { MeasurementModel } from './measurement-model';
import { residualCovarianceColumn } from './residual-covariance';

const SIGMA_PU = 0.002;
const OPTIONS = {
  ...DEFAULT_ESTIMATOR_OPTIONS,
  normalizedResidualDetection: true,
  criticalityAnalysis: false,
};

/** Omega_jr = sigma_r^2 [j = r] - h_j G^-1 h_r^H by dense Gaussian elimination on the real form of G. */
function denseCovarianceColumn(model: MeasurementModel, row: number): { re: number[]; im: number[] } {
  const n = model.columnCount;
  const entries = (r: number): [number, number, number][] => {
    const out: [number, number, number][] = [[model.col1[r], model.h1Re[r], model.h1Im[r]]];
    if (model.col2[r] >= 0) out.push([model.col2[r], model.h2Re[r], model.h2Im[r]]);
    return out;
  };
  const g = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
  for (let r = 0; r < model.rowCount; r++) {
    for (const t of [0, 1]) {
      const line = new Map<number, number>();
      for (const [c, hr, hi] of entries(r)) {
        line.set(c, (line.get(c) ?? 0) + (t === 0 ? hr : hi));
        line.set(c + n, (line.get(c + n) ?? 0) + (t === 0 ? -hi : hr));
      }
      for (const [p, hp] of line) for (const [q, hq] of line) g[p][q] += (hp * hq) / model.sigma[r] ** 2;
    }
  }
  const rhs = new Array<number>(2 * n).fill(0);
  for (const [c, hr, hi] of entries(row)) [rhs[c], rhs[c + n]] = [rhs[c] + hr, rhs[c + n] - hi];
  const y = denseSolve(g, rhs);
  const re: number[] = [];
  const im: number[] = [];
  for (let j = 0; j < model.rowCount; j++) {
    let [sr, si] = [0, 0];
    for (const [c, hr, hi] of entries(j)) {
      sr += hr * y[c] - hi * y[c + n];
      si += hr * y[c + n] + hi * y[c];
    }
    re.push((j === row ? model.sigma[row] ** 2 : 0) - sr);
    im.push(-si);
  }
  return { re, im };
}

/** A frame of case118 with errors of `sigmas` on `rows`, the k-th in the direction of angle 1 + 2k rad. */
function plantedFrame(placement: 'redundant' | 'greedy', rows: readonly number[], sigmas: number) {
  const f = estimationFixture('case118', placement, SIGMA_PU, 3);
  const zRe = f.set.re.slice();
  const zIm = f.set.im.slice();
  rows.forEach((r, k) => {
    zRe[r] += sigmas * SIGMA_PU * Math.cos(1 + 2 * k);
    zIm[r] += sigmas * SIGMA_PU * Math.sin(1 + 2 * k);
  });
  return { f, zRe, zIm };
}

describe('residual covariance column', () => {
  it('equals a dense Omega = R - H G^-1 H^H column to 1e-9 (case14, voltage and current rows)', () => {
    const f = estimationFixture('case14', 'redundant', SIGMA_PU, 2);
    const est = new LinearStateEstimator(f.model, OPTIONS);
    const current = f.model.rowMeasurement.findIndex((_, r) => f.model.col2[r] >= 0);
    for (const row of [0, current]) {
      const column = residualCovarianceColumn(est, est.factorFor(), row);
      const dense = denseCovarianceColumn(f.model, row);
      for (let j = 0; j < f.model.rowCount; j++) {
        expect(Math.abs(column.re[j] - dense.re[j])).toBeLessThan(1e-9 * SIGMA_PU ** 2 * 1e6);
        expect(Math.abs(column.im[j] - dense.im[j])).toBeLessThan(1e-9 * SIGMA_PU ** 2 * 1e6);
      }
    }
  });
});

describe('hypothesis-testing identification', () => {
  it("each kept suspect's statistic is its normalized residual with the other kept suspects removed, and J drops by the reduction", () => {
    const { f, zRe, zIm } = plantedFrame('redundant', [10, 11, 40], 30);
    const est = new LinearStateEstimator(f.model, OPTIONS);
    const full = est.estimate(zRe, zIm);
    const suspects = suspectSet(est, est.factorFor(), zRe, zIm);
    const kept = significantSubset(suspects, 4);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    const rows = kept.map((k) => suspects.rows[k.at]);
    for (const k of kept) {
      const others = rows.filter((r) => r !== suspects.rows[k.at]).sort((a, b) => a - b);
      est.estimate(zRe, zIm, others);
      const alone = est.normalizedResiduals(est.factorFor(others), zRe, zIm)[suspects.rows[k.at]];
      expect(Math.abs(alone - k.statistic)).toBeLessThan(1e-6 * k.statistic);
    }
    // The search's best hypothesis: J after removing its rows is J before minus its reduction.
    const found = searchHypotheses(suspects, 4, 16, {
      maxRows: 4,
      maxHypotheses: 20_000,
      dependentPivot: 1e-3,
    });
    expect(found).toBeDefined();
    const best = found!.best.at.map((at) => suspects.rows[at]).sort((a, b) => a - b);
    expect(best.length).toBeGreaterThanOrEqual(2);
    const without = est.estimate(zRe, zIm, best);
    expect(Math.abs(full.cost - without.cost - found!.best.reduction)).toBeLessThan(
      1e-6 * found!.best.reduction,
    );
  });

  it('names exactly three interacting errors (greedy placement: a row and two whose residuals move with it)', () => {
    const f = estimationFixture('case118', 'greedy', SIGMA_PU, 3);
    const est = new LinearStateEstimator(f.model, { ...OPTIONS, badDataIdentification: 'joint' });
    const factor = est.factorFor();
    const all = Array.from({ length: f.model.rowCount }, (_, j) => j);
    const coherence = all.map((r) => {
      const column = residualCovarianceColumn(est, factor, r);
      return all.map((j) =>
        j === r
          ? 0
          : (column.re[j] ** 2 + column.im[j] ** 2) / (column.re[r] * est.residualVariance(factor, j)),
      );
    });
    // Redundant rows (a 25-sigma error shows as a normalized residual of 13 or more on its own) that no other row
    // nearly mirrors (coherence below the suspect groups' 0.9), so each error can be told apart.
    const rows = all.filter(
      (j) => est.residualVariance(factor, j) / SIGMA_PU ** 2 > 0.3 && Math.max(...coherence[j]) < 0.8,
    );
    // Three such rows interacting pairwise, none critical once the other two are out (not a critical set).
    const separable = (set: number[]): boolean =>
      set.every((i) => {
        const others = set.filter((j) => j !== i).sort((x, y) => x - y);
        return est.residualVariance(est.factorFor(others), i) / SIGMA_PU ** 2 > 0.1;
      });
    const triples = rows.flatMap((r) => {
      const near = rows.filter((j) => j > r && coherence[r][j] > 0.1);
      return near.flatMap((j, a) => near.slice(a + 1).map((k) => [r, j, k]));
    });
    const planted = triples.find(separable);
    expect(planted).toBeDefined();
    const { zRe, zIm } = plantedFrame('greedy', planted!, 25);
    const joint = est.estimate(zRe, zIm, [], true);
    expect(joint.removed.map((r) => r.row).sort((x, y) => x - y)).toEqual(planted);
  });

  it('cannot split a critical pair: names both rows as one ambiguous group', () => {
    const f = estimationFixture('case118', 'greedy', SIGMA_PU, 5);
    const est = new LinearStateEstimator(f.model, { ...OPTIONS, criticalityAnalysis: true });
    // The criticality analysis is the independent reference: a critical pair has coherence 1.
    const [a, b] = est.observabilityReport([]).criticalPairs[0];
    const zRe = f.set.re.slice();
    zRe[a] += 30 * SIGMA_PU;
    est.estimate(zRe, f.set.im);
    const found = identifyJointly(est, [], zRe, f.set.im);
    expect(found.length).toBe(1);
    expect(found[0].ambiguousWith).toEqual(expect.arrayContaining([a, b]));
  });
});
