import { invertPermutation, minimumDegreeOrder } from '../sparse/minimum-degree';
import { SymbolicFactor } from '../sparse/symbolic-factor';
import type { MeasurementModel } from './measurement-model';

/**
 * Everything about G = H^H W H that depends only on the topology and on which
 * measurements exist, not on their weights or values: the minimum-degree
 * permutation, the upper-triangle CSC pattern of the permuted G, where each
 * measurement row adds into it, and the symbolic factor. Computed once per
 * measurement model and shared by every numeric factorization (a missing
 * measurement is a zero weight, so the pattern stays a superset).
 */
export class GainStructure {
  readonly n: number;
  /** perm[k] = model column at permuted position k; pinv is its inverse. */
  readonly perm: Int32Array;
  readonly pinv: Int32Array;
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly diagSlot: Int32Array;
  /** Per model row: slot of the off-diagonal entry and whether it holds G[col2][col1] (conjugate). */
  readonly offSlot: Int32Array;
  readonly offConj: Uint8Array;
  /** H^H by permuted column: rows and conj(h) coefficients (CSR over permuted columns). */
  readonly rhsPtr: Int32Array;
  readonly rhsRow: Int32Array;
  readonly rhsRe: Float64Array;
  readonly rhsIm: Float64Array;
  readonly symbolic: SymbolicFactor;

  constructor(readonly model: MeasurementModel) {
    this.n = model.columnCount;
    const adjacency = this.columnGraph();
    this.perm = minimumDegreeOrder(this.n, adjacency.ptr, adjacency.adj);
    this.pinv = invertPermutation(this.perm);
    [this.colPtr, this.rowIdx] = this.upperPattern(adjacency);
    this.diagSlot = Int32Array.from({ length: this.n }, (_, k) => this.colPtr[k + 1] - 1);
    this.offSlot = new Int32Array(model.rowCount).fill(-1);
    this.offConj = new Uint8Array(model.rowCount);
    this.locateOffDiagonals();
    [this.rhsPtr, this.rhsRow, this.rhsRe, this.rhsIm] = this.transposeH();
    this.symbolic = new SymbolicFactor(this.n, this.colPtr, this.rowIdx);
  }

  private columnGraph(): { ptr: Int32Array; adj: Int32Array } {
    const m = this.model;
    const sets: Set<number>[] = Array.from({ length: this.n }, () => new Set<number>());
    for (let r = 0; r < m.rowCount; r++) {
      if (m.col2[r] < 0) continue;
      sets[m.col1[r]].add(m.col2[r]);
      sets[m.col2[r]].add(m.col1[r]);
    }
    const ptr = new Int32Array(this.n + 1);
    sets.forEach((s, i) => (ptr[i + 1] = ptr[i] + s.size));
    const adj = new Int32Array(ptr[this.n]);
    sets.forEach((s, i) => adj.set([...s], ptr[i]));
    return { ptr, adj };
  }

  /** Permuted column k holds rows pinv[j] <= k for its neighbours j, then the diagonal last. */
  private upperPattern(g: { ptr: Int32Array; adj: Int32Array }): [Int32Array, Int32Array] {
    const colPtr = new Int32Array(this.n + 1);
    const rows: number[] = [];
    for (let k = 0; k < this.n; k++) {
      const c = this.perm[k];
      const above: number[] = [];
      for (let p = g.ptr[c]; p < g.ptr[c + 1]; p++) if (this.pinv[g.adj[p]] < k) above.push(this.pinv[g.adj[p]]);
      above.sort((a, b) => a - b);
      rows.push(...above, k);
      colPtr[k + 1] = rows.length;
    }
    return [colPtr, Int32Array.from(rows)];
  }

  private locateOffDiagonals(): void {
    const m = this.model;
    for (let r = 0; r < m.rowCount; r++) {
      if (m.col2[r] < 0) continue;
      const a = this.pinv[m.col1[r]];
      const b = this.pinv[m.col2[r]];
      const [row, col] = a < b ? [a, b] : [b, a];
      this.offConj[r] = a < b ? 0 : 1;
      let p = this.colPtr[col];
      const end = this.colPtr[col + 1];
      while (p < end && this.rowIdx[p] !== row) p++;
      if (p >= end) throw new Error('invariant: gain pattern lacks a measurement coupling');
      this.offSlot[r] = p;
    }
  }

  private transposeH(): [Int32Array, Int32Array, Float64Array, Float64Array] {
    const m = this.model;
    const ptr = new Int32Array(this.n + 1);
    for (let r = 0; r < m.rowCount; r++) {
      ptr[this.pinv[m.col1[r]] + 1]++;
      if (m.col2[r] >= 0) ptr[this.pinv[m.col2[r]] + 1]++;
    }
    for (let k = 0; k < this.n; k++) ptr[k + 1] += ptr[k];
    const next = ptr.slice(0, this.n);
    const total = ptr[this.n];
    const row = new Int32Array(total);
    const re = new Float64Array(total);
    const im = new Float64Array(total);
    const put = (col: number, r: number, hr: number, hi: number): void => {
      const p = next[this.pinv[col]]++;
      row[p] = r;
      re[p] = hr;
      im[p] = -hi;
    };
    for (let r = 0; r < m.rowCount; r++) {
      put(m.col1[r], r, m.h1Re[r], m.h1Im[r]);
      if (m.col2[r] >= 0) put(m.col2[r], r, m.h2Re[r], m.h2Im[r]);
    }
    return [ptr, row, re, im];
  }
}
