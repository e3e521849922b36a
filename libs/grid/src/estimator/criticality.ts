import type { EstimatorOptions } from './estimator-options';
import { GainFactor } from './gain-factor';
import { GainStructure } from './gain-structure';
import type { MeasurementModel } from './measurement-model';

/**
 * Where bad data cannot be seen. A critical measurement has a residual that
 * is identically zero (removing it loses observability): an error in it is
 * neither detected nor identified. A critical pair are two measurements
 * whose residuals are perfectly correlated (removing both loses
 * observability): an error in either is detected but the two cannot be told
 * apart, so bad-data identification must not pick one of them.
 */
export interface MeasurementCriticality {
  /** Model rows, ascending. */
  readonly criticalRows: Int32Array;
  /** Pairs of model rows [i, j], i < j, ordered by i then j. */
  readonly criticalPairs: readonly (readonly [number, number])[];
}

export const NO_CRITICALITY: MeasurementCriticality = { criticalRows: new Int32Array(0), criticalPairs: [] };

/** Residual variance below this fraction of sigma^2 means the residual is identically zero. */
const CRITICAL_VARIANCE_FRACTION = 1e-7;
/** Squared residual correlation above 1 minus this means two residuals are one. */
const PAIR_CORRELATION_GAP = 1e-7;

type Inverse = { lower: Float64Array; diag: Float64Array };

/**
 * Critical measurements and critical pairs of the rows present in `present`,
 * from the residual covariance Omega = R - H G^-1 H^H. The entries of G^-1 it
 * needs come from one sparse-inverse pass on a factor whose pattern also
 * couples the columns that rows sharing a column reach, so Omega_ij is exact
 * for every two rows sharing a bus, where the critical pairs of a PMU set lie
 * (two currents into one unmeasured bus, a voltage and the one current that
 * also fixes its bus), and pairs follow by transitivity from those; rows
 * linked by no chain of shared buses are not searched.
 * Costs one more symbolic analysis and factorization per measurement set.
 */
export function analyzeCriticality(
  model: MeasurementModel,
  present: Uint8Array,
  options: Pick<EstimatorOptions, 'relativePivotTolerance' | 'zeroInjectionWeightRatio'>,
): MeasurementCriticality {
  const factor = new GainFactor(new GainStructure(model, true), present, options);
  const inverse = factor.inverseOnPattern();
  const variance = new Float64Array(model.rowCount);
  const critical: number[] = [];
  for (let r = 0; r < model.rowCount; r++) {
    if (factor.weight[r] === 0) continue;
    variance[r] = model.sigma[r] ** 2 - hZh(factor, inverse, r, r)[0];
    if (variance[r] < CRITICAL_VARIANCE_FRACTION * model.sigma[r] ** 2) critical.push(r);
  }
  const isCritical = new Uint8Array(model.rowCount);
  for (const r of critical) isCritical[r] = 1;
  const candidate = (r: number): boolean => factor.weight[r] !== 0 && isCritical[r] === 0;
  return {
    criticalRows: Int32Array.from(critical),
    criticalPairs: correlatedPairs(factor, inverse, variance, candidate),
  };
}

/** Pairs of candidate rows sharing a column whose residuals are perfectly correlated. */
function correlatedPairs(
  factor: GainFactor,
  inverse: Inverse,
  variance: Float64Array,
  candidate: (r: number) => boolean,
): [number, number][] {
  const model = factor.structure.model;
  const rowsAt: number[][] = Array.from({ length: model.columnCount }, () => []);
  for (let r = 0; r < model.rowCount; r++) {
    if (!candidate(r)) continue;
    rowsAt[model.col1[r]].push(r);
    if (model.col2[r] >= 0) rowsAt[model.col2[r]].push(r);
  }
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  for (const rows of rowsAt) {
    for (let x = 0; x < rows.length; x++) {
      for (let y = x + 1; y < rows.length; y++) {
        const [i, j] = rows[x] < rows[y] ? [rows[x], rows[y]] : [rows[y], rows[x]];
        const key = i * model.rowCount + j;
        if (seen.has(key)) continue;
        seen.add(key);
        // Omega_ij = -h_i G^-1 h_j^H off the diagonal, R being diagonal.
        const [cr, ci] = hZh(factor, inverse, i, j);
        if ((cr * cr + ci * ci) / (variance[i] * variance[j]) > 1 - PAIR_CORRELATION_GAP) pairs.push([i, j]);
      }
    }
  }
  return closeTransitively(pairs);
}

/**
 * Perfect correlation is transitive (r_i = a r_j and r_j = b r_k give
 * r_i = ab r_k), so rows linked through a chain of shared-bus pairs are
 * pairs too even when they share no bus: a voltage, the current that also
 * fixes its bus and a current from elsewhere into the bus behind it.
 */
function closeTransitively(pairs: [number, number][]): [number, number][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const [i, j] of pairs) {
    const [a, b] = [find(i), find(j)];
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const root = find(x);
    const list = groups.get(root);
    if (list === undefined) groups.set(root, [x]);
    else list.push(x);
  }
  const out: [number, number][] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a - b);
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) out.push([list[x], list[y]]);
  }
  return out.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** h_i G^-1 h_j^H as [re, im]; every entry of G^-1 it reads must be on the factor's pattern. */
function hZh(factor: GainFactor, inverse: Inverse, i: number, j: number): [number, number] {
  const m = factor.structure.model;
  const pinv = factor.structure.pinv;
  const entries = (r: number): [number, number, number][] => {
    const out: [number, number, number][] = [[pinv[m.col1[r]], m.h1Re[r], m.h1Im[r]]];
    if (m.col2[r] >= 0) out.push([pinv[m.col2[r]], m.h2Re[r], m.h2Im[r]]);
    return out;
  };
  let sr = 0;
  let si = 0;
  for (const [a, ar, ai] of entries(i)) {
    for (const [b, br, bi] of entries(j)) {
      const [zr, zi] = factor.ldl.inverseEntry(inverse, a, b);
      // h_i[a] Z_ab conj(h_j[b])
      const tr = ar * zr - ai * zi;
      const ti = ar * zi + ai * zr;
      sr += tr * br + ti * bi;
      si += ti * br - tr * bi;
    }
  }
  return [sr, si];
}
