import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMatpowerCase } from '../case/matpower-parser';
import { BusType } from '../case/power-case';
import { PowerFlowDivergenceError } from '../errors/power-flow-divergence-error';
import { PowerFlowNumericError } from '../errors/power-flow-numeric-error';
import { Network } from '../network/network';
import { casePath, loadCaseNetwork, SMALL_CASES } from '../testing/case-files';
import { solvePowerFlow } from './newton-raphson';
import type { BusVoltages } from './power-flow-solution';

/** MATPOWER 'runpf(case14)' bus voltages as printed (Vm 3 decimals, Va degrees 3 decimals). */
const CASE14_MATPOWER: [number, number][] = [
  [1.06, 0],
  [1.045, -4.983],
  [1.01, -12.725],
  [1.018, -10.313],
  [1.02, -8.774],
  [1.07, -14.221],
  [1.062, -13.36],
  [1.09, -13.36],
  [1.056, -14.939],
  [1.051, -15.097],
  [1.057, -14.791],
  [1.055, -15.076],
  [1.05, -15.156],
  [1.036, -16.034],
];

/** Largest P (non-reference) / Q (PQ) mismatch, from branch currents rather than Ybus. */
function mismatch(net: Network, v: BusVoltages): number {
  const n = net.busCount;
  const vr = v.vm.map((m, i) => m * Math.cos(v.va[i]));
  const vi = v.vm.map((m, i) => m * Math.sin(v.va[i]));
  const ir = vr.map((x, i) => net.shuntRe[i] * x - net.shuntIm[i] * vi[i]);
  const ii = vr.map((x, i) => net.shuntRe[i] * vi[i] + net.shuntIm[i] * x);
  for (let k = 0; k < net.branchCount; k++) {
    const [f, t] = [net.branchFrom[k], net.branchTo[k]];
    ir[f] += net.yff.re[k] * vr[f] - net.yff.im[k] * vi[f] + net.yft.re[k] * vr[t] - net.yft.im[k] * vi[t];
    ii[f] += net.yff.re[k] * vi[f] + net.yff.im[k] * vr[f] + net.yft.re[k] * vi[t] + net.yft.im[k] * vr[t];
    ir[t] += net.ytf.re[k] * vr[f] - net.ytf.im[k] * vi[f] + net.ytt.re[k] * vr[t] - net.ytt.im[k] * vi[t];
    ii[t] += net.ytf.re[k] * vi[f] + net.ytf.im[k] * vr[f] + net.ytt.re[k] * vi[t] + net.ytt.im[k] * vr[t];
  }
  const p = net.powerCase.buses.map((b) => -b.pd / net.baseMVA);
  const q = net.powerCase.buses.map((b) => -b.qd / net.baseMVA);
  for (const g of net.powerCase.gens) {
    if (!g.inService) continue;
    p[net.indexOf(g.bus)] += g.pg / net.baseMVA;
    q[net.indexOf(g.bus)] += g.qg / net.baseMVA;
  }
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const t = net.busType[i];
    if (t === BusType.REF) continue;
    worst = Math.max(worst, Math.abs(vr[i] * ir[i] + vi[i] * ii[i] - p[i]));
    if (t === BusType.PQ) worst = Math.max(worst, Math.abs(vi[i] * ir[i] - vr[i] * ii[i] - q[i]));
  }
  return worst;
}

describe('solvePowerFlow', () => {
  it("matches MATPOWER's published case14 solution to its printed digits", () => {
    const net = loadCaseNetwork('case14');
    const s = solvePowerFlow(net);
    CASE14_MATPOWER.forEach(([vm, va], i) => {
      expect(Math.abs(s.vm[i] - vm), `Vm bus ${i + 1}`).toBeLessThanOrEqual(0.0005 + 1e-12);
      expect(Math.abs((s.va[i] * 180) / Math.PI - va), `Va bus ${i + 1}`).toBeLessThanOrEqual(0.0005 + 1e-9);
    });
  });

  it.each([...SMALL_CASES])(
    '%s converges to a solution whose branch-current mismatch is below 1e-9 pu',
    (name) => {
      const net = loadCaseNetwork(name);
      const s = solvePowerFlow(net);
      expect(s.mismatchPu).toBeLessThan(1e-10);
      expect(mismatch(net, s)).toBeLessThan(1e-9);
      // PV and reference buses hold their generator set-points.
      for (const g of net.powerCase.gens) {
        const i = net.indexOf(g.bus);
        if (g.inService && net.busType[i] !== BusType.PQ) expect(s.vm[i]).toBeCloseTo(g.vg, 12);
      }
    },
  );

  it('reproduces the stored ACTIVSg2000 solution when set-points come from the stored bus voltages', () => {
    const net = loadCaseNetwork('case_ACTIVSg2000');
    const s = solvePowerFlow(net, { tolerancePu: 1e-10, maxIterations: 30, setpointSource: 'bus' });
    const dva = net.powerCase.buses.map((b, i) => (s.va[i] * 180) / Math.PI - b.vaDeg).sort((a, b) => a - b);
    const dvm = Math.max(...net.powerCase.buses.map((b, i) => Math.abs(s.vm[i] - b.vm)));
    expect(dvm).toBeLessThan(1e-4);
    // The stored angles carry a common offset of a few hundredths of a degree (a different slack); the spread is what matters.
    expect(dva[dva.length - 1] - dva[0]).toBeLessThan(0.05);
    expect(mismatch(net, s)).toBeLessThan(1e-9);
  });

  it('refuses a case without a reference bus with a message saying what to fix', () => {
    const text = readFileSync(casePath('case14'), 'utf8').replace('\t1\t3\t0\t0', '\t1\t2\t0\t0');
    const net = new Network(parseMatpowerCase(text, 'noref.m'));
    expect(() => solvePowerFlow(net)).toThrow(
      'case noref has no reference bus (bus type 3); mark the slack bus as type 3',
    );
  });

  it('reports divergence with the iteration bound instead of returning a wrong answer', () => {
    const net = loadCaseNetwork('case300');
    expect(() => solvePowerFlow(net, { tolerancePu: 1e-10, maxIterations: 1 })).toThrow(
      PowerFlowDivergenceError,
    );
    expect(() => solvePowerFlow(net, { tolerancePu: 0, maxIterations: 5 })).toThrow(
      /tolerancePu must be in \(0, 1\)/,
    );
  });

  it('refuses a NaN mismatch (an overflowing admittance) as an error naming the bus, never as converged', () => {
    const base = loadCaseNetwork('case14').powerCase;
    // Branch row 7 (buses 4-5) with x = 1e-200 pu: its admittance, 1e200, overflows in I = Ybus V.
    const branches = base.branches.map((b, k) => (k === 6 ? { ...b, r: 0, x: 1e-200 } : b));
    const net = new Network({ ...base, branches });
    expect(net.busIds[net.branchFrom[6]]).toBe(4);
    let caught: unknown;
    try {
      solvePowerFlow(net);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PowerFlowNumericError);
    expect(
      (caught as PowerFlowNumericError).busId === 4 || (caught as PowerFlowNumericError).busId === 5,
    ).toBe(true);
    expect((caught as Error).message).toMatch(
      /power flow of case case14: the [PQ] mismatch at bus [45] is (NaN|-?Infinity) at iteration 0, not a solution; an admittance at that bus overflows/,
    );
  });
});
