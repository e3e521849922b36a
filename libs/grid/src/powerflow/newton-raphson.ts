import { BusType } from '../case/power-case';
import { GridError } from '../errors/grid-error';
import { PowerFlowNumericError } from '../errors/power-flow-numeric-error';
import { PowerFlowDivergenceError } from '../errors/power-flow-divergence-error';
import type { Network } from '../network/network';
import { SparseLdu } from '../sparse/sparse-ldu';
import { JacobianPattern } from './jacobian-pattern';
import {
  DEFAULT_POWER_FLOW_OPTIONS,
  validatePowerFlowOptions,
  type PowerFlowOptions,
} from './power-flow-options';
import type { PowerFlowSolution } from './power-flow-solution';

/** Complex power injections (Pg - Pd + j(Qg - Qd)) / baseMVA of every bus. */
function scheduledInjections(net: Network): [Float64Array, Float64Array] {
  const p = new Float64Array(net.busCount);
  const q = new Float64Array(net.busCount);
  net.powerCase.buses.forEach((b, i) => {
    p[i] = -b.pd / net.baseMVA;
    q[i] = -b.qd / net.baseMVA;
  });
  for (const g of net.powerCase.gens) {
    if (!g.inService) continue;
    const i = net.indexOf(g.bus);
    p[i] += g.pg / net.baseMVA;
    q[i] += g.qg / net.baseMVA;
  }
  return [p, q];
}

/** MATPOWER's start: stored Vm/Va, with generator set-points on PV and reference buses. */
function initialVoltages(net: Network, useGenerator: boolean): [Float64Array, Float64Array] {
  const vm = Float64Array.from(net.powerCase.buses, (b) => b.vm);
  const va = Float64Array.from(net.powerCase.buses, (b) => (b.vaDeg * Math.PI) / 180);
  const set = new Uint8Array(net.busCount);
  for (const g of net.powerCase.gens) {
    const i = net.indexOf(g.bus);
    if (!g.inService || set[i] === 1 || !useGenerator) continue;
    if (net.busType[i] === BusType.PV || net.busType[i] === BusType.REF) vm[i] = g.vg;
    set[i] = 1;
  }
  return [vm, va];
}

/**
 * Newton-Raphson AC power flow in polar coordinates with a sparse LDU of the
 * Jacobian (no Q limits, as MATPOWER's default). Throws
 * PowerFlowDivergenceError when the mismatch does not fall below tolerance.
 */
export function solvePowerFlow(
  net: Network,
  options: PowerFlowOptions = DEFAULT_POWER_FLOW_OPTIONS,
): PowerFlowSolution {
  validatePowerFlowOptions(options);
  if (!net.busType.includes(BusType.REF)) {
    throw new GridError(
      `case ${net.caseName} has no reference bus (bus type 3); mark the slack bus as type 3`,
    );
  }
  const state = new NewtonState(net, options.setpointSource !== 'bus');
  let mismatch = state.evaluate();
  let it = 0;
  for (;;) {
    state.assertFinite(it);
    if (mismatch <= options.tolerancePu) break;
    if (it === options.maxIterations) throw new PowerFlowDivergenceError(it, mismatch);
    state.step();
    mismatch = state.evaluate();
    it++;
  }
  return { vm: state.vm, va: state.va, iterations: it, mismatchPu: mismatch };
}

class NewtonState {
  readonly vm: Float64Array;
  readonly va: Float64Array;
  private readonly pattern: JacobianPattern;
  private readonly ldu: SparseLdu;
  private readonly sp: Float64Array;
  private readonly sq: Float64Array;
  private readonly vRe: Float64Array;
  private readonly vIm: Float64Array;
  private readonly iRe: Float64Array;
  private readonly iIm: Float64Array;
  private readonly f: Float64Array;
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;

  constructor(
    private readonly net: Network,
    useGeneratorSetpoints: boolean,
  ) {
    [this.vm, this.va] = initialVoltages(net, useGeneratorSetpoints);
    [this.sp, this.sq] = scheduledInjections(net);
    this.pattern = new JacobianPattern(net);
    this.ldu = new SparseLdu(this.pattern.symbolic);
    const n = net.busCount;
    [this.vRe, this.vIm, this.iRe, this.iIm] = [0, 0, 0, 0].map(() => new Float64Array(n));
    this.f = new Float64Array(this.pattern.unknownCount);
    this.upper = new Float64Array(this.pattern.rowIdx.length);
    this.lower = new Float64Array(this.pattern.rowIdx.length);
  }

