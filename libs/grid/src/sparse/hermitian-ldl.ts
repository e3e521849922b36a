import type { SymbolicFactor } from './symbolic-factor';

/**
 * G = L D L^H for a Hermitian positive (semi)definite matrix, up-looking
 * (row by row of L) on a precomputed symbolic factor. The permuted matrix is
 * given as its upper triangle in CSC with separate real/imaginary values.
 * Pivots below `relativePivotTolerance` times the original diagonal mark a
 * direction the data does not determine; they are reported, not invented.
 */
export class HermitianLdl {
  /** Off-diagonal values of L, interleaved (re at 2p, im at 2p + 1) to halve the memory streams of a solve. */
  readonly lx: Float64Array;
  readonly li: Int32Array;
  /** 2 x li: offsets into interleaved vectors, saving a multiply per entry in every solve. */
  private readonly li2: Int32Array;
  readonly d: Float64Array;
  /** 1 / D, so a solve multiplies instead of dividing once per column. */
  private readonly dInv: Float64Array;
  private readonly yRe: Float64Array;
  private readonly yIm: Float64Array;
  private readonly pattern: Int32Array;
  private readonly flag: Int32Array;
  private readonly lnz: Int32Array;

  constructor(readonly sym: SymbolicFactor) {
    const n = sym.n;
    const nz = sym.factorNonZeros;
    this.li = new Int32Array(nz);
    this.li2 = new Int32Array(nz);
    this.lx = new Float64Array(2 * nz);
    this.d = new Float64Array(n);
    this.dInv = new Float64Array(n);
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
  factor(
    colPtr: Int32Array,
    rowIdx: Int32Array,
    re: Float64Array,
    im: Float64Array,
    relativePivotTolerance: number,
  ): number {
    const { n, parent, lp } = this.sym;
    const { li, lx, d, yRe, yIm, pattern, flag, lnz } = this;
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
          const lr = lx[2 * p];
          const lm = lx[2 * p + 1];
          yRe[r] -= lr * ur - lm * ui;
          yIm[r] -= lr * ui + lm * ur;
        }
        // y = D conj(l_k): l_ki = conj(y_i) / D_i and D_k -= |y_i|^2 / D_i.
        const di = d[i];
        li[end] = k;
        lx[2 * end] = ur / di;
        lx[2 * end + 1] = -ui / di;
        dk -= (ur * ur + ui * ui) / di;
        lnz[i]++;
      }
      if (!(dk > relativePivotTolerance * diag)) {
        if (firstBad < 0) firstBad = k;
        dk = Infinity;
      }
      d[k] = dk;
      this.dInv[k] = 1 / dk;
    }
    for (let p = 0; p < li.length; p++) this.li2[p] = 2 * li[p];
    return firstBad;
  }

  /**
   * Solves L D L^H x = b in place on an interleaved complex vector (re at 2i,
   * im at 2i + 1) in permuted coordinates. Allocation-free.
   */
  solveInPlace(b: Float64Array): void {
    const n = this.sym.n;
    const lp = this.sym.lp;
    const li2 = this.li2;
    const lx = this.lx;
    const dInv = this.dInv;
    for (let j = 0; j < n; j++) {
      const br = b[2 * j];
      const bi = b[2 * j + 1];
      const end = lp[j + 1];
      for (let p = lp[j]; p < end; p++) {
        const r = li2[p];
        const lr = lx[2 * p];
        const lm = lx[2 * p + 1];
        b[r] -= lr * br - lm * bi;
        b[r + 1] -= lr * bi + lm * br;
      }
      const inv = dInv[j];
      b[2 * j] = br * inv;
      b[2 * j + 1] = bi * inv;
    }
    for (let j = n - 1; j >= 0; j--) {
      let sr = b[2 * j];
      let si = b[2 * j + 1];
      const end = lp[j + 1];
      for (let p = lp[j]; p < end; p++) {
        const r = li2[p];
        const lr = lx[2 * p];
        const lm = lx[2 * p + 1];
        // conj(L_rj) * x_r
        sr -= lr * b[r] + lm * b[r + 1];
        si -= lr * b[r + 1] - lm * b[r];
      }
      b[2 * j] = sr;
      b[2 * j + 1] = si;
    }
  }

  /**
   * Entries of Z = G^-1 on the pattern of L (the Takahashi recurrence):
   * processing columns right to left, Z_jk = -sum_m conj(L_mj) Z_mk over the
   * rows m of L's column j, which form a clique of the filled graph, so every
   * Z_mk needed is already on the pattern. Returns the strictly lower entries
   * (interleaved re/im, at L's positions: Z_{li[p], j}) and the real
   * diagonal. Costs about one factorization; used for normalized residuals.
   */
  inverseOnPattern(): { lower: Float64Array; diag: Float64Array } {
    const { n, lp } = this.sym;
    const { li, lx, dInv } = this;
    const lower = new Float64Array(lx.length);
    const diag = new Float64Array(n);
    for (let j = n - 1; j >= 0; j--) {
      const start = lp[j];
      const end = lp[j + 1];
      let dj = dInv[j];
      for (let q = start; q < end; q++) {
        const k = li[q];
        let zr = 0;
        let zi = 0;
        for (let p = start; p < end; p++) {
          const m = li[p];
          const [wr, wi] = this.inverseEntry({ lower, diag }, m, k);
          // conj(L_mj) * Z_mk
          zr -= lx[2 * p] * wr + lx[2 * p + 1] * wi;
          zi -= lx[2 * p] * wi - lx[2 * p + 1] * wr;
        }
        // Z_jk (upper) is (zr, zi); the stored lower entry Z_kj is its conjugate.
        lower[2 * q] = zr;
        lower[2 * q + 1] = -zi;
        // Z_jj -= Re(conj(L_kj) Z_kj) with Z_kj = conj(Z_jk); the imaginary parts cancel over k.
        dj -= lx[2 * q] * zr - lx[2 * q + 1] * zi;
      }
      diag[j] = dj;
    }
    return { lower, diag };
  }

  /** Z_mk (permuted indices) from inverseOnPattern's store; (m, k) must be on the filled pattern. */
  inverseEntry(inverse: { lower: Float64Array; diag: Float64Array }, m: number, k: number): [number, number] {
    const { lower, diag } = inverse;
    if (m === k) return [diag[m], 0];
    const [row, col, conj] = m > k ? [m, k, false] : [k, m, true];
    let lo = this.sym.lp[col];
    let hi = this.sym.lp[col + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.li[mid];
      if (r === row) return [lower[2 * mid], conj ? -lower[2 * mid + 1] : lower[2 * mid + 1]];
      if (r < row) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`invariant: inverse entry (${m}, ${k}) is not on the factor's pattern`);
  }
}
