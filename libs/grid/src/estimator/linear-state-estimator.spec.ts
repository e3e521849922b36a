import { describe, expect, it } from 'vitest';
import { BranchEnd, MeasurementKind } from '../measurements/measurement-set';
import { pmuRowGroups } from '../measurements/pmu-row-groups';
import type { Network } from '../network/network';
import { denseSolve } from '../testing/dense-complex';
import { estimationFixture, maxVoltageError } from '../testing/estimation-fixture';
import { SMALL_CASES } from '../testing/case-files';
import type { MeasurementSet } from '../measurements/measurement-set';
import { DEFAULT_ESTIMATOR_OPTIONS } from './estimator-options';
import { LinearStateEstimator } from './linear-state-estimator';
import { MeasurementModel } from './measurement-model';

/**
 * Independent dense WLS: real form of H built straight from the branch
 * admittances, normal equations (H^T W H) x = H^T W z solved densely.
 */
function denseWls(net: Network, set: MeasurementSet): { re: number[]; im: number[]; gain: number[][] } {
  const n = net.busCount;
  const a = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
  const rhs = new Array<number>(2 * n).fill(0);
  for (let i = 0; i < set.count; i++) {
    const entries: [number, number, number][] = [];
    if (set.kind[i] === MeasurementKind.VOLTAGE) entries.push([set.bus[i], 1, 0]);
    else {
      const k = set.branch[i];
      const [y1, y2] = set.end[i] === BranchEnd.FROM ? [net.yff, net.yft] : [net.ytf, net.ytt];
      entries.push([net.branchFrom[k], y1.re[k], y1.im[k]], [net.branchTo[k], y2.re[k], y2.im[k]]);
    }
    const w = 1 / set.sigma[i] ** 2;
    // Two real rows: Re(h x) and Im(h x) over [Re x; Im x].
    const rows = [new Map<number, number>(), new Map<number, number>()];
    for (const [c, hr, hi] of entries) {
      rows[0].set(c, (rows[0].get(c) ?? 0) + hr).set(c + n, (rows[0].get(c + n) ?? 0) - hi);
      rows[1].set(c, (rows[1].get(c) ?? 0) + hi).set(c + n, (rows[1].get(c + n) ?? 0) + hr);
    }
    [set.re[i], set.im[i]].forEach((z, t) => {
      for (const [p, hp] of rows[t]) {
        rhs[p] += w * hp * z;
        for (const [q, hq] of rows[t]) a[p][q] += w * hp * hq;
      }
    });
  }
  const x = denseSolve(a, rhs);
  return { re: x.slice(0, n), im: x.slice(n), gain: a };
}

