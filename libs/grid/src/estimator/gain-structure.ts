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
  /**
   * Per model row r, at 2r and 2r + 1: 2 x permuted column of its first and
   * second entry (-1 when absent), i.e. the offsets into an interleaved
   * complex vector where the row's contribution to H^H W z lands. Walking
   * rows in order reads z sequentially, which beats gathering z by column.
   */
  readonly targets: Int32Array;
  readonly symbolic: SymbolicFactor;

  /**
   * @param sharedColumnCliques also couple every two columns that rows
   * sharing a column reach, so the sparse inverse holds every entry a
   * residual covariance between two such rows needs (criticality analysis;
   * never the per-frame factor, whose fill it would raise).
   */
  constructor(
    readonly model: MeasurementModel,
    sharedColumnCliques = false,
  ) {
    this.n = model.columnCount;
    const adjacency = this.columnGraph(sharedColumnCliques);
    this.perm = minimumDegreeOrder(this.n, adjacency.ptr, adjacency.adj);
    this.pinv = invertPermutation(this.perm);
    [this.colPtr, this.rowIdx] = this.upperPattern(adjacency);
    this.diagSlot = Int32Array.from({ length: this.n }, (_, k) => this.colPtr[k + 1] - 1);
    this.offSlot = new Int32Array(model.rowCount).fill(-1);
    this.offConj = new Uint8Array(model.rowCount);
    this.locateOffDiagonals();
    this.targets = new Int32Array(2 * model.rowCount);
    for (let r = 0; r < model.rowCount; r++) {
      this.targets[2 * r] = 2 * this.pinv[model.col1[r]];
      this.targets[2 * r + 1] = model.col2[r] < 0 ? -1 : 2 * this.pinv[model.col2[r]];
    }
    this.symbolic = new SymbolicFactor(this.n, this.colPtr, this.rowIdx);
  }

  /**
   * Slot in the upper-triangle pattern of G holding (permuted) entry (a, b),
   * or its conjugate (b, a) when a > b. For factorization-time use only.
   */
  slotOf(a: number, b: number): number {
    const [row, col] = a < b ? [a, b] : [b, a];
    for (let p = this.colPtr[col]; p < this.colPtr[col + 1]; p++) if (this.rowIdx[p] === row) return p;
    throw new Error(`invariant: gain pattern lacks (${row}, ${col})`);
  }

  /** Column adjacency of G: two columns meet when a measurement or a zero-injection constraint touches both. */
  private columnGraph(sharedColumnCliques: boolean): { ptr: Int32Array; adj: Int32Array } {
    const m = this.model;
    const sets: Set<number>[] = Array.from({ length: this.n }, () => new Set<number>());
    if (sharedColumnCliques) this.addSharedColumnCliques(sets);
    for (let r = 0; r < m.rowCount; r++) {
      if (m.col2[r] < 0) continue;
      sets[m.col1[r]].add(m.col2[r]);
      sets[m.col2[r]].add(m.col1[r]);
    }
    const zi = m.zeroInjection;
    for (let k = 0; k < zi.count; k++) {
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++)
        for (let q = zi.ptr[k]; q < zi.ptr[k + 1]; q++) if (p !== q) sets[zi.col[p]].add(zi.col[q]);
    }
    const ptr = new Int32Array(this.n + 1);
    sets.forEach((s, i) => (ptr[i + 1] = ptr[i] + s.size));
    const adj = new Int32Array(ptr[this.n]);
    sets.forEach((s, i) => adj.set([...s], ptr[i]));
    return { ptr, adj };
  }

  private addSharedColumnCliques(sets: Set<number>[]): void {
    const m = this.model;
    const reach: number[][] = Array.from({ length: this.n }, (_, c) => [c]);
    for (let r = 0; r < m.rowCount; r++) {
      if (m.col2[r] < 0) continue;
      reach[m.col1[r]].push(m.col2[r]);
      reach[m.col2[r]].push(m.col1[r]);
    }
    for (const cols of reach) for (const a of cols) for (const b of cols) if (a !== b) sets[a].add(b);
  }

  /** Permuted column k holds rows pinv[j] <= k for its neighbours j, then the diagonal last. */
  private upperPattern(g: { ptr: Int32Array; adj: Int32Array }): [Int32Array, Int32Array] {
    const colPtr = new Int32Array(this.n + 1);
    const rows: number[] = [];
    for (let k = 0; k < this.n; k++) {
      const c = this.perm[k];
      const above: number[] = [];
      for (let p = g.ptr[c]; p < g.ptr[c + 1]; p++)
        if (this.pinv[g.adj[p]] < k) above.push(this.pinv[g.adj[p]]);
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
}
