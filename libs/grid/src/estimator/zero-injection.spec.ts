import { describe, expect, it } from 'vitest';
import { BranchEnd, MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import { denseSolve } from '../testing/dense-complex';
import { estimationFixture, maxVoltageError } from '../testing/estimation-fixture';
import { LinearStateEstimator } from './linear-state-estimator';
import { MeasurementModel } from './measurement-model';
import { ZeroInjectionConstraints, zeroInjectionBuses } from './zero-injection';

/**
 * Independent exact reference: the equality-constrained WLS
 * min (z - Hx)^H W (z - Hx) s.t. C x = 0, in real form, through the dense
 * KKT system [[H^T W H, C^T], [C, 0]] [x; lambda] = [H^T W z; 0] solved by
 * Gaussian elimination with partial pivoting. H and C are built straight
 * from the branch admittances and Ybus, not from the model under test.
 */
function denseConstrainedWls(
  net: Network,
  set: MeasurementSet,
  ziBuses: Int32Array,
): { re: number[]; im: number[] } {
  const n = net.busCount;
  const size = 2 * n + 2 * ziBuses.length;
  const a = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const rhs = new Array<number>(size).fill(0);
  const realRows = (entries: [number, number, number][]): Map<number, number>[] => {
    const rows = [new Map<number, number>(), new Map<number, number>()];
    for (const [c, hr, hi] of entries) {
      rows[0].set(c, (rows[0].get(c) ?? 0) + hr).set(c + n, (rows[0].get(c + n) ?? 0) - hi);
      rows[1].set(c, (rows[1].get(c) ?? 0) + hi).set(c + n, (rows[1].get(c + n) ?? 0) + hr);
    }
    return rows;
  };
  for (let i = 0; i < set.count; i++) {
    const entries: [number, number, number][] = [];
    if (set.kind[i] === MeasurementKind.VOLTAGE) entries.push([set.bus[i], 1, 0]);
    else {
      const k = set.branch[i];
      const [y1, y2] = set.end[i] === BranchEnd.FROM ? [net.yff, net.yft] : [net.ytf, net.ytt];
      entries.push([net.branchFrom[k], y1.re[k], y1.im[k]], [net.branchTo[k], y2.re[k], y2.im[k]]);
    }
    const w = 1 / set.sigma[i] ** 2;
    realRows(entries).forEach((row, t) => {
      const z = t === 0 ? set.re[i] : set.im[i];
      for (const [p, hp] of row) {
        rhs[p] += w * hp * z;
        for (const [q, hq] of row) a[p][q] += w * hp * hq;
      }
    });
  }
  ziBuses.forEach((bus, k) => {
    const entries: [number, number, number][] = [];
    for (let p = net.ybus.colPtr[0]; p < net.ybus.rowIdx.length; p++) {
      // Ybus is stored by column: entry p is (rowIdx[p], column containing p).
      if (net.ybus.rowIdx[p] !== bus) continue;
      let col = 0;
      while (net.ybus.colPtr[col + 1] <= p) col++;
      entries.push([col, net.ybus.re[p], net.ybus.im[p]]);
    }
    realRows(entries).forEach((row, t) => {
      const at = 2 * n + 2 * k + t;
      for (const [q, cq] of row) {
        a[at][q] += cq;
        a[q][at] += cq;
      }
    });
  });
  const x = denseSolve(a, rhs);
  return { re: x.slice(0, n), im: x.slice(n, 2 * n) };
}

describe('zero-injection constraints', () => {
  it('finds the passive buses of case14 (bus 7 only) and the power-flow truth satisfies every constraint', () => {
    const f = estimationFixture('case14', 'greedy', 0);
    expect([...zeroInjectionBuses(f.net)].map((b) => f.net.busIds[b])).toEqual([7]);
    for (const name of ['case118', 'case300'] as const) {
      const g = estimationFixture(name, 'greedy', 0);
      const zi = ZeroInjectionConstraints.of(g.net, g.model.columnBus);
      expect(zi.count).toBeGreaterThan(5);
      for (let k = 0; k < zi.count; k++) {
        let [sr, si] = [0, 0];
        for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
          const c = zi.col[p];
          sr += zi.re[p] * g.truthRe[c] - zi.im[p] * g.truthIm[c];
          si += zi.re[p] * g.truthIm[c] + zi.im[p] * g.truthRe[c];
        }
        expect(Math.hypot(sr, si)).toBeLessThan(1e-7);
      }
    }
  });

  for (const [name, placement] of [
    ['case14', 'greedy'],
    ['case30', 'greedy'],
    ['case57', 'redundant'],
    ['case118', 'greedy'],
  ] as const) {
    it(`${name}/${placement}: noisy estimate equals an exact dense equality-constrained WLS to 1e-8 relative`, () => {
      const f = estimationFixture(name, placement, 0.01, 7);
      const model = MeasurementModel.central(f.net, f.set, { zeroInjection: true });
      const report = new LinearStateEstimator(model).estimate(f.set.re, f.set.im);
      const exact = denseConstrainedWls(f.net, f.set, model.zeroInjection.bus);
      const plain = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im);
      const scale = Math.max(...exact.re.map((r, i) => Math.hypot(r, exact.im[i])));
      expect(maxVoltageError(report.vRe, report.vIm, exact.re, exact.im) / scale).toBeLessThan(1e-8);
      // The reference differs from the unconstrained estimate, so the comparison can fail.
      expect(maxVoltageError(plain.vRe, plain.vIm, exact.re, exact.im) / scale).toBeGreaterThan(1e-4);
    });
  }

  it('counts each constraint as two real degrees of freedom', () => {
    const f = estimationFixture('case118', 'greedy', 0.002, 3);
    const model = MeasurementModel.central(f.net, f.set, { zeroInjection: true });
    const plain = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im);
    const constrained = new LinearStateEstimator(model).estimate(f.set.re, f.set.im);
    expect(constrained.degreesOfFreedom - plain.degreesOfFreedom).toBe(2 * model.zeroInjection.count);
  });

  it('makes a bus observable that only a zero-injection constraint reaches, and estimates it exactly', () => {
    // case14: bus 8 hangs off the passive bus 7 alone; drop every measurement touching bus 8.
    const f = estimationFixture('case14', 'all', 0);
    const b8 = f.net.indexOf(8);
    const missing: number[] = [];
    for (let i = 0; i < f.set.count; i++) {
      const k = f.set.branch[i];
      const touches =
        f.set.kind[i] === MeasurementKind.VOLTAGE
          ? f.set.bus[i] === b8
          : f.net.branchFrom[k] === b8 || f.net.branchTo[k] === b8;
      if (touches) missing.push(i);
    }
    const plain = new LinearStateEstimator(f.model).estimate(f.set.re, f.set.im, missing);
    expect(plain.observable[b8]).toBe(0);
    const model = MeasurementModel.central(f.net, f.set, { zeroInjection: true });
    const report = new LinearStateEstimator(model).estimate(f.set.re, f.set.im, missing);
    expect(report.observable.every((o) => o === 1)).toBe(true);
    expect(Math.hypot(report.vRe[b8] - f.truthRe[b8], report.vIm[b8] - f.truthIm[b8])).toBeLessThan(1e-8);
  });

  it('lowers the RMS voltage error of a greedy placement on case118 over ten noisy frames', () => {
    const rms = [0, 0];
    for (let seed = 1; seed <= 10; seed++) {
      const f = estimationFixture('case118', 'greedy', 0.002, seed);
      const models = [f.model, MeasurementModel.central(f.net, f.set, { zeroInjection: true })];
      models.forEach((model, at) => {
        const r = new LinearStateEstimator(model).estimate(f.set.re, f.set.im);
        let sum = 0;
        for (let b = 0; b < f.net.busCount; b++)
          sum += (r.vRe[b] - f.truthRe[b]) ** 2 + (r.vIm[b] - f.truthIm[b]) ** 2;
        rms[at] += Math.sqrt(sum / f.net.busCount);
      });
    }
    expect(rms[1]).toBeLessThan(0.9 * rms[0]);
  });
});
