import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random';
import { denseSolve } from '../testing/dense-complex';
import { HermitianLdl } from './hermitian-ldl';
import { minimumDegreeOrder } from './minimum-degree';
import { SparseLdu } from './sparse-ldu';
import { SymbolicFactor } from './symbolic-factor';

/** A random symmetric sparsity pattern (upper CSC incl. diagonal) over n nodes. */
function randomPattern(n: number, rnd: SeededRandom): { colPtr: Int32Array; rowIdx: Int32Array } {
  const cols: number[][] = Array.from({ length: n }, (_, k) => [k]);
  for (let k = 1; k < n; k++) {
    for (let i = 0; i < k; i++) if (rnd.next() < 3 / n) cols[k].unshift(i);
    cols[k].sort((a, b) => a - b);
  }
  const colPtr = new Int32Array(n + 1);
  cols.forEach((c, k) => (colPtr[k + 1] = colPtr[k] + c.length));
  return { colPtr, rowIdx: Int32Array.from(cols.flat()) };
}

describe('sparse factorizations', () => {
  it('minimumDegreeOrder returns a permutation that eliminates a star centre last', () => {
    const n = 6;
    const ptr = Int32Array.from([0, 5, 6, 7, 8, 9, 10]);
    const adj = Int32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 0]);
    const perm = minimumDegreeOrder(n, ptr, adj);
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(perm[n - 2] === 0 || perm[n - 1] === 0).toBe(true);
  });

  it('SparseLdu solves a random unsymmetric system with a symmetric pattern like a dense solver', () => {
    const rnd = new SeededRandom(7);
    const n = 40;
    const { colPtr, rowIdx } = randomPattern(n, rnd);
    const upper = Float64Array.from(rowIdx, () => rnd.next() - 0.5);
    const lower = Float64Array.from(rowIdx, () => rnd.next() - 0.5);
    const dense = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let k = 0; k < n; k++) {
      for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
        const i = rowIdx[p];
        if (i === k) upper[p] = lower[p] = 4 + rnd.next();
        dense[i][k] = upper[p];
        dense[k][i] = lower[p];
      }
    }
    const ldu = new SparseLdu(new SymbolicFactor(n, colPtr, rowIdx));
    ldu.factor(colPtr, rowIdx, upper, lower);
    const b = Array.from({ length: n }, () => rnd.next());
    const x = Float64Array.from(b);
    ldu.solveInPlace(x);
    denseSolve(dense, b).forEach((v, i) => expect(x[i]).toBeCloseTo(v, 12));
  });

  it('HermitianLdl solves a random Hermitian positive definite system like a dense real-form solver', () => {
    const rnd = new SeededRandom(11);
    const n = 30;
    const { colPtr, rowIdx } = randomPattern(n, rnd);
    const re = new Float64Array(rowIdx.length);
    const im = new Float64Array(rowIdx.length);
    // Real form [[A, -B], [B, A]] of A + jB.
    const dense = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
    const put = (i: number, k: number, a: number, b: number): void => {
      dense[i][k] += a;
      dense[i + n][k + n] += a;
      dense[i][k + n] -= b;
      dense[i + n][k] += b;
    };
    for (let k = 0; k < n; k++) {
      for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
        const i = rowIdx[p];
        if (i === k) {
          re[p] = 10 + rnd.next();
          put(k, k, re[p], 0);
        } else {
          re[p] = rnd.next() - 0.5;
          im[p] = rnd.next() - 0.5;
          put(i, k, re[p], im[p]);
          put(k, i, re[p], -im[p]);
        }
      }
    }
    const ldl = new HermitianLdl(new SymbolicFactor(n, colPtr, rowIdx));
    expect(ldl.factor(colPtr, rowIdx, re, im, 1e-12)).toBe(-1);
    // Entries of the inverse on L's pattern against dense solves with unit vectors.
    const inv = ldl.inverseOnPattern();
    const lp = ldl.sym.lp;
    for (let j = 0; j < n; j++) {
      const unit = new Array<number>(2 * n).fill(0);
      unit[j] = 1;
      const col = denseSolve(dense, unit); // column j of G^-1 in real form: Re at i, Im at i + n
      expect(inv.diag[j]).toBeCloseTo(col[j], 12);
      for (let p = lp[j]; p < lp[j + 1]; p++) {
        const i = ldl.li[p];
        expect(inv.lower[2 * p]).toBeCloseTo(col[i], 12);
        expect(inv.lower[2 * p + 1]).toBeCloseTo(col[i + n], 12);
      }
    }
    const b = Array.from({ length: 2 * n }, () => rnd.next());
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) [x[2 * i], x[2 * i + 1]] = [b[i], b[i + n]];
    ldl.solveInPlace(x);
    const want = denseSolve(dense, b);
    for (let i = 0; i < n; i++) {
      expect(x[2 * i]).toBeCloseTo(want[i], 12);
      expect(x[2 * i + 1]).toBeCloseTo(want[i + n], 12);
    }
  });

  it('HermitianLdl reports the first non-positive pivot instead of dividing by it', () => {
    const colPtr = Int32Array.from([0, 1, 3]);
    const rowIdx = Int32Array.from([0, 0, 1]);
    const ldl = new HermitianLdl(new SymbolicFactor(2, colPtr, rowIdx));
    // [[1, 1], [1, 1]] is singular: the second pivot is zero.
    expect(ldl.factor(colPtr, rowIdx, Float64Array.from([1, 1, 1]), new Float64Array(3), 1e-10)).toBe(1);
  });
});
