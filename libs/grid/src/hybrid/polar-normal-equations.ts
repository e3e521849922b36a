import { SingularSystemError } from '../errors/singular-system-error';
import type { Network } from '../network/network';
import { HermitianLdl } from '../sparse/hermitian-ldl';
import type { NonlinearGain } from './nonlinear-gain';
import type { NonlinearRows, PolarState } from './nonlinear-rows';

/**
 * The Gauss-Newton normal equations of the polar model at one state:
 * evaluate() fills h(x) and the derivatives of every row, factor(weight)
 * builds G = H^T W H on the shared pattern (pinned unknowns get an identity
 * row) into an LDL^T, and solve() applies it. Used by the nonlinear
 * estimator at every iteration and by the hybrid's linear stage once per scan.
 */
export class PolarNormalEquations {
  readonly state: PolarState;
  /** h(x) per row and the row's derivatives (at rowPtr offsets) at the evaluated state. */
  readonly h: Float64Array;
  readonly d: Float64Array;
  readonly pinned: Uint8Array;
  readonly ldl: HermitianLdl;
  private readonly values: Float64Array;
  /** G is real: the Hermitian factorization gets a zero imaginary part. */
  private readonly zeroIm: Float64Array;

  constructor(
    readonly rows: NonlinearRows,
    readonly gain: NonlinearGain,
  ) {
    const n = rows.network.busCount;
    const a = [0, 0, 0, 0, 0, 0].map(() => new Float64Array(n));
    this.state = { vm: a[0], va: a[1], vRe: a[2], vIm: a[3], iRe: a[4], iIm: a[5] };
    this.h = new Float64Array(rows.count);
    this.d = new Float64Array(rows.rowCols.length);
    this.pinned = new Uint8Array(gain.n);
    this.ldl = new HermitianLdl(gain.symbolic);
    this.values = new Float64Array(gain.rowIdx.length);
    this.zeroIm = new Float64Array(gain.rowIdx.length);
  }

  get network(): Network {
    return this.rows.network;
  }

  /** Rectangular V, injected currents Ybus V, h(x) and derivatives at state.vm / state.va. */
  evaluate(): void {
    const x = this.state;
    const net = this.network;
    for (let b = 0; b < net.busCount; b += 1) {
      x.vRe[b] = x.vm[b] * Math.cos(x.va[b]);
      x.vIm[b] = x.vm[b] * Math.sin(x.va[b]);
    }
    x.iRe.fill(0);
    x.iIm.fill(0);
    const y = net.ybus;
    for (let k = 0; k < y.n; k += 1) {
      for (let p = y.colPtr[k]; p < y.colPtr[k + 1]; p += 1) {
        const i = y.rowIdx[p];
        x.iRe[i] += y.re[p] * x.vRe[k] - y.im[p] * x.vIm[k];
        x.iIm[i] += y.re[p] * x.vIm[k] + y.im[p] * x.vRe[k];
      }
    }
    for (let r = 0; r < this.rows.count; r += 1) this.h[r] = this.rows.evaluate(r, x, this.d);
  }

  /** Builds and factors G = H^T W H at the evaluated state into `ldl` (or a given factor). */
  factor(weight: Float64Array, relativePivotTolerance: number, into: HermitianLdl = this.ldl): void {
    const g = this.gain;
    const r = this.rows;
    const v = this.values;
    v.fill(0);
    for (let row = 0; row < r.count; row += 1) {
      const w = weight[row];
      if (w === 0) continue;
      let at = g.pairPtr[row];
      for (let p = r.rowPtr[row]; p < r.rowPtr[row + 1]; p += 1) {
        const free = this.pinned[r.rowCols[p]] === 0;
        for (let q = p; q < r.rowPtr[row + 1]; q += 1, at += 1)
          if (free && this.pinned[r.rowCols[q]] === 0) v[g.pairSlot[at]] += w * this.d[p] * this.d[q];
      }
    }
    for (let c = 0; c < g.n; c += 1) if (this.pinned[c] === 1) v[g.diagSlot[g.pinv[c]]] = 1;
    const bad = into.factor(g.colPtr, g.rowIdx, v, this.zeroIm, relativePivotTolerance);
    if (bad < 0) return;
    const unknown = g.perm[bad];
    throw new SingularSystemError(
      `the SCADA and PMU measurements do not determine the ${(unknown & 1) === 0 ? 'angle' : 'magnitude'} at bus ${this.network.busIds[unknown >> 1]}; add measurements at or next to it`,
      unknown >> 1,
    );
  }

  /**
   * dx = G^-1 H^T W r into `dx` (by unknown, 2b angle and 2b + 1 magnitude),
   * with r the given residual per row; `work` is 2 x unknowns long. Pinned
   * unknowns get 0.
   */
  solve(
    weight: Float64Array,
    residual: Float64Array,
    work: Float64Array,
    dx: Float64Array,
    factor = this.ldl,
  ): void {
    const g = this.gain;
    const r = this.rows;
    work.fill(0);
    for (let row = 0; row < r.count; row += 1) {
      const w = weight[row] * residual[row];
      if (w === 0) continue;
      for (let p = r.rowPtr[row]; p < r.rowPtr[row + 1]; p += 1) {
        const c = r.rowCols[p];
        if (this.pinned[c] === 0) work[2 * g.pinv[c]] += w * this.d[p];
      }
    }
    factor.solveInPlace(work);
    for (let c = 0; c < g.n; c += 1) dx[c] = this.pinned[c] === 1 ? 0 : work[2 * g.pinv[c]];
  }
}
