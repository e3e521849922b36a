/**
 * Elimination tree and column pointers of L for a matrix with a symmetric
 * pattern, given (already permuted) as the upper triangle in CSC form: column
 * k lists rows i <= k. Shared by the LDU of the power-flow Jacobian and the
 * LDL^H of the estimator gain matrix, which only differ numerically.
 */
export class SymbolicFactor {
  readonly parent: Int32Array;
  /** Column pointers of the strictly lower factor L (length n + 1). */
  readonly lp: Int32Array;

  constructor(
    readonly n: number,
    colPtr: Int32Array,
    rowIdx: Int32Array,
  ) {
    this.parent = new Int32Array(n);
    const flag = new Int32Array(n);
    const lnz = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      this.parent[k] = -1;
      flag[k] = k;
      for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
        let i = rowIdx[p];
        if (i >= k) continue;
        // Walk from i up the elimination tree until a node already visited for row k.
        for (; flag[i] !== k; i = this.parent[i]) {
          if (this.parent[i] === -1) this.parent[i] = k;
          lnz[i]++;
          flag[i] = k;
        }
      }
    }
    this.lp = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) this.lp[k + 1] = this.lp[k] + lnz[k];
  }

  get factorNonZeros(): number {
    return this.lp[this.n];
  }
}
