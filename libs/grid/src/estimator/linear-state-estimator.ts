import { GridConfigError } from '../errors/config-error';
import { SingularSystemError } from '../errors/singular-system-error';
import { chiSquareQuantile } from '../stats/chi-square';
import { suspectGroup } from './suspect-groups';
import { analyzeCriticality, NO_CRITICALITY, type MeasurementCriticality } from './criticality';
import type { EstimateReport, ObservabilityReport } from './estimate-report';
import { identifyJointly } from './hypothesis-testing';
import { huberOutliers } from './robust-screen';
import {
  DEFAULT_ESTIMATOR_OPTIONS,
  validateEstimatorOptions,
  type EstimatorOptions,
} from './estimator-options';
import { GainFactor } from './gain-factor';
import { GainStructure } from './gain-structure';
import type { MeasurementModel } from './measurement-model';

/**
 * Linear (PMU-only) weighted-least-squares state estimator. The gain matrix
 * is factored once per set of present measurements and the factors are kept
 * in a bounded LRU cache keyed by the missing rows, so the common "one PMU
 * missing" frames are factored once and then cost the same as full frames:
 * H^H W z plus two triangular solves, with no allocation (solveFrame).
 * A topology change means a new model and a new estimator.
 */
export class LinearStateEstimator {
  readonly structure: GainStructure;
  readonly options: EstimatorOptions;
  /** Estimate of the last solveFrame, by model column. */
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** Permuted right-hand side / solution, interleaved re/im. */
  private readonly b: Float64Array;
  /** Refinement workspace: residual per model row, previous estimate per column. */
  private readonly rRe: Float64Array;
  private readonly rIm: Float64Array;
  private readonly xRe: Float64Array;
  private readonly xIm: Float64Array;
  /**
   * Multiplier estimate of each zero-injection constraint, interleaved
   * re/im: refinement steps update it (method of multipliers), so the
   * penalty's bias shrinks by about the weight ratio with every step.
   */
  private readonly multiplier: Float64Array;
  private readonly cache = new Map<string, GainFactor>();
  /** Criticality of each cached factor's measurement set, computed on first use. */
  private readonly criticality = new WeakMap<GainFactor, MeasurementCriticality>();

  constructor(
    readonly model: MeasurementModel,
    options: EstimatorOptions = DEFAULT_ESTIMATOR_OPTIONS,
  ) {
    this.options = validateEstimatorOptions(options);
    this.structure = new GainStructure(model);
    const n = model.columnCount;
    this.vRe = new Float64Array(n);
    this.vIm = new Float64Array(n);
    this.b = new Float64Array(2 * n);
    this.rRe = new Float64Array(model.rowCount);
    this.rIm = new Float64Array(model.rowCount);
    this.xRe = new Float64Array(n);
    this.xIm = new Float64Array(n);
    this.multiplier = new Float64Array(2 * model.zeroInjection.count);
  }

