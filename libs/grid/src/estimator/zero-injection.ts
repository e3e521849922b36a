import { BusType } from '../case/power-case';
import { cscFind, type Network } from '../network/network';

/** A bus whose own admittance is below this (per unit) gives no usable constraint. */
const MIN_SELF_ADMITTANCE_PU = 1e-9;

/**
 * Buses with exactly zero injected current: no load, no in-service generator,
 * not the reference and not isolated. A shunt is no injection here, because
 * Ybus already holds it: I = Ybus V is zero at such a bus however large the
 * shunt. Dense bus indices, ascending.
 */
export function zeroInjectionBuses(net: Network): Int32Array {
  const hasGen = new Uint8Array(net.busCount);
  for (const g of net.powerCase.gens) if (g.inService) hasGen[net.indexOf(g.bus)] = 1;
  const out: number[] = [];
  net.powerCase.buses.forEach((b, i) => {
    const passive = b.pd === 0 && b.qd === 0 && hasGen[i] === 0;
    const connected = net.neighborPtr[i + 1] > net.neighborPtr[i];
    if (passive && connected && b.type !== BusType.REF && b.type !== BusType.ISOLATED) out.push(i);
  });
  return Int32Array.from(out);
}

/**
 * Zero-injection equality constraints c_k x = 0 on the model's state columns,
 * one per zero-injection bus whose whole closed neighbourhood is in the
 * model: c_k is row k of Ybus divided by the bus's own admittance, so the
 * bus's coefficient is 1 and every constraint has the scale of a voltage
 * measurement whatever the branch impedances (pegase has 1e-4 pu ones).
 * Stored as CSR over constraints (ptr, col, re, im).
 */
export class ZeroInjectionConstraints {
  readonly count: number;
  readonly bus: Int32Array;
  readonly ptr: Int32Array;
  readonly col: Int32Array;
  readonly re: Float64Array;
  readonly im: Float64Array;

  private constructor(bus: number[], ptr: number[], col: number[], re: number[], im: number[]) {
    this.count = bus.length;
    this.bus = Int32Array.from(bus);
    this.ptr = Int32Array.from(ptr);
    this.col = Int32Array.from(col);
    this.re = Float64Array.from(re);
    this.im = Float64Array.from(im);
  }

  /**
   * The same constraints without those of `buses`: what stays true when
   * branches at those buses open (an open branch changes the Ybus row, the
   * injection equation, of its two end buses and of no other).
   */
  without(buses: ReadonlySet<number>): ZeroInjectionConstraints {
    const keep = Array.from(this.bus, (_, k) => k).filter((k) => !buses.has(this.bus[k]));
    const slice = (a: Int32Array | Float64Array): number[] =>
      keep.flatMap((k) => Array.from(a.subarray(this.ptr[k], this.ptr[k + 1])));
    const ptr = [0];
    for (const k of keep) ptr.push(ptr[ptr.length - 1] + this.ptr[k + 1] - this.ptr[k]);
    return new ZeroInjectionConstraints(
      keep.map((k) => this.bus[k]),
      ptr,
      slice(this.col),
      slice(this.re),
      slice(this.im),
    );
  }

  static none(): ZeroInjectionConstraints {
    return new ZeroInjectionConstraints([], [0], [], [], []);
  }

  /** The constraints of every zero-injection bus whose closed neighbourhood lies in the model's columns. */
  static of(net: Network, columnBus: Int32Array): ZeroInjectionConstraints {
    const columnOf = new Int32Array(net.busCount).fill(-1);
    columnBus.forEach((b, c) => (columnOf[b] = c));
    const [bus, ptr, col, re, im] = [[], [0], [], [], []] as [
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    for (const i of zeroInjectionBuses(net)) {
      const members = [i, ...net.neighbors.subarray(net.neighborPtr[i], net.neighborPtr[i + 1])];
      if (members.some((j) => columnOf[j] < 0)) continue;
      const self = ybusEntry(net, i, i);
      const selfSq = self[0] * self[0] + self[1] * self[1];
      if (!(Math.sqrt(selfSq) > MIN_SELF_ADMITTANCE_PU)) continue;
      for (const j of members) {
        // Y_ij / Y_ii = Y_ij conj(Y_ii) / |Y_ii|^2.
        const [yr, yi] = ybusEntry(net, i, j);
        col.push(columnOf[j]);
        re.push((yr * self[0] + yi * self[1]) / selfSq);
        im.push((yi * self[0] - yr * self[1]) / selfSq);
      }
      bus.push(i);
      ptr.push(col.length);
    }
    return new ZeroInjectionConstraints(bus, ptr, col, re, im);
  }
}

/** Ybus[row][col] (dense bus indices; Ybus is stored by column). */
function ybusEntry(net: Network, row: number, col: number): [number, number] {
  const p = cscFind(net.ybus, row, col);
  if (p < 0) throw new Error(`invariant: Ybus has no entry (${row}, ${col}) for a neighbour`);
  return [net.ybus.re[p], net.ybus.im[p]];
}
