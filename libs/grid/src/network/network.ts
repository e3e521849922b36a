import { BusType, type PowerCase } from '../case/power-case';

/** Complex sparse matrix in compressed sparse column form with separate real and imaginary parts. */
export interface ComplexCsc {
  readonly n: number;
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * The electrical model of a case: buses by dense index (0..n-1, in case row
 * order), branch pi-model admittances in MATPOWER's convention
 * (If = Yff Vf + Yft Vt, It = Ytf Vf + Ytt Vt; zero for out-of-service
 * branches), bus shunts and Ybus, all per unit on the case base.
 */
export class Network {
  readonly caseName: string;
  readonly baseMVA: number;
  readonly busCount: number;
  readonly branchCount: number;
  readonly busIds: Int32Array;
  readonly busArea: Int32Array;
  /** Effective bus type: a PV bus without an in-service generator acts as PQ. */
  readonly busType: Uint8Array;
  readonly branchFrom: Int32Array;
  readonly branchTo: Int32Array;
  readonly branchInService: Uint8Array;
  readonly yff = { re: new Float64Array(0), im: new Float64Array(0) };
  readonly yft = { re: new Float64Array(0), im: new Float64Array(0) };
  readonly ytf = { re: new Float64Array(0), im: new Float64Array(0) };
  readonly ytt = { re: new Float64Array(0), im: new Float64Array(0) };
  readonly shuntRe: Float64Array;
  readonly shuntIm: Float64Array;
  readonly ybus: ComplexCsc;
  /** In-service neighbours of each bus (CSR over buses); parallel branches give one entry. */
  readonly neighborPtr: Int32Array;
  readonly neighbors: Int32Array;
  private readonly indexById: Map<number, number>;

  constructor(readonly powerCase: PowerCase) {
    const c = powerCase;
    this.caseName = c.name;
    this.baseMVA = c.baseMVA;
    this.busCount = c.buses.length;
    this.branchCount = c.branches.length;
    this.busIds = Int32Array.from(c.buses, (b) => b.id);
    this.busArea = Int32Array.from(c.buses, (b) => b.area);
    this.indexById = new Map(c.buses.map((b, i) => [b.id, i]));
    this.busType = this.effectiveTypes();
    this.branchFrom = Int32Array.from(c.branches, (br) => this.indexOf(br.from));
    this.branchTo = Int32Array.from(c.branches, (br) => this.indexOf(br.to));
    this.branchInService = Uint8Array.from(c.branches, (br) => (br.inService ? 1 : 0));
    this.fillBranchAdmittances();
    this.shuntRe = Float64Array.from(c.buses, (b) => b.gs / c.baseMVA);
    this.shuntIm = Float64Array.from(c.buses, (b) => b.bs / c.baseMVA);
    [this.neighborPtr, this.neighbors] = this.buildNeighbors();
    this.ybus = this.buildYbus();
  }

  /** Dense index of a bus number, or -1 when the case has no such bus. */
  indexOf(busId: number): number {
    return this.indexById.get(busId) ?? -1;
  }

  private effectiveTypes(): Uint8Array {
    const hasGen = new Uint8Array(this.busCount);
    for (const g of this.powerCase.gens) if (g.inService) hasGen[this.indexOf(g.bus)] = 1;
    return Uint8Array.from(this.powerCase.buses, (b, i) =>
      b.type === BusType.PV && hasGen[i] === 0 ? BusType.PQ : b.type,
    );
  }