  /** Updates V and I = Ybus V and the mismatch vector; returns its largest magnitude. */
  evaluate(): number {
    const { net, vRe, vIm, iRe, iIm } = this;
    for (let i = 0; i < net.busCount; i++) {
      vRe[i] = this.vm[i] * Math.cos(this.va[i]);
      vIm[i] = this.vm[i] * Math.sin(this.va[i]);
    }
    iRe.fill(0);
    iIm.fill(0);
    const y = net.ybus;
    for (let k = 0; k < y.n; k++) {
      for (let p = y.colPtr[k]; p < y.colPtr[k + 1]; p++) {
        const r = y.rowIdx[p];
        iRe[r] += y.re[p] * vRe[k] - y.im[p] * vIm[k];
        iIm[r] += y.re[p] * vIm[k] + y.im[p] * vRe[k];
      }
    }
    let worst = 0;
    for (let u = 0; u < this.pattern.unknownCount; u++) {
      const i = this.pattern.unknownBus[u];
      // S = V conj(I)
      const sRe = vRe[i] * iRe[i] + vIm[i] * iIm[i];
      const sIm = vIm[i] * iRe[i] - vRe[i] * iIm[i];
      this.f[u] = this.pattern.unknownKind[u] === 0 ? sRe - this.sp[i] : sIm - this.sq[i];
      worst = Math.max(worst, Math.abs(this.f[u]));
    }
    return worst;
  }

  /** Throws PowerFlowNumericError naming the first unknown whose mismatch is NaN or infinite. */
  assertFinite(iteration: number): void {
    for (let u = 0; u < this.pattern.unknownCount; u++) {
      if (Number.isFinite(this.f[u])) continue;
      const bus = this.net.busIds[this.pattern.unknownBus[u]];
      const quantity = this.pattern.unknownKind[u] === 0 ? 'P' : 'Q';
      throw new PowerFlowNumericError(this.net.caseName, bus, quantity, iteration, this.f[u]);
    }
  }

  /** One Newton step: J dx = -F. */
  step(): void {
    const pt = this.pattern;
    for (let c = 0; c < pt.unknownCount; c++) {
      for (let p = pt.colPtr[c]; p < pt.colPtr[c + 1]; p++) {
        const r = pt.rowIdx[p];
        this.upper[p] = this.entry(r, c, pt.yRowCol[p]);
        this.lower[p] = this.entry(c, r, pt.yColRow[p]);
      }
    }
    this.ldu.factor(pt.colPtr, pt.rowIdx, this.upper, this.lower);
    const dx = this.f;
    for (let u = 0; u < dx.length; u++) dx[u] = -dx[u];
    this.ldu.solveInPlace(dx);
    for (let u = 0; u < pt.unknownCount; u++) {
      const b = pt.unknownBus[u];
      if (pt.unknownKind[u] === 0) this.va[b] += dx[u];
      else this.vm[b] += dx[u];
    }
  }

  /** J(row unknown, col unknown) from dS_i/dtheta_k or dS_i/d|V_k|; yPos is Ybus(i, k). */
  private entry(row: number, col: number, yPos: number): number {
    const pt = this.pattern;
    const i = pt.unknownBus[row];
    const k = pt.unknownBus[col];
    const { vRe, vIm, iRe, iIm } = this;
    const yr = this.net.ybus.re[yPos];
    const yi = this.net.ybus.im[yPos];
    let dr: number;
    let di: number;
    if (pt.unknownKind[col] === 0) {
      // dS_i/dtheta_k = j V_i conj(delta_ik I_i - Y_ik V_k)
      let ar = -(yr * vRe[k] - yi * vIm[k]);
      let ai = -(yr * vIm[k] + yi * vRe[k]);
      if (i === k) {
        ar += iRe[i];
        ai += iIm[i];
      }
      // V_i conj(a) then times j
      const pr = vRe[i] * ar + vIm[i] * ai;
      const pi = vIm[i] * ar - vRe[i] * ai;
      dr = -pi;
      di = pr;
    } else {
      // dS_i/d|V_k| = V_i conj(Y_ik Vn_k) + delta_ik conj(I_i) Vn_k
      const nr = vRe[k] / this.vm[k];
      const ni = vIm[k] / this.vm[k];
      const ar = yr * nr - yi * ni;
      const ai = yr * ni + yi * nr;
      dr = vRe[i] * ar + vIm[i] * ai;
      di = vIm[i] * ar - vRe[i] * ai;
      if (i === k) {
        dr += iRe[i] * nr + iIm[i] * ni;
        di += iRe[i] * ni - iIm[i] * nr;
      }
    }
    return pt.unknownKind[row] === 0 ? dr : di;
  }
}
