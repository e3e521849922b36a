import { GridError } from '../errors/grid-error';
import { BranchEnd, MeasurementKind, type MeasurementSet } from '../measurements/measurement-set';
import type { Network } from '../network/network';
import { ZeroInjectionConstraints } from './zero-injection';

/**
 * The linear measurement model z = H x + e over a set of state columns (bus
 * voltages in rectangular form). Every PMU row touches one column (a voltage)
 * or two (a branch-end current), so H is kept as two (column, coefficient)
 * pairs per row rather than as a general sparse matrix.
 */
export class MeasurementModel {
  readonly rowCount: number;
  readonly col1: Int32Array;
  readonly col2: Int32Array;
  readonly h1Re: Float64Array;
  readonly h1Im: Float64Array;
  readonly h2Re: Float64Array;
  readonly h2Im: Float64Array;
  readonly sigma: Float64Array;

  /**
   * @param columnBus bus index of each state column
   * @param rowMeasurement index in `set` of each model row
   * @param zeroInjection equality constraints on the columns (none by default)
   */
  constructor(
    readonly network: Network,
    readonly set: MeasurementSet,
    readonly columnBus: Int32Array,
    readonly rowMeasurement: Int32Array,
    readonly zeroInjection: ZeroInjectionConstraints = ZeroInjectionConstraints.none(),
  ) {
    const m = rowMeasurement.length;
    this.rowCount = m;
    this.col1 = new Int32Array(m);
    this.col2 = new Int32Array(m).fill(-1);
    [this.h1Re, this.h1Im, this.h2Re, this.h2Im] = [0, 0, 0, 0].map(() => new Float64Array(m));
    this.sigma = Float64Array.from(rowMeasurement, (i) => set.sigma[i]);
    const columnOf = new Int32Array(network.busCount).fill(-1);
    columnBus.forEach((b, c) => (columnOf[b] = c));
    for (let r = 0; r < m; r++) this.fillRow(r, columnOf);
  }

  get columnCount(): number {
    return this.columnBus.length;
  }

  /**
   * A model over every bus and every measurement of the set; with
   * zeroInjection, every zero-injection bus of the network is a constraint.
   */
  static central(
    network: Network,
    set: MeasurementSet,
    options: { readonly zeroInjection?: boolean } = {},
  ): MeasurementModel {
    const cols = Int32Array.from({ length: network.busCount }, (_, i) => i);
    const rows = Int32Array.from({ length: set.count }, (_, i) => i);
    const constraints =
      options.zeroInjection === true
        ? ZeroInjectionConstraints.of(network, cols)
        : ZeroInjectionConstraints.none();
    return new MeasurementModel(network, set, cols, rows, constraints);
  }

  private fillRow(r: number, columnOf: Int32Array): void {
    const net = this.network;
    const i = this.rowMeasurement[r];
    const col = (bus: number): number => {
      if (columnOf[bus] < 0)
        throw new GridError(`measurement ${i + 1} refers to bus ${net.busIds[bus]} outside the model`);
      return columnOf[bus];
    };
    if (this.set.kind[i] === MeasurementKind.VOLTAGE) {
      this.col1[r] = col(this.set.bus[i]);
      this.h1Re[r] = 1;
      return;
    }
    const k = this.set.branch[i];
    if (net.branchInService[k] === 0)
      throw new GridError(`measurement ${i + 1} is on out-of-service branch row ${k + 1}`);
    const [a, b] = this.set.end[i] === BranchEnd.FROM ? [net.yff, net.yft] : [net.ytf, net.ytt];
    this.col1[r] = col(net.branchFrom[k]);
    this.h1Re[r] = a.re[k];
    this.h1Im[r] = a.im[k];
    this.col2[r] = col(net.branchTo[k]);
    this.h2Re[r] = b.re[k];
    this.h2Im[r] = b.im[k];
    if (this.col1[r] === this.col2[r]) {
      // A branch from a bus to itself: both coefficients act on one column.
      this.h1Re[r] += b.re[k];
      this.h1Im[r] += b.im[k];
      this.col2[r] = -1;
    }
  }
}
