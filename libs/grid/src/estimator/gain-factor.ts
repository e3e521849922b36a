import { SingularSystemError } from '../errors/singular-system-error';
import { HermitianLdl } from '../sparse/hermitian-ldl';
import type { EstimatorOptions } from './estimator-options';
import type { GainStructure } from './gain-structure';
import { observableColumns } from './observability';

/**
 * The numeric LDL^H of G = H^H W H for one set of present measurements,
 * together with the weighted H^H operator of that set. Columns that the
 * present measurements do not determine are pinned (identity row, zero
 * right-hand side) so the shared symbolic factor still applies, and are
 * reported unobservable; measurements touching them carry no weight, since
 * they would otherwise pull observable columns toward the pinned zero.
 */
export class GainFactor {
  readonly observable: Uint8Array;
  readonly unobservableCount: number;
  /** Weight 1/sigma^2 of each model row, 0 when missing or unusable. */
  readonly weight: Float64Array;
  readonly usedRows: number;
  /**
   * Weight of each zero-injection constraint (0 when it touches a column the
   * measurements leave undetermined, as such a column is pinned to zero).
   */
  readonly constraintWeight: Float64Array;
  readonly usedConstraints: number;
  /**
   * Per model row r, at 4r..4r+3: w conj(h1) and w conj(h2) as re/im pairs
   * (zero when the row is not used); one record per row keeps a frame's
   * H^H W z on as few cache lines as possible.
   */
  readonly coef: Float64Array;
  readonly ldl: HermitianLdl;
  private inverse: { lower: Float64Array; diag: Float64Array } | undefined;

  constructor(
    readonly structure: GainStructure,
    present: Uint8Array,
    options: Pick<EstimatorOptions, 'relativePivotTolerance' | 'zeroInjectionWeightRatio'>,
    /** Per model row, a factor in (0, 1] on its weight (robust reweighting); 1 when omitted. */
    weightScale?: Float64Array,
  ) {
    const model = structure.model;
    this.observable = observableColumns(model, present);
    this.unobservableCount = this.observable.reduce((s, o) => s + (o === 0 ? 1 : 0), 0);
    this.weight = new Float64Array(model.rowCount);
    let used = 0;
    for (let r = 0; r < model.rowCount; r++) {
      const ok =
        present[r] === 1 &&
        this.observable[model.col1[r]] === 1 &&
        (model.col2[r] < 0 || this.observable[model.col2[r]] === 1);
      this.weight[r] = ok ? (weightScale?.[r] ?? 1) / (model.sigma[r] * model.sigma[r]) : 0;
      used += ok ? 1 : 0;
    }
    this.usedRows = used;
    this.constraintWeight = this.constraintWeights(options.zeroInjectionWeightRatio);
    this.usedConstraints = this.constraintWeight.reduce((s, w) => s + (w > 0 ? 1 : 0), 0);
    this.coef = new Float64Array(4 * model.rowCount);
    for (let r = 0; r < model.rowCount; r++) {
      const w = this.weight[r];
      this.coef[4 * r] = w * model.h1Re[r];
      this.coef[4 * r + 1] = -w * model.h1Im[r];
      this.coef[4 * r + 2] = w * model.h2Re[r];
      this.coef[4 * r + 3] = -w * model.h2Im[r];
    }
    this.ldl = new HermitianLdl(structure.symbolic);
    this.factorize(options.relativePivotTolerance);
  }

  /**
   * A constraint weighs zeroInjectionWeightRatio times the heaviest
   * measurement: heavy enough that its violation is far below the noise,
   * light enough that the factorization keeps its digits (see the README).
   */
  private constraintWeights(ratio: number): Float64Array {
    const model = this.structure.model;
    const zi = model.zeroInjection;
    let heaviest = 0;
    for (let r = 0; r < model.rowCount; r++) heaviest = Math.max(heaviest, this.weight[r]);
    const out = new Float64Array(zi.count);
    for (let k = 0; k < zi.count; k++) {
      let ok = true;
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) ok &&= this.observable[zi.col[p]] === 1;
      out[k] = ok ? ratio * heaviest : 0;
    }
    return out;
  }

  /** Entries of G^-1 on the factor's pattern, computed on first use (bad-data identification). */
  inverseOnPattern(): { lower: Float64Array; diag: Float64Array } {
    this.inverse ??= this.ldl.inverseOnPattern();
    return this.inverse;
  }

  /** G += w conj(c)^T c for every used zero-injection constraint c. */
  private addConstraints(re: Float64Array, im: Float64Array): void {
    const s = this.structure;
    const zi = s.model.zeroInjection;
    for (let k = 0; k < zi.count; k++) {
      const w = this.constraintWeight[k];
      if (w === 0) continue;
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
        const a = s.pinv[zi.col[p]];
        re[s.diagSlot[a]] += w * (zi.re[p] * zi.re[p] + zi.im[p] * zi.im[p]);
        for (let q = p + 1; q < zi.ptr[k + 1]; q++) {
          const b = s.pinv[zi.col[q]];
          // G[a][b] += w conj(c_p) c_q; the slot holds G[min][max], so conjugate when a > b.
          const gr = w * (zi.re[p] * zi.re[q] + zi.im[p] * zi.im[q]);
          const gi = w * (zi.re[p] * zi.im[q] - zi.im[p] * zi.re[q]);
          const slot = s.slotOf(a, b);
          re[slot] += gr;
          im[slot] += a < b ? gi : -gi;
        }
      }
    }
  }

  private factorize(tolerance: number): void {
    const s = this.structure;
    const m = s.model;
    const re = new Float64Array(s.rowIdx.length);
    const im = new Float64Array(s.rowIdx.length);
    for (let c = 0; c < s.n; c++) if (this.observable[c] === 0) re[s.diagSlot[s.pinv[c]]] = 1;
    for (let r = 0; r < m.rowCount; r++) {
      const w = this.weight[r];
      if (w === 0) continue;
      re[s.diagSlot[s.pinv[m.col1[r]]]] += w * (m.h1Re[r] * m.h1Re[r] + m.h1Im[r] * m.h1Im[r]);
      if (m.col2[r] < 0) continue;
      re[s.diagSlot[s.pinv[m.col2[r]]]] += w * (m.h2Re[r] * m.h2Re[r] + m.h2Im[r] * m.h2Im[r]);
      // G[col1][col2] += w conj(h1) h2; the conjugate when the slot holds G[col2][col1].
      const gr = w * (m.h1Re[r] * m.h2Re[r] + m.h1Im[r] * m.h2Im[r]);
      const gi = w * (m.h1Re[r] * m.h2Im[r] - m.h1Im[r] * m.h2Re[r]);
      re[s.offSlot[r]] += gr;
      im[s.offSlot[r]] += s.offConj[r] === 1 ? -gi : gi;
    }
    this.addConstraints(re, im);
    const bad = this.ldl.factor(s.colPtr, s.rowIdx, re, im, tolerance);
    if (bad >= 0) {
      const busIndex = m.columnBus[s.perm[bad]];
      throw new SingularSystemError(
        `the measurements do not determine the voltage at bus ${m.network.busIds[busIndex]} (gain matrix pivot ${bad} is not positive); add a PMU at or next to it`,
        busIndex,
      );
    }
  }
}
