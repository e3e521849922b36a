import { describe, expect, it } from 'vitest';
import { denseSolve } from '../testing/dense-complex';
import { estimationFixture } from '../testing/estimation-fixture';
import { LinearStateEstimator } from './linear-state-estimator';
import type { MeasurementModel } from './measurement-model';

/**
 * Dense reference: the full residual covariance Omega = R - H G^-1 H^H of
 * the present rows in real form, every pair of rows (not only rows sharing a
 * bus), by Gaussian elimination; critical rows have Omega_ii ~ 0 and
 * critical pairs |Omega_ij|^2 ~ Omega_ii Omega_jj.
 */
function denseCriticality(
  model: MeasurementModel,
  missing: Set<number>,
): { rows: number[]; pairs: string[] } {
  const n = model.columnCount;
  const used = Array.from({ length: model.rowCount }, (_, r) => r).filter((r) => !missing.has(r));
  const entries = (r: number): [number, number, number][] => {
    const out: [number, number, number][] = [[model.col1[r], model.h1Re[r], model.h1Im[r]]];
    if (model.col2[r] >= 0) out.push([model.col2[r], model.h2Re[r], model.h2Im[r]]);
    return out;
  };
  const a = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
  for (const r of used) {
    const w = 1 / model.sigma[r] ** 2;
    for (const t of [0, 1]) {
      const row = new Map<number, number>();
      for (const [c, hr, hi] of entries(r)) {
        row.set(c, (row.get(c) ?? 0) + (t === 0 ? hr : hi));
        row.set(c + n, (row.get(c + n) ?? 0) + (t === 0 ? -hi : hr));
      }
      for (const [p, hp] of row) for (const [q, hq] of row) a[p][q] += w * hp * hq;
    }
  }
  // y_j = G^-1 h_j^H as a complex vector (re in 0..n-1, im in n..2n-1).
  const y = new Map<number, number[]>();
  for (const r of used) {
    const rhs = new Array<number>(2 * n).fill(0);
    for (const [c, hr, hi] of entries(r)) [rhs[c], rhs[c + n]] = [rhs[c] + hr, rhs[c + n] - hi];
    y.set(r, denseSolve(a, rhs));
  }
  const hZh = (i: number, j: number): [number, number] => {
    const v = y.get(j)!;
    let [sr, si] = [0, 0];
    for (const [c, hr, hi] of entries(i)) {
      sr += hr * v[c] - hi * v[c + n];
      si += hr * v[c + n] + hi * v[c];
    }
    return [sr, si];
  };
  const variance = new Map(used.map((r) => [r, model.sigma[r] ** 2 - hZh(r, r)[0]]));
  const rows = used.filter((r) => variance.get(r)! < 1e-7 * model.sigma[r] ** 2);
  const live = used.filter((r) => !rows.includes(r));
  const pairs: string[] = [];
  for (let x = 0; x < live.length; x++) {
    for (let z = x + 1; z < live.length; z++) {
      const [cr, ci] = hZh(live[x], live[z]);
      const rho = (cr * cr + ci * ci) / (variance.get(live[x])! * variance.get(live[z])!);
      if (rho > 1 - 1e-7) pairs.push(`${live[x]}-${live[z]}`);
    }
  }
  return { rows, pairs };
}

describe('critical measurements and critical pairs', () => {
  for (const [name, placement, drop] of [
    ['case14', 'greedy', []],
    ['case14', 'redundant', [0, 3, 7]],
    ['case30', 'greedy', []],
    ['case30', 'redundant', [2, 11, 30]],
    ['case57', 'greedy', []],
  ] as const) {
    it(`${name}/${placement} without rows [${drop.join(',')}]: same critical rows and pairs as a dense Omega over all pairs`, () => {
      const f = estimationFixture(name, placement, 0.002, 5);
      const est = new LinearStateEstimator(f.model);
      const report = est.observabilityReport([...drop]);
      const dense = denseCriticality(f.model, new Set(drop));
      expect([...report.criticalRows]).toEqual(dense.rows);
      expect(report.criticalPairs.map(([i, j]) => `${i}-${j}`).sort()).toEqual(dense.pairs.sort());
      expect(dense.rows.length + dense.pairs.length).toBeGreaterThan(0);
    });
  }

  it('every estimate names its critical rows, and a gross error on one leaves no residual and is not removed', () => {
    const f = estimationFixture('case14', 'greedy', 0, 1);
    const est = new LinearStateEstimator(f.model);
    const clean = est.estimate(f.set.re, f.set.im);
    expect(clean.criticalRows.length).toBeGreaterThan(0);
    const critical = clean.criticalRows[0];
    const zRe = f.set.re.slice();
    zRe[critical] += 0.5;
    const hidden = est.estimate(zRe, f.set.im, [], true);
    expect(hidden.cost).toBeLessThan(1e-6);
    expect(hidden.removed).toEqual([]);
  });
});
