import type { SymbolicFactor } from './symbolic-factor';

/**
 * G = L D L^H for a Hermitian positive (semi)definite matrix, up-looking
 * (row by row of L) on a precomputed symbolic factor. The permuted matrix is
 * given as its upper triangle in CSC with separate real/imaginary values.
 * Pivots below `relativePivotTolerance` times the original diagonal mark a
 * direction the data does not determine; they are reported, not invented.
 */
export class HermitianLdl {
  readonly lxRe: Float64Array;
  readonly lxIm: Float64Array;
  readonly li: Int32Array;
  readonly d: Float64Array;
  private readonly yRe: Float64Array;
  private readonly yIm: Float64Array;
  private readonly pattern: Int32Array;
  private readonly flag: Int32Array;
  private readonly lnz: Int32Array;

  constructor(readonly sym: SymbolicFactor) {
    const n = sym.n;
    const nz = sym.factorNonZeros;
    this.li = new Int32Array(nz);
    this.lxRe = new Float64Array(nz);
    this.lxIm = new Float64Array(nz);
    this.d = new Float64Array(n);
    this.yRe = new Float64Array(n);
    this.yIm = new Float64Array(n);
    this.pattern = new Int32Array(n);
    this.flag = new Int32Array(n);
    this.lnz = new Int32Array(n);
  }

  /**
   * Numeric factorization. Returns the permuted index of the first pivot that
   * is not positive relative to its diagonal, or -1 when G is positive definite.
   */
  factor(colPtr: Int32Array, rowIdx: Int32Array, re: Float64Array, im: Float64Array, relativePivotTolerance: number): number {
    const { n, parent, lp } = this.sym;
    const { li, lxRe, lxIm, d, yRe, yIm, pattern, flag, lnz } = this;
    let firstBad = -1;
    for (let k = 0; k < n; k++) {
      let top = n;
      flag[k] = k;
      lnz[k] = 0;
      let dk = 0;
      for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
        let i = rowIdx[p];
        if (i === k) {
          dk += re[p];
          continue;
        }
        yRe[i] += re[p];
        yIm[i] += im[p];
        let len = 0;
        for (; flag[i] !== k; i = parent[i]) {
          pattern[len++] = i;
          flag[i] = k;
        }
        while (len > 0) pattern[--top] = pattern[--len];
      }
      const diag = dk;
      for (; top < n; top++) {
        const i = pattern[top];
        const ur = yRe[i];
        const ui = yIm[i];
        yRe[i] = 0;
        yIm[i] = 0;
        const end = lp[i] + lnz[i];
        for (let p = lp[i]; p < end; p++) {
          const r = li[p];
          yRe[r] -= lxRe[p] * ur - lxIm[p] * ui;
          yIm[r] -= lxRe[p] * ui + lxIm[p] * ur;
        }
        // y = D conj(l_k): l_ki = conj(y_i) / D_i and D_k -= |y_i|^2 / D_i.
        const di = d[i];
        li[end] = k;
        lxRe[end] = ur / di;
        lxIm[end] = -ui / di;
        dk -= (ur * ur + ui * ui) / di;
        lnz[i]++;
      }
      if (!(dk > relativePivotTolerance * diag)) {
        if (firstBad < 0) firstBad = k;
        dk = Infinity;
      }
      d[k] = dk;
    }
    return firstBad;
  }

  /** Solves L D L^H x = b in place (permuted coordinates). Allocation-free. */
  solveInPlace(bRe: Float64Array, bIm: Float64Array): void {
    const { n, lp } = this.sym;
    const { li, lxRe, lxIm, d } = this;
    for (let j = 0; j < n; j++) {
      const br = bRe[j];
      const bi = bIm[j];
      for (let p = lp[j]; p < lp[j + 1]; p++) {
        const r = li[p];
        bRe[r] -= lxRe[p] * br - lxIm[p] * bi;
        bIm[r] -= lxRe[p] * bi + lxIm[p] * br;
      }
      const inv = 1 / d[j];
      bRe[j] = br * inv;
      bIm[j] = bi * inv;
    }
    for (let j = n - 1; j >= 0; j--) {
      let sr = bRe[j];
      let si = bIm[j];
      for (let p = lp[j]; p < lp[j + 1]; p++) {
        const r = li[p];
        // conj(L_rj) * x_r
        sr -= lxRe[p] * bRe[r] + lxIm[p] * bIm[r];
        si -= lxRe[p] * bIm[r] - lxIm[p] * bRe[r];
      }
      bRe[j] = sr;
      bIm[j] = si;
    }
  }
}
