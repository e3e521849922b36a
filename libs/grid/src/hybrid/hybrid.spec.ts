import { describe, expect, it } from 'vitest';
import type { PowerCase } from '../case/power-case';
import { BranchEnd, MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import { branchCurrent, rectangular, synthesizeMeasurements } from '../measurements/synthetic-measurements';
import { Network } from '../network/network';
import { placePmus } from '../pmu/pmu-placement';
import { solveIslandedPowerFlow } from '../powerflow/islanded-power-flow';
import { solvePowerFlow } from '../powerflow/newton-raphson';
import { SeededRandom } from '../random/seeded-random';
import { loadCaseNetwork } from '../testing/case-files';
import { denseSolve } from '../testing/dense-complex';
import { breakerTopology } from '../topology/breaker-topology';
import { HybridEstimator } from './hybrid-estimator';
import { NonlinearStateEstimator } from './nonlinear-state-estimator';
import { busInjections, DEFAULT_SCADA_NOISE, ScadaKind, synthesizeScada, type ScadaSet } from './scada-set';

const EXACT = { powerSigmaPu: 1e-6, voltageSigmaPu: 1e-6 };

/** The case with every load scaled (the drift between two SCADA scans). */
function scaledLoads(net: Network, scale: number): Network {
  const c: PowerCase = net.powerCase;
  return new Network({ ...c, buses: c.buses.map((b) => ({ ...b, pd: b.pd * scale, qd: b.qd * scale })) });
}

function maxPolarError(
  e: { vm: Float64Array; va: Float64Array },
  t: { vm: Float64Array; va: Float64Array },
): number {
  let worst = 0;
  for (let b = 0; b < t.vm.length; b += 1)
    worst = Math.max(worst, Math.abs(e.vm[b] - t.vm[b]), Math.abs(e.va[b] - t.va[b]));
  return worst;
}

/**
 * Independent dense Gauss-Newton: h(x) from complex arithmetic on the
 * network (injections, flows, |V|, phasors), its Jacobian by central
 * differences, normal equations by Gaussian elimination. The reference angle
 * is held at the case's stored value when `fixReference` is set.
 */
function denseGaussNewton(
  net: Network,
  scada: ScadaSet,
  pmu: MeasurementSet | undefined,
  fixReference: number,
): { vm: number[]; va: number[] } {
  const n = net.busCount;
  const h = (x: number[]): number[] => {
    const vRe = x.slice(0, n).map((a, b) => x[n + b] * Math.cos(a));
    const vIm = x.slice(0, n).map((a, b) => x[n + b] * Math.sin(a));
    const s = busInjections(net, vRe, vIm);
    const out: number[] = [];
    for (let i = 0; i < scada.count; i += 1) {
      const k = scada.kind[i];
      if (k === ScadaKind.P_INJECTION) out.push(s.p[scada.bus[i]]);
      else if (k === ScadaKind.Q_INJECTION) out.push(s.q[scada.bus[i]]);
      else if (k === ScadaKind.V_MAGNITUDE) out.push(x[n + scada.bus[i]]);
      else {
        const br = scada.branch[i];
        const u = scada.end[i] === BranchEnd.FROM ? net.branchFrom[br] : net.branchTo[br];
        const [ir, ii] = branchCurrent(net, br, scada.end[i], vRe, vIm);
        out.push(k === ScadaKind.P_FLOW ? vRe[u] * ir + vIm[u] * ii : vIm[u] * ir - vRe[u] * ii);
      }
    }
    for (let i = 0; pmu !== undefined && i < pmu.count; i += 1) {
      const [re, im] =
        pmu.kind[i] === MeasurementKind.VOLTAGE
          ? [vRe[pmu.bus[i]], vIm[pmu.bus[i]]]
          : branchCurrent(net, pmu.branch[i], pmu.end[i], vRe, vIm);
      out.push(re, im);
    }
    return out;
  };
  const z = [...scada.value];
  const w = [...scada.sigma].map((s) => 1 / s ** 2);
  for (let i = 0; pmu !== undefined && i < pmu.count; i += 1) {
    z.push(pmu.re[i], pmu.im[i]);
    w.push(1 / pmu.sigma[i] ** 2, 1 / pmu.sigma[i] ** 2);
  }
  const stored = (net.powerCase.buses[fixReference]?.vaDeg ?? 0) * (Math.PI / 180);
  const x = [...new Array<number>(n).fill(0), ...new Array<number>(n).fill(1)];
  if (fixReference >= 0) x[fixReference] = stored;
  const free = x.map((_, j) => j).filter((j) => j !== fixReference);
  for (let it = 0; it < 30; it += 1) {
    const hx = h(x);
    const jac = free.map((j) => {
      const [up, down] = [[...x], [...x]];
      up[j] += 1e-6;
      down[j] -= 1e-6;
      const [a, b] = [h(up), h(down)];
      return a.map((v, r) => (v - b[r]) / 2e-6);
    });
    const g = free.map((_, p) => free.map((_, q) => jac[p].reduce((s, v, r) => s + w[r] * v * jac[q][r], 0)));
    const rhs = free.map((_, p) => jac[p].reduce((s, v, r) => s + w[r] * v * (z[r] - hx[r]), 0));
    const dx = denseSolve(g, rhs);
    free.forEach((j, p) => (x[j] += dx[p]));
    if (Math.max(...dx.map(Math.abs)) < 1e-11) break;
  }
  return { va: x.slice(0, n), vm: x.slice(n) };
}

describe('NonlinearStateEstimator', () => {
  for (const name of ['case14', 'case30', 'case57', 'case118']) {
    it(`${name}: from near-exact SCADA alone recovers the power-flow truth`, () => {
      const net = loadCaseNetwork(name);
      const truth = solvePowerFlow(net);
      const v = rectangular(truth);
      const scada = synthesizeScada(net, v.re, v.im, EXACT, new SeededRandom(1));
      const e = new NonlinearStateEstimator(net, scada).estimate(scada.value);
      expect(maxPolarError(e, truth)).toBeLessThan(1e-5);
      expect(e.referenceBuses.length).toBe(1);
    });
  }

  it('case14: noisy SCADA + PMU equals an independent dense Gauss-Newton with a numeric Jacobian', () => {
    const net = loadCaseNetwork('case14');
    const truth = solvePowerFlow(net);
    const v = rectangular(truth);
    const scada = synthesizeScada(net, v.re, v.im, DEFAULT_SCADA_NOISE, new SeededRandom(3));
    const pmu = synthesizeMeasurements(net, truth, placePmus(net, 'greedy'), 0.002, new SeededRandom(4));
    const e = new NonlinearStateEstimator(net, scada, pmu).estimate(scada.value, pmu.re, pmu.im);
    const dense = denseGaussNewton(net, scada, pmu, -1);
    expect(
      maxPolarError(e, { vm: Float64Array.from(dense.vm), va: Float64Array.from(dense.va) }),
    ).toBeLessThan(1e-7);
    expect(e.referenceBuses.length).toBe(0);
    expect(maxPolarError(e, truth)).toBeGreaterThan(1e-4);
  });

  it('case14 SCADA only: equals the dense Gauss-Newton with the reference angle held', () => {
    const net = loadCaseNetwork('case14');
    const truth = solvePowerFlow(net);
    const v = rectangular(truth);
    const scada = synthesizeScada(net, v.re, v.im, DEFAULT_SCADA_NOISE, new SeededRandom(5));
    const e = new NonlinearStateEstimator(net, scada).estimate(scada.value);
    const dense = denseGaussNewton(net, scada, undefined, 0);
    expect(
      maxPolarError(e, { vm: Float64Array.from(dense.vm), va: Float64Array.from(dense.va) }),
    ).toBeLessThan(1e-7);
    expect(e.varVa[0]).toBe(0);
    expect(e.varVm.every((x, b) => x > 0 || b < 0)).toBe(true);
  });

  it('estimates each island of a split case on its own reference and leaves the dead bus at zero', () => {
    const net = loadCaseNetwork('case14');
    const solved = solveIslandedPowerFlow(net, breakerTopology(net, [8, 9, 14, 16, 19]));
    const v = rectangular(solved);
    const dead = new Set(solved.islands.deEnergized);
    const scada = synthesizeScada(solved.network, v.re, v.im, EXACT, new SeededRandom(6), dead);
    const e = new NonlinearStateEstimator(solved.network, scada).estimate(scada.value);
    expect([...e.referenceBuses].map((b) => net.busIds[b])).toEqual([1, 6]);
    expect(maxPolarError(e, solved)).toBeLessThan(1e-5);
    expect(e.vm[net.indexOf(14)]).toBe(0);
  });
});

describe('HybridEstimator', () => {
  it('case118: PMU frames after a load drift pull the scan estimate to the new truth where PMUs see', () => {
    const net = loadCaseNetwork('case118');
    const sigma = 0.002;
    const truth0 = solvePowerFlow(net);
    const v0 = rectangular(truth0);
    const greedy = placePmus(net, 'greedy');
    const pmuBuses = greedy.filter((_, i) => i % 3 === 0);
    const scada = synthesizeScada(net, v0.re, v0.im, DEFAULT_SCADA_NOISE, new SeededRandom(7));
    const pmu0 = synthesizeMeasurements(net, truth0, pmuBuses, sigma, new SeededRandom(8));
    const hybrid = new HybridEstimator(net, scada, pmu0);
    const scan = hybrid.scan(scada.value, pmu0.re, pmu0.im);
    expect(maxPolarError(scan, truth0)).toBeLessThan(0.02);
    // Loads grow 1 % before the next scan; the PMUs follow, SCADA does not.
    const truth1 = solvePowerFlow(scaledLoads(net, 1.01));
    const v1 = rectangular(truth1);
    const pmu1 = synthesizeMeasurements(net, truth1, pmuBuses, sigma, new SeededRandom(9));
    const out = hybrid.frame(pmu1.re, pmu1.im);
    const seen = new Set<number>(pmuBuses);
    const err = (re: ArrayLike<number>, im: ArrayLike<number>, b: number): number =>
      Math.hypot(re[b] - v1.re[b], im[b] - v1.im[b]);
    const scanRe = Float64Array.from(scan.vm, (m, b) => m * Math.cos(scan.va[b]));
    const scanIm = Float64Array.from(scan.vm, (m, b) => m * Math.sin(scan.va[b]));
    let [stale, hybridSum, worstSeen] = [0, 0, 0];
    for (let b = 0; b < net.busCount; b += 1) {
      stale += err(scanRe, scanIm, b) ** 2;
      hybridSum += err(out.vRe, out.vIm, b) ** 2;
      if (seen.has(b)) worstSeen = Math.max(worstSeen, err(out.vRe, out.vIm, b));
    }
    expect(Math.sqrt(hybridSum / net.busCount)).toBeLessThan(0.2 * Math.sqrt(stale / net.busCount));
    expect(worstSeen).toBeLessThan(4 * sigma);
    expect(hybrid.cachedFactors).toBe(1);
    // A frame without the first PMU's phasors is factored once more and stays close where the others see.
    const firstRows = Array.from({ length: pmu1.count }, (_, i) => i).filter(
      (i) =>
        i === 0 ||
        (pmu1.kind[i] === MeasurementKind.CURRENT && i < pmu1.kind.indexOf(MeasurementKind.VOLTAGE, 1)),
    );
    const without = hybrid.frame(pmu1.re, pmu1.im, firstRows);
    expect(hybrid.cachedFactors).toBe(2);
    const other = pmuBuses[1];
    expect(err(without.vRe, without.vIm, other)).toBeLessThan(4 * sigma);
  });
});