describe('LinearStateEstimator', () => {
  for (const name of SMALL_CASES) {
    for (const placement of ['all', 'redundant', 'greedy'] as const) {
      it(`${name}/${placement}: noise-free estimate equals the power-flow truth to 1e-8`, () => {
        const f = estimationFixture(name, placement, 0);
        const est = new LinearStateEstimator(f.model);
        const report = est.estimate(f.set.re, f.set.im);
        expect(report.observable.every((o) => o === 1)).toBe(true);
        expect(maxVoltageError(report.vRe, report.vIm, f.truthRe, f.truthIm)).toBeLessThan(1e-8);
      });
    }
  }

  for (const [name, placement] of [
    ['case14', 'all'],
    ['case14', 'greedy'],
    ['case30', 'redundant'],
    ['case57', 'all'],
  ] as const) {
    it(`${name}/${placement}: noisy estimate equals an independent dense WLS to 1e-9 relative`, () => {
      const f = estimationFixture(name, placement, 0.01, 5);
      const est = new LinearStateEstimator(f.model);
      const report = est.estimate(f.set.re, f.set.im);
      const dense = denseWls(f.net, f.set);
      const scale = Math.max(...dense.re.map((r, i) => Math.hypot(r, dense.im[i])));
      expect(maxVoltageError(report.vRe, report.vIm, dense.re, dense.im) / scale).toBeLessThan(1e-9);
      expect(maxVoltageError(report.vRe, report.vIm, f.truthRe, f.truthIm)).toBeGreaterThan(1e-4);
    });
  }

  it('detects a planted gross error by chi-square, identifies it by largest normalized residual and removes it', () => {
    const f = estimationFixture('case30', 'all', 0.002, 3);
    const bad = f.set.kind.findIndex((k, i) => k === MeasurementKind.CURRENT && i > 40);
    const zRe = f.set.re.slice();
    zRe[bad] += 0.05;
    const est = new LinearStateEstimator(f.model);
    const plain = est.estimate(zRe, f.set.im, [], false);
    expect(plain.cost).toBeGreaterThan(plain.threshold);
    const cleaned = est.estimate(zRe, f.set.im, [], true);
    expect(cleaned.removed.map((r) => r.row)).toEqual([bad]);
    expect(cleaned.removed[0].normalizedResidual).toBeGreaterThan(
      DEFAULT_ESTIMATOR_OPTIONS.normalizedResidualThreshold,
    );
    expect(cleaned.badDataRemains).toBe(false);
    expect(cleaned.cost).toBeLessThan(cleaned.threshold);
    expect(maxVoltageError(cleaned.vRe, cleaned.vIm, f.truthRe, f.truthIm)).toBeLessThan(0.005);
  });

  it('computes normalized residuals like a dense Omega = R - H G^-1 H^H', () => {
    const f = estimationFixture('case14', 'redundant', 0.01, 12);
    const est = new LinearStateEstimator(f.model);
    est.estimate(f.set.re, f.set.im);
    const got = est.largestNormalizedResidual(est.factorFor(), f.set.re, f.set.im);
    const dense = denseWls(f.net, f.set);
    const n = f.net.busCount;
    let want = { row: -1, value: 0 };
    for (let r = 0; r < f.model.rowCount; r++) {
      const h: [number, number, number][] = [[f.model.col1[r], f.model.h1Re[r], f.model.h1Im[r]]];
      if (f.model.col2[r] >= 0) h.push([f.model.col2[r], f.model.h2Re[r], f.model.h2Im[r]]);
      const rhs = new Array<number>(2 * n).fill(0);
      for (const [c, hr, hi] of h) [rhs[c], rhs[c + n]] = [hr, -hi];
      const y = denseSolve(dense.gain, rhs);
      const hgh = h.reduce((acc, [c, hr, hi]) => acc + hr * y[c] - hi * y[c + n], 0);
      const [rr, ri] = est.residual(r, f.set.re, f.set.im);
      const value = Math.hypot(rr, ri) / Math.sqrt(f.model.sigma[r] ** 2 - hgh);
      if (value > want.value) want = { row: r, value };
    }
    expect(got.row).toBe(want.row);
    expect(got.value).toBeCloseTo(want.value, 8);
  });

  it('with normalized-residual detection finds a gross error that hides in a large chi-square, and only it', () => {
    const f = estimationFixture('case300', 'all', 0.002, 21);
    const options = { ...DEFAULT_ESTIMATOR_OPTIONS, normalizedResidualDetection: true };
    const est = new LinearStateEstimator(f.model, options);
    expect(est.estimate(f.set.re, f.set.im, [], true).removed).toEqual([]);
    const bad = 700;
    const zIm = f.set.im.slice();
    zIm[bad] -= 0.02;
    const chiOnly = new LinearStateEstimator(f.model).estimate(f.set.re, zIm, [], true);
    expect(chiOnly.cost).toBeLessThan(chiOnly.threshold);
    expect(chiOnly.removed).toEqual([]);
    const report = est.estimate(f.set.re, zIm, [], true);
    expect(report.removed.map((r) => r.row)).toEqual([bad]);
  });

  it('leaves clean noisy data alone', () => {
    const f = estimationFixture('case57', 'redundant', 0.002, 9);
    const report = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im, [], true);
    expect(report.removed).toEqual([]);
    expect(report.cost).toBeLessThan(report.threshold);
  });

  it('reports a bus its measurements cannot determine as unobservable and still estimates the rest exactly', () => {
    const f = estimationFixture('case14', 'greedy', 0);
    const net = f.net;
    const hasPmu = new Set(f.pmus);
    // A bus without a PMU: drop every current measured on its branches so nothing reaches it.
    const lonely = Array.from({ length: net.busCount }, (_, i) => i).find((b) => !hasPmu.has(b))!;
    const missing: number[] = [];
    for (let i = 0; i < f.set.count; i++) {
      if (f.set.kind[i] !== MeasurementKind.CURRENT) continue;
      const k = f.set.branch[i];
      if (net.branchFrom[k] === lonely || net.branchTo[k] === lonely) missing.push(i);
    }
    const report = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im, missing);
    expect(report.observable[lonely]).toBe(0);
    expect(report.observable.reduce((s, o) => s + o, 0)).toBe(net.busCount - 1);
    expect(maxVoltageError(report.vRe, report.vIm, f.truthRe, f.truthIm, report.observable)).toBeLessThan(
      1e-8,
    );
  });

  it('gives the same estimate for missing rows as an estimator built without them, and bounds its factor cache', () => {
    const f = estimationFixture('case30', 'redundant', 0.002, 4);
    const est = new LinearStateEstimator(f.model, { ...DEFAULT_ESTIMATOR_OPTIONS, maxCachedFactors: 2 });
    const pmuRows = [0, 1, 2];
    const withMissing = est.estimate(f.set.re, f.set.im, pmuRows);
    const keep = Int32Array.from({ length: f.set.count - 3 }, (_, i) => i + 3);
    const reduced = new LinearStateEstimator(new MeasurementModel(f.net, f.set, f.model.columnBus, keep));
    const zRe = Float64Array.from(keep, (i) => f.set.re[i]);
    const zIm = Float64Array.from(keep, (i) => f.set.im[i]);
    const direct = reduced.estimate(zRe, zIm);
    expect(maxVoltageError(withMissing.vRe, withMissing.vIm, direct.vRe, direct.vIm)).toBeLessThan(1e-12);
    const first = est.factorFor([5]);
    est.factorFor([]);
    est.factorFor([6]);
    expect(est.cachedFactors).toBe(2);
    expect(est.factorFor([6])).toBe(est.factorFor([6]));
    expect(est.factorFor([5])).not.toBe(first);
  });

  it('prefactors the one-PMU-missing sets so those frames hit the cache', () => {
    const f = estimationFixture('case14', 'redundant', 0.002, 2);
    const est = new LinearStateEstimator(f.model);
    const groups = pmuRowGroups(f.net, f.set);
    expect(groups.map((g) => g.bus)).toEqual([...f.pmus]);
    expect(groups.reduce((n, g) => n + g.rows.length, 0)).toBe(f.set.count);
    est.prefactor(groups.map((g) => g.rows));
    expect(est.cachedFactors).toBe(f.pmus.length);
    const cached = est.factorFor(groups[1].rows);
    expect(est.factorFor(groups[1].rows)).toBe(cached);
    const report = est.estimate(f.set.re, f.set.im, groups[1].rows);
    expect(report.observable.every((o) => o === 1)).toBe(true);
    expect(est.cachedFactors).toBe(f.pmus.length);
  });

  it('one refinement step leaves a well-conditioned WLS solution unchanged to rounding', () => {
    const f = estimationFixture('case57', 'redundant', 0.002, 6);
    const plain = new LinearStateEstimator(f.model, {
      ...DEFAULT_ESTIMATOR_OPTIONS,
      refinementSteps: 0,
    }).estimate(f.set.re, f.set.im);
    const refined = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im);
    expect(maxVoltageError(plain.vRe, plain.vIm, refined.vRe, refined.vIm)).toBeLessThan(1e-12);
  });

  it('rejects out-of-range options with the option name', () => {
    const f = estimationFixture('case14', 'all', 0);
    expect(
      () => new LinearStateEstimator(f.model, { ...DEFAULT_ESTIMATOR_OPTIONS, maxCachedFactors: 0 }),
    ).toThrow(/maxCachedFactors must be an integer in \[1, 4096\]/);
  });
});
