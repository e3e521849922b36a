import { BusType } from '../case/power-case';
import { cscFind, type Network } from '../network/network';
import { minimumDegreeOrder } from '../sparse/minimum-degree';
import { SymbolicFactor } from '../sparse/symbolic-factor';

/**
 * Unknowns of the polar Newton-Raphson power flow in elimination order: for
 * each non-reference bus its angle, then (PQ buses) its magnitude, so that
 * P_i pairs with theta_i and Q_i with |V_i| on the diagonal. The bus order is
 * a minimum-degree order of the bus graph, which makes the Jacobian's fill
 * that of a 2x2-block Cholesky of Ybus.
 */
export class JacobianPattern {
  readonly unknownCount: number;
  /** Bus and kind (0 = angle / P, 1 = magnitude / Q) of each permuted unknown. */
  readonly unknownBus: Int32Array;
  readonly unknownKind: Uint8Array;
  /** Upper triangle (incl. diagonal) of the permuted Jacobian pattern, CSC. */
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  /** Ybus positions of Y(rowBus, colBus) and Y(colBus, rowBus) for each pattern entry. */
  readonly yRowCol: Int32Array;
  readonly yColRow: Int32Array;
  readonly symbolic: SymbolicFactor;

  constructor(net: Network) {
    const order = this.busOrder(net);
    const bus: number[] = [];
    const kind: number[] = [];
    for (const b of order) {
      bus.push(b);
      kind.push(0);
      if (net.busType[b] === BusType.PQ) {
        bus.push(b);
        kind.push(1);
      }
    }
    this.unknownCount = bus.length;
    this.unknownBus = Int32Array.from(bus);
    this.unknownKind = Uint8Array.from(kind);
    [this.colPtr, this.rowIdx] = this.upperPattern(net);
    this.yRowCol = new Int32Array(this.rowIdx.length);
    this.yColRow = new Int32Array(this.rowIdx.length);
    for (let c = 0; c < this.unknownCount; c++) {
      for (let p = this.colPtr[c]; p < this.colPtr[c + 1]; p++) {
        const i = this.unknownBus[this.rowIdx[p]];
        const k = this.unknownBus[c];
        this.yRowCol[p] = cscFind(net.ybus, i, k);
        this.yColRow[p] = cscFind(net.ybus, k, i);
      }
    }
    this.symbolic = new SymbolicFactor(this.unknownCount, this.colPtr, this.rowIdx);
  }

  private busOrder(net: Network): number[] {
    const active = (b: number): boolean => net.busType[b] === BusType.PQ || net.busType[b] === BusType.PV;
    const ptr = new Int32Array(net.busCount + 1);
    const adj: number[] = [];
    for (let b = 0; b < net.busCount; b++) {
      if (active(b)) {
        for (let p = net.neighborPtr[b]; p < net.neighborPtr[b + 1]; p++) {
          if (active(net.neighbors[p])) adj.push(net.neighbors[p]);
        }
      }
      ptr[b + 1] = adj.length;
    }
    const perm = minimumDegreeOrder(net.busCount, ptr, Int32Array.from(adj));
    return [...perm].filter(active);
  }

  /** Column c holds every unknown r <= c whose bus equals or neighbours c's bus. */
  private upperPattern(net: Network): [Int32Array, Int32Array] {
    const first = new Int32Array(net.busCount).fill(-1);
    for (let u = this.unknownCount - 1; u >= 0; u--) first[this.unknownBus[u]] = u;
    const colPtr = new Int32Array(this.unknownCount + 1);
    const rows: number[] = [];
    for (let c = 0; c < this.unknownCount; c++) {
      const k = this.unknownBus[c];
      const found: number[] = [];
      const addBus = (b: number): void => {
        for (let u = first[b]; u >= 0 && u < this.unknownCount && this.unknownBus[u] === b; u++) {
          if (u <= c) found.push(u);
        }
      };
      addBus(k);
      for (let p = net.neighborPtr[k]; p < net.neighborPtr[k + 1]; p++) addBus(net.neighbors[p]);
      found.sort((a, b) => a - b);
      rows.push(...found);
      colPtr[c + 1] = rows.length;
    }
    return [colPtr, Int32Array.from(rows)];
  }

  /** Permuted unknown index of each bus's angle, or -1 (reference / isolated bus). */
  angleIndex(busCount: number): Int32Array {
    const idx = new Int32Array(busCount).fill(-1);
    for (let u = 0; u < this.unknownCount; u++) if (this.unknownKind[u] === 0) idx[this.unknownBus[u]] = u;
    return idx;
  }
}
