import { SingularSystemError } from '../errors/singular-system-error';
import type { SymbolicFactor } from './symbolic-factor';

/**
 * A = L D U for a real matrix with a structurally symmetric pattern (the
 * power-flow Jacobian), without pivoting: the fill-reducing order keeps each
 * bus's dP/dtheta and dQ/dV diagonal entries as pivots, which dominate their
 * rows in power-flow Jacobians. The permuted matrix is given once as a pattern
 * (upper triangle CSC incl. diagonal) with two value arrays: `upper[p]` =
 * A(i, k) and `lower[p]` = A(k, i) for the entry (i, k), i <= k.
 */
export class SparseLdu {
  private readonly li: Int32Array;
  private readonly lx: Float64Array;
  private readonly ux: Float64Array;
  private readonly d: Float64Array;
  private readonly yu: Float64Array;
  private readonly yl: Float64Array;
  private readonly pattern: Int32Array;
  private readonly flag: Int32Array;
  private readonly lnz: Int32Array;

  constructor(private readonly sym: SymbolicFactor) {
    const n = sym.n;
    this.li = new Int32Array(sym.factorNonZeros);
    this.lx = new Float64Array(sym.factorNonZeros);
    this.ux = new Float64Array(sym.factorNonZeros);
    this.d = new Float64Array(n);
    this.yu = new Float64Array(n);
    this.yl = new Float64Array(n);
    this.pattern = new Int32Array(n);
    this.flag = new Int32Array(n);
    this.lnz = new Int32Array(n);
  }

  /** Numeric factorization; throws SingularSystemError on a zero pivot. */
  factor(colPtr: Int32Array, rowIdx: Int32Array, upper: Float64Array, lower: Float64Array): void {
    const { n, parent, lp } = this.sym;
    const { li, lx, ux, d, yu, yl, pattern, flag, lnz } = this;
    for (let k = 0; k < n; k++) {
      let top = n;
      flag[k] = k;
      lnz[k] = 0;
      let dk = 0;
      let scale = 0;
      for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
        let i = rowIdx[p];
        if (i === k) {
          dk += upper[p];
          scale = Math.abs(upper[p]);
          continue;
        }
        yu[i] += upper[p];
        yl[i] += lower[p];
        let len = 0;
        for (; flag[i] !== k; i = parent[i]) {
          pattern[len++] = i;
          flag[i] = k;
        }
        while (len > 0) pattern[--top] = pattern[--len];
      }
      for (; top < n; top++) {
        const i = pattern[top];
        const u = yu[i];
        const l = yl[i];
        yu[i] = 0;
        yl[i] = 0;
        const end = lp[i] + lnz[i];
        for (let p = lp[i]; p < end; p++) {
          yu[li[p]] -= lx[p] * u;
          yl[li[p]] -= ux[p] * l;
        }
        const lki = l / d[i];
        dk -= lki * u;
        li[end] = k;
        lx[end] = lki;
        ux[end] = u / d[i];
        lnz[i]++;
      }
      if (!(Math.abs(dk) > 1e-14 * Math.max(scale, 1e-300))) {
        throw new SingularSystemError(`zero pivot at permuted unknown ${k} of ${n}`);
      }
      d[k] = dk;
    }
  }

  /** Solves A x = b in place on the permuted right-hand side. */
  solveInPlace(b: Float64Array): void {
    const { n, lp } = this.sym;
    const { li, lx, ux, d } = this;
    for (let j = 0; j < n; j++) {
      const bj = b[j];
      if (bj === 0) continue;
      for (let p = lp[j]; p < lp[j + 1]; p++) b[li[p]] -= lx[p] * bj;
    }
    for (let j = 0; j < n; j++) b[j] /= d[j];
    for (let j = n - 1; j >= 0; j--) {
      let s = b[j];
      for (let p = lp[j]; p < lp[j + 1]; p++) s -= ux[p] * b[li[p]];
      b[j] = s;
    }
  }
}
