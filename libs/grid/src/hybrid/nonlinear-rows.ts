import { BusType } from '../case/power-case';
import { GridError } from '../errors/grid-error';
import { BranchEnd, MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import { cscFind, type Network } from '../network/network';
import { ScadaKind, type ScadaSet } from './scada-set';

/** Real measurement functions of the polar state, one per row. */
export const RowKind = {
  P_INJECTION: 0,
  Q_INJECTION: 1,
  P_FLOW: 2,
  Q_FLOW: 3,
  V_MAGNITUDE: 4,
  /** Real and imaginary parts of a PMU voltage phasor. */
  V_RE: 5,
  V_IM: 6,
  /** Real and imaginary parts of a PMU branch-end current. */
  I_RE: 7,
  I_IM: 8,
} as const;

/** Row kind of each SCADA kind. */
const SCADA_ROW: Record<ScadaKind, number> = {
  [ScadaKind.P_INJECTION]: RowKind.P_INJECTION,
  [ScadaKind.Q_INJECTION]: RowKind.Q_INJECTION,
  [ScadaKind.P_FLOW]: RowKind.P_FLOW,
  [ScadaKind.Q_FLOW]: RowKind.Q_FLOW,
  [ScadaKind.V_MAGNITUDE]: RowKind.V_MAGNITUDE,
};

/** The polar state as the rows read it: per bus |V|, angle, rectangular V and injected current Ybus V. */
export interface PolarState {
  readonly vm: Float64Array;
  readonly va: Float64Array;
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
}

/**
 * The real rows of the nonlinear (polar) model of SCADA and PMU
 * measurements: unknown 2b is bus b's angle, 2b + 1 its magnitude. Each row
 * lists the unknowns it touches (rowCols[rowPtr[r]..rowPtr[r+1]]), and
 * `evaluate` gives its value and its derivatives in that order. A SCADA
 * measurement is one row; a PMU phasor two (real and imaginary parts, each
 * with the phasor's sigma). Rows that touch a de-energized (isolated) bus are
 * dropped: the topology, not the data, says its voltage is zero.
 */
export class NonlinearRows {
  readonly count: number;
  readonly kind: Uint8Array;
  /** The injection bus, the magnitude or phasor bus, or the measured end's bus of a flow or current. */
  readonly bus: Int32Array;
  readonly branch: Int32Array;
  readonly end: Uint8Array;
  readonly sigma: Float64Array;
  /** Index into the SCADA set (SCADA rows) or the PMU set (PMU rows). */
  readonly source: Int32Array;
  readonly rowPtr: Int32Array;
  readonly rowCols: Int32Array;
  /** Ybus position of (injection bus, each bus of the row) for injection rows, at rowPtr / 2 offsets. */
  private readonly yPos: Int32Array;

  constructor(
    readonly network: Network,
    readonly scada: ScadaSet,
    readonly pmu: MeasurementSet | undefined,
  ) {
    const rows = this.collect();
    this.count = rows.length;
    this.kind = Uint8Array.from(rows, (r) => r.kind);
    this.bus = Int32Array.from(rows, (r) => r.bus);
    this.branch = Int32Array.from(rows, (r) => r.branch);
    this.end = Uint8Array.from(rows, (r) => r.end);
    this.sigma = Float64Array.from(rows, (r) => r.sigma);
    this.source = Int32Array.from(rows, (r) => r.source);
    const buses = rows.map((r) => this.busesOf(r.kind, r.bus, r.branch, r.end));
    this.rowPtr = new Int32Array(this.count + 1);
    buses.forEach((b, r) => (this.rowPtr[r + 1] = this.rowPtr[r] + this.colsPerBus(rows[r].kind) * b.length));
    this.rowCols = new Int32Array(this.rowPtr[this.count]);
    this.yPos = new Int32Array(this.rowPtr[this.count]).fill(-1);
    buses.forEach((list, r) => this.placeColumns(r, list));
  }

  /** Gathers the rows, leaving out those on isolated buses; a self-loop flow is an error naming it. */
  private collect(): {
    kind: number;
    bus: number;
    branch: number;
    end: number;
    sigma: number;
    source: number;
  }[] {
    const net = this.network;
    const live = (b: number): boolean => net.busType[b] !== BusType.ISOLATED;
    const out: { kind: number; bus: number; branch: number; end: number; sigma: number; source: number }[] =
      [];
    const s = this.scada;
    for (let i = 0; i < s.count; i += 1) {
      const kind = SCADA_ROW[s.kind[i] as ScadaKind];
      const bus = s.branch[i] >= 0 ? this.endBus(s.branch[i], s.end[i], i) : s.bus[i];
      if (live(bus))
        out.push({ kind, bus, branch: s.branch[i], end: s.end[i], sigma: s.sigma[i], source: i });
    }
    const p = this.pmu;
    for (let i = 0; p !== undefined && i < p.count; i += 1) {
      const current = p.kind[i] === MeasurementKind.CURRENT;
      if (current && net.branchInService[p.branch[i]] === 0) continue;
      const bus = current ? this.endBus(p.branch[i], p.end[i], i) : p.bus[i];
      if (!live(bus)) continue;
      const [re, im] = current ? [RowKind.I_RE, RowKind.I_IM] : [RowKind.V_RE, RowKind.V_IM];
      for (const kind of [re, im])
        out.push({ kind, bus, branch: p.branch[i], end: p.end[i], sigma: p.sigma[i], source: i });
    }
    return out;
  }

  private endBus(k: number, end: number, i: number): number {
    const net = this.network;
    if (net.branchFrom[k] === net.branchTo[k])
      throw new GridError(`measurement ${i + 1} is on branch row ${k + 1}, which joins a bus to itself`);
    return end === BranchEnd.FROM ? net.branchFrom[k] : net.branchTo[k];
  }

  private colsPerBus(kind: number): number {
    return kind === RowKind.V_MAGNITUDE ? 1 : 2;
  }

  /** The buses a row reads: its bus and neighbours (injection), both ends (flow, current) or its bus. */
  private busesOf(kind: number, bus: number, branch: number, end: number): number[] {
    const net = this.network;
    if (kind === RowKind.P_INJECTION || kind === RowKind.Q_INJECTION)
      return [bus, ...net.neighbors.subarray(net.neighborPtr[bus], net.neighborPtr[bus + 1])];
    if (branch < 0) return [bus];
    const other = end === BranchEnd.FROM ? net.branchTo[branch] : net.branchFrom[branch];
    return [bus, other];
  }

  private placeColumns(r: number, buses: number[]): void {
    const at = this.rowPtr[r];
    if (this.kind[r] === RowKind.V_MAGNITUDE) {
      this.rowCols[at] = 2 * buses[0] + 1;
      return;
    }
    const injection = this.kind[r] === RowKind.P_INJECTION || this.kind[r] === RowKind.Q_INJECTION;
    buses.forEach((b, j) => {
      this.rowCols[at + 2 * j] = 2 * b;
      this.rowCols[at + 2 * j + 1] = 2 * b + 1;
      if (injection) this.yPos[at + 2 * j] = cscFind(this.network.ybus, this.bus[r], b);
    });
  }

  /** The measured value of row r from the SCADA values and PMU phasors of a scan. */
  measured(r: number, scadaValues: Float64Array, pmuRe: Float64Array, pmuIm: Float64Array): number {
    const i = this.source[r];
    const k = this.kind[r];
    if (k <= RowKind.V_MAGNITUDE) return scadaValues[i];
    return k === RowKind.V_RE || k === RowKind.I_RE ? pmuRe[i] : pmuIm[i];
  }

  /** Value of row r at the state; its derivatives by the row's unknowns go to d[rowPtr[r]..]. */
  evaluate(r: number, x: PolarState, d: Float64Array): number {
    const k = this.kind[r];
    if (k === RowKind.P_INJECTION || k === RowKind.Q_INJECTION)
      return this.injection(r, x, d, k === RowKind.Q_INJECTION);
    if (k === RowKind.V_MAGNITUDE) {
      d[this.rowPtr[r]] = 1;
      return x.vm[this.bus[r]];
    }
    if (k === RowKind.V_RE || k === RowKind.V_IM) return this.phasor(r, x, d, k === RowKind.V_IM);
    return this.branchRow(r, x, d);
  }

  /** S_i = V_i conj(I_i): dS/dtheta_k = j V_i conj(delta_ik I_i - Y_ik V_k), dS/d|V_k| = V_i conj(Y_ik Vn_k) + delta_ik conj(I_i) Vn_k. */
  private injection(r: number, x: PolarState, d: Float64Array, reactive: boolean): number {
    const i = this.bus[r];
    const y = this.network.ybus;
    const [vr, vi, ir, ii] = [x.vRe[i], x.vIm[i], x.iRe[i], x.iIm[i]];
    for (let p = this.rowPtr[r]; p < this.rowPtr[r + 1]; p += 2) {
      const b = this.rowCols[p] >> 1;
      const pos = this.yPos[p];
      const [yr, yi] = [y.re[pos], y.im[pos]];
      const [nr, ni] = [x.vRe[b] / x.vm[b], x.vIm[b] / x.vm[b]];
      let ar = -(yr * x.vRe[b] - yi * x.vIm[b]);
      let ai = -(yr * x.vIm[b] + yi * x.vRe[b]);
      if (b === i) [ar, ai] = [ar + ir, ai + ii];
      // j * V_i conj(a) = j (vr ar + vi ai) + (vr ai - vi ar)... as (re, im):
      const thRe = -(vi * ar - vr * ai);
      const thIm = vr * ar + vi * ai;
      const cr = yr * nr - yi * ni;
      const ci = yr * ni + yi * nr;
      let mRe = vr * cr + vi * ci;
      let mIm = vi * cr - vr * ci;
      if (b === i) [mRe, mIm] = [mRe + ir * nr + ii * ni, mIm + ir * ni - ii * nr];
      d[p] = reactive ? thIm : thRe;
      d[p + 1] = reactive ? mIm : mRe;
    }
    return reactive ? vi * ir - vr * ii : vr * ir + vi * ii;
  }

  /** Re or Im of a PMU voltage phasor V = |V| e^{j theta}. */
  private phasor(r: number, x: PolarState, d: Float64Array, imaginary: boolean): number {
    const b = this.bus[r];
    const at = this.rowPtr[r];
    const [c, s] = [Math.cos(x.va[b]), Math.sin(x.va[b])];
    d[at] = imaginary ? x.vRe[b] : -x.vIm[b];
    d[at + 1] = imaginary ? s : c;
    return imaginary ? x.vIm[b] : x.vRe[b];
  }

  /**
   * A flow or current at the measured end u of a branch with other end o:
   * I = A V_u + B V_o, S = V_u conj(I). With dV/dtheta = j V and
   * dV/d|V| = V / |V|: dI/dx = A dV_u/dx + B dV_o/dx and
   * dS/dx = dV_u/dx conj(I) + V_u conj(dI/dx).
   */
  private branchRow(r: number, x: PolarState, d: Float64Array): number {
    const net = this.network;
    const k = this.branch[r];
    const from = this.end[r] === BranchEnd.FROM;
    const [u, o] = from ? [net.branchFrom[k], net.branchTo[k]] : [net.branchTo[k], net.branchFrom[k]];
    const [a, b] = from ? [net.yff, net.yft] : [net.ytt, net.ytf];
    const [ar, ai, br, bi] = [a.re[k], a.im[k], b.re[k], b.im[k]];
    const [ur, ui, or, oi] = [x.vRe[u], x.vIm[u], x.vRe[o], x.vIm[o]];
    const cr = ar * ur - ai * ui + br * or - bi * oi;
    const ci = ar * ui + ai * ur + br * oi + bi * or;
    // dV/dx for (theta_u, |V_u|, theta_o, |V_o|), and the coefficient of I on that bus.
    const dv = [
      [-ui, ur, ar, ai, true],
      [ur / x.vm[u], ui / x.vm[u], ar, ai, true],
      [-oi, or, br, bi, false],
      [or / x.vm[o], oi / x.vm[o], br, bi, false],
    ] as const;
    const kind = this.kind[r];
    const at = this.rowPtr[r];
    dv.forEach(([vr, vi, yr, yi, own], j) => {
      const dir = yr * vr - yi * vi;
      const dii = yr * vi + yi * vr;
      if (kind === RowKind.I_RE || kind === RowKind.I_IM) {
        d[at + j] = kind === RowKind.I_RE ? dir : dii;
        return;
      }
      // dS = dV_u conj(I) + V_u conj(dI); dV_u is zero for the other end's unknowns.
      let sr = ur * dir + ui * dii;
      let si = ui * dir - ur * dii;
      if (own) [sr, si] = [sr + vr * cr + vi * ci, si + vi * cr - vr * ci];
      d[at + j] = kind === RowKind.P_FLOW ? sr : si;
    });
    if (kind === RowKind.I_RE) return cr;
    if (kind === RowKind.I_IM) return ci;
    return kind === RowKind.P_FLOW ? ur * cr + ui * ci : ui * cr - ur * ci;
  }
}