  /** The factorization for the given missing model rows (ascending, distinct). */
  factorFor(missingRows: readonly number[] = []): GainFactor {
    const key = missingRows.join(',');
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const factor = new GainFactor(this.structure, this.presentRows(missingRows), this.options);
    if (this.cache.size >= this.options.maxCachedFactors) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, factor);
    return factor;
  }

  /**
   * What the measurements present without `missingRows` can see: the
   * observable columns, and the critical measurements and critical pairs,
   * where an error is not detected or cannot be identified.
   */
  observabilityReport(missingRows: readonly number[] = []): ObservabilityReport {
    const missing = [...new Set(missingRows)].sort((a, b) => a - b);
    const factor = this.factorFor(missing);
    const critical = this.criticalityOf(factor, missing);
    return { observable: factor.observable, unobservableCount: factor.unobservableCount, ...critical };
  }

  /**
   * The analysis factors the same matrix in another order; should that
   * order meet a pivot below tolerance where the estimate's did not, the
   * frame keeps its estimate and reports no critical rows rather than fail.
   */
  private criticalityOf(factor: GainFactor, missing: readonly number[]): MeasurementCriticality {
    let hit = this.criticality.get(factor);
    if (hit === undefined) {
      try {
        hit = analyzeCriticality(this.model, this.presentRows(missing), this.options);
      } catch (error) {
        if (!(error instanceof SingularSystemError)) throw error;
        hit = NO_CRITICALITY;
      }
      this.criticality.set(factor, hit);
    }
    return hit;
  }

  /** 1 per model row except the missing ones, which must be ascending distinct row indices. */
  private presentRows(missingRows: readonly number[]): Uint8Array {
    const present = new Uint8Array(this.model.rowCount).fill(1);
    missingRows.forEach((r, i) => {
      // The cache key is only canonical for ascending distinct rows.
      if (!(
        Number.isInteger(r) &&
        r >= 0 &&
        r < this.model.rowCount &&
        (i === 0 || r > missingRows[i - 1])
      )) {
        throw new RangeError(
          `missing rows must be ascending distinct integers in [0, ${this.model.rowCount}), got ${missingRows.join(',')}`,
        );
      }
      present[r] = 0;
    });
    return present;
  }

  /**
   * Factors ahead of time for expected sets of missing rows (typically each
   * PMU's rows, for the "one PMU missing" frames), so such a frame never
   * waits for a factorization. Bounded by maxCachedFactors.
   */
  prefactor(missingSets: readonly (readonly number[])[]): void {
    if (missingSets.length > this.options.maxCachedFactors) {
      throw new GridConfigError(
        `prefactor got ${missingSets.length} sets but maxCachedFactors is ${this.options.maxCachedFactors}; raise maxCachedFactors`,
      );
    }
    for (const set of missingSets) this.factorFor([...new Set(set)].sort((a, b) => a - b));
  }

  get cachedFactors(): number {
    return this.cache.size;
  }

  /**
   * Per-frame hot path: x = G^-1 H^H W z into vRe/vIm. Allocation-free.
   * Values at rows the factor does not use (missing measurements) are ignored.
   * Zero-injection constraints add nothing here: their right-hand side is zero.
   */
  solveFrame(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void {
    this.gather(factor, zRe, zIm);
    this.solveGathered(factor);
    this.multiplier.fill(0);
  }

  /** b = H^H W z in permuted, interleaved coordinates. */
  private gather(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void {
    const m = this.model.rowCount;
    const b = this.b;
    if (zRe.length < m || zIm.length < m)
      throw new RangeError(`solveFrame needs ${m} measurement values, got ${zRe.length}/${zIm.length}`);
    const targets = this.structure.targets;
    const coef = factor.coef;
    b.fill(0);
    for (let r = 0; r < m; r++) {
      const zr = zRe[r];
      const zi = zIm[r];
      let at = targets[2 * r];
      let cr = coef[4 * r];
      let ci = coef[4 * r + 1];
      b[at] += cr * zr - ci * zi;
      b[at + 1] += cr * zi + ci * zr;
      at = targets[2 * r + 1];
      if (at < 0) continue;
      cr = coef[4 * r + 2];
      ci = coef[4 * r + 3];
      b[at] += cr * zr - ci * zi;
      b[at + 1] += cr * zi + ci * zr;
    }
  }

  /** x = G^-1 b, scattered back to model column order. */
  private solveGathered(factor: GainFactor): void {
    const b = this.b;
    factor.ldl.solveInPlace(b);
    const perm = this.structure.perm;
    const vRe = this.vRe;
    const vIm = this.vIm;
    for (let k = 0; k < perm.length; k++) {
      const col = perm[k];
      vRe[col] = b[2 * k];
      vIm[col] = b[2 * k + 1];
    }
  }

  /**
   * One step of iterative refinement on the last estimate, which also
   * updates the constraints' multipliers mu += w C x (augmented Lagrangian):
   * x += G^-1 (H^H W (z - H x) - w C^H C x - C^H mu). The penalty solution
   * from solveFrame is the start (mu = 0); each step takes it toward the
   * exactly constrained estimate and recovers digits an ill-conditioned G
   * loses. Allocation-free; doubles the frame cost.
   */
  refineFrame(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): void {
    const m = this.model;
    const { vRe, vIm, rRe, rIm, xRe, xIm } = this;
    for (let r = 0; r < m.rowCount; r++) {
      const a = m.col1[r];
      let hr = m.h1Re[r] * vRe[a] - m.h1Im[r] * vIm[a];
      let hi = m.h1Re[r] * vIm[a] + m.h1Im[r] * vRe[a];
      const b = m.col2[r];
      if (b >= 0) {
        hr += m.h2Re[r] * vRe[b] - m.h2Im[r] * vIm[b];
        hi += m.h2Re[r] * vIm[b] + m.h2Im[r] * vRe[b];
      }
      rRe[r] = zRe[r] - hr;
      rIm[r] = zIm[r] - hi;
    }
    xRe.set(vRe);
    xIm.set(vIm);
    this.gather(factor, rRe, rIm);
    this.gatherConstraintResiduals(factor);
    this.solveGathered(factor);
    for (let c = 0; c < vRe.length; c++) {
      vRe[c] += xRe[c];
      vIm[c] += xIm[c];
    }
  }

  /** mu += w c x, then b -= conj(c)^T (w c x + mu) for each used constraint, at the estimate in xRe/xIm. */
  private gatherConstraintResiduals(factor: GainFactor): void {
    const zi = this.model.zeroInjection;
    const { b, xRe, xIm, multiplier: mu } = this;
    const pinv = this.structure.pinv;
    for (let k = 0; k < zi.count; k++) {
      const w = factor.constraintWeight[k];
      if (w === 0) continue;
      let sr = 0;
      let si = 0;
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
        const c = zi.col[p];
        sr += zi.re[p] * xRe[c] - zi.im[p] * xIm[c];
        si += zi.re[p] * xIm[c] + zi.im[p] * xRe[c];
      }
      mu[2 * k] += w * sr;
      mu[2 * k + 1] += w * si;
      sr = w * sr + mu[2 * k];
      si = w * si + mu[2 * k + 1];
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
        const at = 2 * pinv[zi.col[p]];
        // conj(c_p) * s
        b[at] -= zi.re[p] * sr + zi.im[p] * si;
        b[at + 1] -= zi.re[p] * si - zi.im[p] * sr;
      }
    }
  }

  /** J(x) = sum w |z - H x|^2 over the rows the factor uses, at the last solveFrame estimate. */
  cost(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): number {
    let j = 0;
    for (let r = 0; r < this.model.rowCount; r++) {
      const w = factor.weight[r];
      if (w === 0) continue;
      const [rr, ri] = this.residual(r, zRe, zIm);
      j += w * (rr * rr + ri * ri);
    }
    return j;
  }

  /** Residual z_r - h_r x at the last estimate. */
  residual(r: number, zRe: Float64Array, zIm: Float64Array): [number, number] {
    const m = this.model;
    const a = m.col1[r];
    let hr = m.h1Re[r] * this.vRe[a] - m.h1Im[r] * this.vIm[a];
    let hi = m.h1Re[r] * this.vIm[a] + m.h1Im[r] * this.vRe[a];
    const b = m.col2[r];
    if (b >= 0) {
      hr += m.h2Re[r] * this.vRe[b] - m.h2Im[r] * this.vIm[b];
      hi += m.h2Re[r] * this.vIm[b] + m.h2Im[r] * this.vRe[b];
    }
    return [zRe[r] - hr, zIm[r] - hi];
  }

  /**
   * Estimates one frame. With badData: optionally a Huber screen first
   * (robustEstimator), then, while the chi-square test fails (or, with
   * normalizedResidualDetection, while the largest normalized residual
   * clears its family-wise bound), removes the measurement with the largest
   * normalized residual and re-estimates, so each test uses the residual
   * sensitivities of the measurements still in. Then each removal is
   * questioned (interacting errors can make a good measurement look worst):
   * the row is put back and kept in, the loop explains the frame without it,
   * and that explanation replaces the first when it is better (see
   * betterExplanation). At most maxBadDataRemovals removals per explanation.
   */
  estimate(
    zRe: Float64Array,
    zIm: Float64Array,
    missingRows: readonly number[] = [],
    badData = false,
  ): EstimateReport {
    const absent = [...new Set(missingRows)].sort((a, b) => a - b);
    if (!badData) return this.report(this.estimateWith(absent, zRe, zIm), absent, []);
    const screened: Removal[] = [];
    if (this.options.robustEstimator === 'huber')
      screened.push(...huberOutliers(this, this.presentRows(absent), zRe, zIm));
    if (this.options.badDataIdentification === 'joint') {
      const ambiguous = new Map<number, readonly number[]>();
      let removed = this.removeJointly(zRe, zIm, absent, screened, ambiguous);
      if (this.options.questionJointRemovals)
        removed = [
          ...this.questionAll(zRe, zIm, absent, this.explanationOf(zRe, zIm, absent, removed)).removed,
        ];
      const without = withRows(absent, removed);
      return this.report(this.estimateWith(without, zRe, zIm), without, removed, ambiguous);
    }
    const best = this.questionAll(
      zRe,
      zIm,
      absent,
      this.removeLargest(zRe, zIm, absent, screened, new Set()),
    );
    const missing = withRows(absent, best.removed);
    // Questioning may have left another estimate in vRe/vIm.
    return this.report(this.estimateWith(missing, zRe, zIm), missing, best.removed);
  }

  /** Questions the removals of `first` round after round (questionRemovals) until none gives a better explanation. */
  private questionAll(
    zRe: Float64Array,
    zIm: Float64Array,
    absent: readonly number[],
    first: Explanation,
  ): Explanation {
    let best = first;
    const questioned = new Set<number>();
    for (let round = 0; round < this.options.maxBadDataRemovals; round++) {
      const next = this.questionRemovals(zRe, zIm, absent, best, questioned);
      if (next === undefined) break;
      best = next;
    }
    return best;
  }

  /** The account that `removed` gives of the frame: J beyond its degrees of freedom, and whether the rest passes. */
  private explanationOf(
    zRe: Float64Array,
    zIm: Float64Array,
    absent: readonly number[],
    removed: readonly Removal[],
  ): Explanation {
    const frame = this.estimateWith(withRows(absent, removed), zRe, zIm);
    const tested = frame.suspect || this.options.normalizedResidualDetection;
    const threshold = this.identificationThreshold(frame.suspect, frame.factor.usedRows);
    const explained = !tested || this.largestNormalizedResidual(frame.factor, zRe, zIm).value < threshold;
    return { removed, excess: frame.cost - frame.dof, explained };
  }

  /**
   * Puts back, one at a time, each removed row not questioned yet, keeps it
   * in, and lets the loop explain the frame without it: the first such
   * explanation that is better than `best`, else undefined.
   */
  private questionRemovals(
    zRe: Float64Array,
    zIm: Float64Array,
    absent: readonly number[],
    best: Explanation,
    questioned: Set<number>,
  ): Explanation | undefined {
    for (const { row } of best.removed) {
      if (questioned.has(row)) continue;
      questioned.add(row);
      const others = best.removed.filter((r) => r.row !== row);
      const other = this.removeLargest(zRe, zIm, absent, others, new Set([row]));
      if (betterExplanation(other, best, this.options.normalizedResidualThreshold)) return other;
    }
    return undefined;
  }

  /**
   * The largest-normalized-residual loop from `removed` on: removes the
   * worst row (never one of `keep`) while it clears the identification
   * threshold, re-estimating after each removal.
   */
  private removeLargest(
    zRe: Float64Array,
    zIm: Float64Array,
    absent: readonly number[],
    removed: readonly Removal[],
    keep: ReadonlySet<number>,
  ): Explanation {
    const out = [...removed];
    for (;;) {
      const frame = this.estimateWith(withRows(absent, out), zRe, zIm);
      const done = (explained: boolean): Explanation => ({
        removed: out,
        excess: frame.cost - frame.dof,
        explained,
      });
      if (!(frame.suspect || this.options.normalizedResidualDetection)) return done(true);
      const threshold = this.identificationThreshold(frame.suspect, frame.factor.usedRows);
      // A kept row still beyond the threshold leaves the frame unexplained, whatever else goes.
      let worst = this.largestNormalizedResidual(frame.factor, zRe, zIm);
      if (worst.row < 0 || worst.value < threshold) return done(true);
      if (keep.has(worst.row)) worst = this.largestNormalizedResidual(frame.factor, zRe, zIm, keep);
      if (worst.row < 0 || worst.value < threshold || out.length >= this.options.maxBadDataRemovals)
        return done(false);
      out.push({ row: worst.row, normalizedResidual: worst.value });
    }
  }

  /**
   * Joint identification from `removed` on (identifyJointly): while the
   * frame fails its test, the rows of the best hypothesis go together; with
   * removeAmbiguousGroups, rows the data cannot tell from one of them go too
   * when the rest still sees every bus it saw (the bad one is among them).
   * Stops at maxBadDataRemovals.
   */
  private removeJointly(
    zRe: Float64Array,
    zIm: Float64Array,
    absent: readonly number[],
    removed: readonly Removal[],
    ambiguous: Map<number, readonly number[]>,
  ): Removal[] {
    const out = [...removed];
    for (;;) {
      const frame = this.estimateWith(withRows(absent, out), zRe, zIm);
      if (!(frame.suspect || this.options.normalizedResidualDetection)) return out;
      const worst = this.largestNormalizedResidual(frame.factor, zRe, zIm);
      const threshold = this.identificationThreshold(frame.suspect, frame.factor.usedRows);
      if (worst.row < 0 || worst.value < threshold) return out;
      const found = identifyJointly(this, withRows(absent, out), zRe, zIm);
      // Nothing significant jointly: the largest normalized residual cleared the bound on its own.
      if (found.length === 0)
        found.push({ row: worst.row, statistic: worst.value, ambiguousWith: [worst.row] });
      for (const f of found) {
        const group =
          this.options.removeAmbiguousGroups && this.seesAsMuch(withRows(absent, out), f.ambiguousWith);
        const rows = group ? f.ambiguousWith : [f.row];
        for (const row of f.ambiguousWith) ambiguous.set(row, f.ambiguousWith);
        for (const row of rows) {
          if (out.length >= this.options.maxBadDataRemovals) return out;
          if (!out.some((o) => o.row === row)) out.push({ row, normalizedResidual: f.statistic });
        }
      }
    }
  }

  /** Whether removing `rows` too leaves every column observable that is observable without `missing`. */
  private seesAsMuch(missing: readonly number[], rows: readonly number[]): boolean {
    if (rows.length < 2) return true;
    const before = this.factorFor(missing).unobservableCount;
    const after = [...new Set([...missing, ...rows])].sort((a, b) => a - b);
    return this.factorFor(after).unobservableCount === before;
  }

  /** Solves and tests one frame with the given rows missing. */
  private estimateWith(missing: readonly number[], zRe: Float64Array, zIm: Float64Array): FrameTest {
    const factor = this.factorFor(missing);
    this.solveFrame(factor, zRe, zIm);
    for (let step = 0; step < this.options.refinementSteps; step++) this.refineFrame(factor, zRe, zIm);
    const cost = this.cost(factor, zRe, zIm);
    const dof =
      2 * (factor.usedRows + factor.usedConstraints) -
      2 * (this.model.columnCount - factor.unobservableCount);
    const threshold = dof > 0 ? chiSquareQuantile(dof, this.options.chiSquareConfidence) : NaN;
    return { factor, cost, dof, threshold, suspect: dof > 0 && cost > threshold };
  }

  private report(
    frame: FrameTest,
    missing: readonly number[],
    removed: readonly { row: number; normalizedResidual: number }[],
    ambiguous: ReadonlyMap<number, readonly number[]> = new Map(),
  ): EstimateReport {
    const critical = this.options.criticalityAnalysis
      ? this.criticalityOf(frame.factor, missing)
      : NO_CRITICALITY;
    return {
      vRe: this.vRe.slice(),
      vIm: this.vIm.slice(),
      observable: frame.factor.observable,
      cost: frame.cost,
      degreesOfFreedom: frame.dof,
      threshold: frame.threshold,
      removed: [...removed],
      badDataRemains: frame.suspect,
      criticalRows: critical.criticalRows,
      criticalPairs: critical.criticalPairs,
      // A row removed with its near-twins would find none of them among the rows left: name them.
      suspectGroups: removed.map((r) =>
        withGroup(
          suspectGroup(this, missing, r.row, this.options.suspectGroupCoherence),
          ambiguous.get(r.row),
        ),
      ),
    };
  }

  /**
   * After a failed chi-square test the largest normalized residual is bad if
   * above normalizedResidualThreshold. Used as a test of its own, it must
   * also clear the maximum of m clean ones: each |r_i| / sqrt(Omega_ii) is
   * chi-distributed with 2 degrees of freedom, P(> t) = exp(-t^2 / 2), so
   * the family-wise bound at the configured confidence is
   * sqrt(2 ln(m / (1 - confidence))).
   */
  identificationThreshold(chiSquareFailed: boolean, rows: number): number {
    const base = this.options.normalizedResidualThreshold;
    if (chiSquareFailed) return base;
    return Math.max(base, Math.sqrt(2 * Math.log(rows / (1 - this.options.chiSquareConfidence))));
  }

  /**
   * Largest |r_i| / sqrt(Omega_ii), Omega = R - H G^-1 H^H: each rectangular
   * component of r_i has variance Omega_ii. The entries of G^-1 a row needs
   * lie on the factor's pattern, so they come from one sparse-inverse pass;
   * rows with Omega_ii ~ 0 are critical (their error cannot be seen) and skipped.
   */
  largestNormalizedResidual(
    factor: GainFactor,
    zRe: Float64Array,
    zIm: Float64Array,
    keep: ReadonlySet<number> = NONE_KEPT,
  ): { row: number; value: number } {
    const m = this.model;
    const inverse = factor.inverseOnPattern();
    let best = { row: -1, value: 0 };
    for (let r = 0; r < m.rowCount; r++) {
      if (factor.weight[r] === 0 || keep.has(r)) continue;
      const value = this.normalizedResidual(factor, inverse, r, zRe, zIm);
      if (value > best.value) best = { row: r, value };
    }
    return best;
  }

  /** |r_i| / sqrt(Omega_ii) of every row the factor uses, 0 at the others and at critical rows. */
  normalizedResiduals(factor: GainFactor, zRe: Float64Array, zIm: Float64Array): Float64Array {
    const inverse = factor.inverseOnPattern();
    const out = new Float64Array(this.model.rowCount);
    for (let r = 0; r < out.length; r++)
      if (factor.weight[r] !== 0) out[r] = this.normalizedResidual(factor, inverse, r, zRe, zIm);
    return out;
  }

  private normalizedResidual(
    factor: GainFactor,
    inverse: { lower: Float64Array; diag: Float64Array },
    r: number,
    zRe: Float64Array,
    zIm: Float64Array,
  ): number {
    const sigma = this.model.sigma[r];
    const variance = sigma * sigma - this.gainQuadratic(factor, inverse, r);
    if (!(variance > 1e-9 * sigma * sigma)) return 0;
    const [rr, ri] = this.residual(r, zRe, zIm);
    return Math.hypot(rr, ri) / Math.sqrt(variance);
  }

  /**
   * Omega_rr = sigma_r^2 - h_r G^-1 h_r^H, the variance of row r's residual
   * with the factor's measurements: an error e on the row shows as a
   * normalized residual of about |e| sqrt(Omega_rr) / sigma_r^2, so a row
   * with Omega_rr / sigma_r^2 = 1e-3 hides errors up to ~120 sigma from a
   * threshold of 4. 0 for a critical row.
   */
  residualVariance(factor: GainFactor, r: number): number {
    return this.model.sigma[r] ** 2 - this.gainQuadratic(factor, factor.inverseOnPattern(), r);
  }

  /** h_r G^-1 h_r^H from the factor's sparse inverse (both columns of a row are adjacent in G). */
  private gainQuadratic(
    factor: GainFactor,
    inverse: { lower: Float64Array; diag: Float64Array },
    r: number,
  ): number {
    const m = this.model;
    const s = this.structure;
    const a = s.pinv[m.col1[r]];
    let hgh = (m.h1Re[r] ** 2 + m.h1Im[r] ** 2) * inverse.diag[a];
    if (m.col2[r] < 0) return hgh;
    const b = s.pinv[m.col2[r]];
    const [zr, zi] = factor.ldl.inverseEntry(inverse, a, b);
    hgh += (m.h2Re[r] ** 2 + m.h2Im[r] ** 2) * inverse.diag[b];
    // 2 Re(h1 Z_ab conj(h2))
    const tr = m.h1Re[r] * zr - m.h1Im[r] * zi;
    const ti = m.h1Re[r] * zi + m.h1Im[r] * zr;
    return hgh + 2 * (tr * m.h2Re[r] + ti * m.h2Im[r]);
  }
}