  private fillBranchAdmittances(): void {
    const m = this.branchCount;
    for (const y of [this.yff, this.yft, this.ytf, this.ytt]) {
      y.re = new Float64Array(m);
      y.im = new Float64Array(m);
    }
    this.powerCase.branches.forEach((br, k) => {
      if (!br.inService) return;
      const z2 = br.r * br.r + br.x * br.x;
      const ysRe = br.r / z2;
      const ysIm = -br.x / z2;
      const tap = br.ratio === 0 ? 1 : br.ratio;
      const shift = (br.angleDeg * Math.PI) / 180;
      const cs = Math.cos(shift) / tap;
      const sn = Math.sin(shift) / tap;
      this.ytt.re[k] = ysRe;
      this.ytt.im[k] = ysIm + br.b / 2;
      this.yff.re[k] = this.ytt.re[k] / (tap * tap);
      this.yff.im[k] = this.ytt.im[k] / (tap * tap);
      // Yft = -Ys / conj(t) = -Ys * e^{+j shift} / tap; Ytf = -Ys / t = -Ys * e^{-j shift} / tap.
      this.yft.re[k] = -(ysRe * cs - ysIm * sn);
      this.yft.im[k] = -(ysRe * sn + ysIm * cs);
      this.ytf.re[k] = -(ysRe * cs + ysIm * sn);
      this.ytf.im[k] = -(ysIm * cs - ysRe * sn);
    });
  }

  private buildNeighbors(): [Int32Array, Int32Array] {
    const sets: Set<number>[] = Array.from({ length: this.busCount }, () => new Set<number>());
    for (let k = 0; k < this.branchCount; k++) {
      if (this.branchInService[k] === 0) continue;
      const f = this.branchFrom[k];
      const t = this.branchTo[k];
      if (f === t) continue;
      sets[f].add(t);
      sets[t].add(f);
    }
    const ptr = new Int32Array(this.busCount + 1);
    sets.forEach((s, i) => (ptr[i + 1] = ptr[i] + s.size));
    const out = new Int32Array(ptr[this.busCount]);
    sets.forEach((s, i) =>
      out.set(
        [...s].sort((a, b) => a - b),
        ptr[i],
      ),
    );
    return [ptr, out];
  }

  /** Ybus with the pattern diagonal + neighbours in every column (rows sorted). */
  private buildYbus(): ComplexCsc {
    const n = this.busCount;
    const colPtr = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) colPtr[j + 1] = colPtr[j] + 1 + this.neighborPtr[j + 1] - this.neighborPtr[j];
    const rowIdx = new Int32Array(colPtr[n]);
    for (let j = 0; j < n; j++) {
      const rows = [j, ...this.neighbors.subarray(this.neighborPtr[j], this.neighborPtr[j + 1])].sort(
        (a, b) => a - b,
      );
      rowIdx.set(rows, colPtr[j]);
    }
    const ybus: ComplexCsc = {
      n,
      colPtr,
      rowIdx,
      re: new Float64Array(rowIdx.length),
      im: new Float64Array(rowIdx.length),
    };
    for (let i = 0; i < n; i++) addAt(ybus, i, i, this.shuntRe[i], this.shuntIm[i]);
    for (let k = 0; k < this.branchCount; k++) {
      if (this.branchInService[k] === 0) continue;
      const f = this.branchFrom[k];
      const t = this.branchTo[k];
      addAt(ybus, f, f, this.yff.re[k], this.yff.im[k]);
      addAt(ybus, f, t, this.yft.re[k], this.yft.im[k]);
      addAt(ybus, t, f, this.ytf.re[k], this.ytf.im[k]);
      addAt(ybus, t, t, this.ytt.re[k], this.ytt.im[k]);
    }
    return ybus;
  }
}

/** Position of (row, col) in a CSC matrix with sorted rows, or -1. */
export function cscFind(
  a: ComplexCsc | { colPtr: Int32Array; rowIdx: Int32Array },
  row: number,
  col: number,
): number {
  let lo = a.colPtr[col];
  let hi = a.colPtr[col + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = a.rowIdx[mid];
    if (r === row) return mid;
    if (r < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function addAt(a: ComplexCsc, row: number, col: number, re: number, im: number): void {
  const p = cscFind(a, row, col);
  if (p < 0) throw new Error(`invariant: Ybus pattern lacks (${row}, ${col})`);
  a.re[p] += re;
  a.im[p] += im;
}
