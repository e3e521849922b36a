import { invertPermutation, minimumDegreeOrder } from '../sparse/minimum-degree';
import { SymbolicFactor } from '../sparse/symbolic-factor';
import type { NonlinearRows } from './nonlinear-rows';

/**
 * The structure of G = H^T W H for the nonlinear model, fixed for a set of
 * rows: a minimum-degree order of the unknowns, the permuted upper-triangle
 * pattern, the symbolic factor, and for each row the slot of every product
 * of two of its derivatives (pairSlot, in the row's (a <= b) pair order), so
 * an iteration accumulates G without searching.
 */
export class NonlinearGain {
  readonly n: number;
  readonly perm: Int32Array;
  readonly pinv: Int32Array;
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly diagSlot: Int32Array;
  readonly pairPtr: Int32Array;
  readonly pairSlot: Int32Array;
  readonly symbolic: SymbolicFactor;

  constructor(readonly rows: NonlinearRows) {
    this.n = 2 * rows.network.busCount;
    const sets = this.unknownGraph();
    const ptr = new Int32Array(this.n + 1);
    sets.forEach((s, i) => (ptr[i + 1] = ptr[i] + s.size));
    const adj = new Int32Array(ptr[this.n]);
    sets.forEach((s, i) => adj.set([...s], ptr[i]));
    this.perm = minimumDegreeOrder(this.n, ptr, adj);
    this.pinv = invertPermutation(this.perm);
    [this.colPtr, this.rowIdx] = this.upperPattern(sets);
    this.diagSlot = Int32Array.from({ length: this.n }, (_, k) => this.colPtr[k + 1] - 1);
    this.pairPtr = new Int32Array(rows.count + 1);
    for (let r = 0; r < rows.count; r += 1) {
      const m = rows.rowPtr[r + 1] - rows.rowPtr[r];
      this.pairPtr[r + 1] = this.pairPtr[r] + (m * (m + 1)) / 2;
    }
    this.pairSlot = new Int32Array(this.pairPtr[rows.count]);
    for (let r = 0; r < rows.count; r += 1) this.locatePairs(r);
    this.symbolic = new SymbolicFactor(this.n, this.colPtr, this.rowIdx);
  }

  /** Unknowns that share a row are adjacent in G. */
  private unknownGraph(): Set<number>[] {
    const rows = this.rows;
    const sets: Set<number>[] = Array.from({ length: this.n }, () => new Set<number>());
    for (let r = 0; r < rows.count; r += 1) {
      for (let p = rows.rowPtr[r]; p < rows.rowPtr[r + 1]; p += 1)
        for (let q = rows.rowPtr[r]; q < rows.rowPtr[r + 1]; q += 1)
          if (p !== q) sets[rows.rowCols[p]].add(rows.rowCols[q]);
    }
    return sets;
  }

  /** Permuted column k: the rows pinv[j] < k of its neighbours j, ascending, then the diagonal. */
  private upperPattern(sets: Set<number>[]): [Int32Array, Int32Array] {
    const colPtr = new Int32Array(this.n + 1);
    const out: number[] = [];
    for (let k = 0; k < this.n; k += 1) {
      const above = [...sets[this.perm[k]]].map((j) => this.pinv[j]).filter((i) => i < k);
      above.sort((a, b) => a - b);
      out.push(...above, k);
      colPtr[k + 1] = out.length;
    }
    return [colPtr, Int32Array.from(out)];
  }

  private locatePairs(r: number): void {
    const rows = this.rows;
    const [start, end] = [rows.rowPtr[r], rows.rowPtr[r + 1]];
    let at = this.pairPtr[r];
    for (let p = start; p < end; p += 1) {
      for (let q = p; q < end; q += 1) {
        const a = this.pinv[rows.rowCols[p]];
        const b = this.pinv[rows.rowCols[q]];
        this.pairSlot[at] = this.slot(Math.min(a, b), Math.max(a, b));
        at += 1;
      }
    }
  }

  private slot(row: number, col: number): number {
    let lo = this.colPtr[col];
    let hi = this.colPtr[col + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rowIdx[mid] === row) return mid;
      if (this.rowIdx[mid] < row) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`invariant: nonlinear gain pattern lacks (${row}, ${col})`);
  }
}