/** One solved frame and its chi-square test. */
interface FrameTest {
  readonly factor: GainFactor;
  readonly cost: number;
  readonly dof: number;
  readonly threshold: number;
  readonly suspect: boolean;
}

/** A measurement removed as bad data and the normalized residual it was removed with. */
interface Removal {
  readonly row: number;
  readonly normalizedResidual: number;
}

/** One account of a frame's bad data: the rows removed, the objective left, and whether the rest passes. */
interface Explanation {
  readonly removed: readonly Removal[];
  /** J minus its degrees of freedom (its expectation without bad data): fair between sets that see different buses. */
  readonly excess: number;
  /** False when the loop stopped at maxBadDataRemovals with a row still beyond the threshold. */
  readonly explained: boolean;
}

const NONE_KEPT: ReadonlySet<number> = new Set();

/**
 * Whether `a` accounts for the frame better than `b`: it leaves no row beyond
 * the threshold where b does, or it needs fewer removals, or as many with an
 * objective J (beyond its degrees of freedom) lower by more than `marginJ`
 * (normalizedResidualThreshold).
 * Each removal lowers J by what its error explained, so J compares the two
 * sets as the bad ones over the whole frame. The margin (one threshold-sized
 * normalized residual, squared) keeps the first choice where the two differ
 * by noise only: two measurements whose residuals move together (a near
 * pair) give the same J whichever goes, and the data cannot tell them apart.
 */
function betterExplanation(a: Explanation, b: Explanation, marginJ: number): boolean {
  if (a.explained !== b.explained) return a.explained;
  if (a.removed.length !== b.removed.length) return a.removed.length < b.removed.length;
  return a.excess < b.excess - marginJ;
}

/** `group` with the rows of `more` added, ascending. */
function withGroup(group: Int32Array, more: readonly number[] | undefined): Int32Array {
  if (more === undefined) return group;
  return Int32Array.from(new Set([...group, ...more])).sort();
}

/** `absent` with the removed rows added, ascending (the factor cache's key). */
function withRows(absent: readonly number[], removed: readonly Removal[]): number[] {
  return [...absent, ...removed.map((r) => r.row)].sort((a, b) => a - b);
}
