import {
  residualCovarianceColumn,
  type LinearStateEstimator,
  type MeasurementModel,
  type Network,
  type SeededRandom,
} from '@gridcloud/grid';

/**
 * Where a trial's errors go. 'independent': anywhere on the grid, so they rarely meet. 'interacting': the first
 * anywhere, the others on measurements within one branch of its buses, where their residuals move together and
 * each error can make a good neighbour look worst. 'conforming' (conformingRows): on rows whose residuals are
 * strongly correlated, with directions chosen so that they reinforce on a good row or mask each other (the
 * textbook failure of the largest-normalized-residual loop), the trial's other errors anywhere.
 */
export type ErrorPattern = 'independent' | 'interacting' | 'conforming';

/** A trial's planted rows, ascending, and the direction of each error in radians (undefined: random). */
export interface PlantedRows {
  readonly rows: number[];
  readonly angles?: number[];
}

/** Distinct rows from `eligible`, `count` of them, ascending. */
export function plantRows(
  pattern: ErrorPattern,
  random: SeededRandom,
  eligible: readonly number[],
  count: number,
  model: MeasurementModel,
  net: Network,
  conforming: ConformingPivot[],
): PlantedRows {
  const pick = (from: readonly number[]): number => from[Math.floor(random.next() * from.length)];
  if (pattern === 'conforming') {
    // Beyond a pair, rows this strongly correlated are mostly a critical set (a bus seen by them alone).
    const pair = conformingRows(random, conforming);
    const rows = new Set(pair.rows);
    while (rows.size < count) rows.add(pick(eligible));
    const angleOf = new Map(pair.rows.map((r, k) => [r, pair.angles![k]]));
    const sorted = [...rows].sort((a, b) => a - b);
    return { rows: sorted, angles: sorted.map((r) => angleOf.get(r) ?? 2 * Math.PI * random.next()) };
  }
  for (;;) {
    const rows = new Set<number>([pick(eligible)]);
    const near = pattern === 'independent' ? eligible : neighbours(model, net, [...rows][0], eligible);
    if (near.length < count) continue;
    while (rows.size < count) rows.add(pick(near));
    return { rows: [...rows].sort((a, b) => a - b) };
  }
}

/**
 * Residual correlation |rho_jg| = |Omega_jg| / sqrt(Omega_jj Omega_gg) a conforming error's row has with the
 * trial's pivot row: from 0.7 (strongly interacting) to below 0.99 (beyond it a near-critical pair, which no
 * test splits and the identifiability classes count apart anyway).
 */
export const MIN_CONFORMING_CORRELATION = 0.7;
export const MAX_CONFORMING_CORRELATION = 0.99;
/** Conforming errors per trial; a trial's other errors go anywhere, with random directions. */
export const CONFORMING_ERRORS = 2;

/** A row and the eligible rows strongly correlated with it, each with arg(Omega_jg). */
export interface ConformingPivot {
  readonly row: number;
  readonly partners: readonly { readonly row: number; readonly phase: number }[];
}

/**
 * Every eligible row g (one solve each) with its partners: eligible rows whose residual correlation with g is in
 * [MIN, MAX) and whose pair a test can still split, the smallest error (`minSizeSigmas`) on either row with the
 * other out clearing `threshold`: minSize sqrt(min(Omega_gg / sigma_g^2, Omega_jj / sigma_j^2) (1 - rho^2)).
 * Rows without partners are left out. Computed once per setup, so a trial draws from it for free.
 */
export function conformingPivots(
  est: LinearStateEstimator,
  eligible: readonly number[],
  threshold: number,
  minSizeSigmas: number,
): ConformingPivot[] {
  const factor = est.factorFor([]);
  const sigma = est.model.sigma;
  const scaled = new Float64Array(est.model.rowCount);
  for (const j of eligible) scaled[j] = est.residualVariance(factor, j) / sigma[j] ** 2;
  const pivots: ConformingPivot[] = [];
  for (const g of eligible) {
    if (!(scaled[g] > 0)) continue;
    const column = residualCovarianceColumn(est, factor, g);
    const partners: { row: number; phase: number }[] = [];
    for (const j of eligible) {
      if (j === g || !(scaled[j] > 0)) continue;
      const cross = column.re[j] ** 2 + column.im[j] ** 2;
      const rho2 = cross / (scaled[g] * sigma[g] ** 2 * scaled[j] * sigma[j] ** 2);
      if (!(rho2 >= MIN_CONFORMING_CORRELATION ** 2 && rho2 < MAX_CONFORMING_CORRELATION ** 2)) continue;
      const alone = Math.min(scaled[g], scaled[j]) * (1 - rho2);
      if (minSizeSigmas * Math.sqrt(alone) >= threshold)
        partners.push({ row: j, phase: Math.atan2(column.im[j], column.re[j]) });
    }
    if (partners.length > 0) pivots.push({ row: g, partners });
  }
  return pivots;
}

/**
 * Strongly interacting, conforming errors on CONFORMING_ERRORS rows. A pivot g is drawn from `pivots`. Half the
 * trials 'reinforce' (where g has two partners): two partners are bad, g is good, and each error is turned so
 * that its pull on g's residual, Omega_gj e_j / sigma_j^2, has one common direction: g's normalized residual can
 * then exceed both bad rows'. The other half 'mask': g and one partner are bad, the partner's error turned
 * against g's, so each pulls the other's residual toward zero.
 */
function conformingRows(random: SeededRandom, pivots: readonly ConformingPivot[]): PlantedRows {
  if (pivots.length === 0)
    throw new Error(
      `no eligible row has a partner of residual correlation in [${MIN_CONFORMING_CORRELATION}, ${MAX_CONFORMING_CORRELATION}) that a test can split`,
    );
  const pick = <T>(from: readonly T[]): T => from[Math.floor(random.next() * from.length)];
  const wide = pivots.filter((p) => p.partners.length >= CONFORMING_ERRORS);
  const mask = wide.length === 0 || random.next() < 0.5;
  const pivot = pick(mask ? pivots : wide);
  const chosen = new Set<{ row: number; phase: number }>();
  while (chosen.size < (mask ? CONFORMING_ERRORS - 1 : CONFORMING_ERRORS)) chosen.add(pick(pivot.partners));
  const theta = 2 * Math.PI * random.next();
  // Omega_gj = conj(Omega_jg): an error at angle theta + arg(Omega_jg) pulls g's residual toward theta.
  const angleOf = new Map<number, number>(
    [...chosen].map((p) => [p.row, theta + (mask ? Math.PI : 0) + p.phase]),
  );
  if (mask) angleOf.set(pivot.row, theta);
  const rows = [...angleOf.keys()].sort((a, b) => a - b);
  return { rows, angles: rows.map((r) => angleOf.get(r)!) };
}

/** Eligible rows other than `row` touching a bus of `row` or a bus one branch away from one. */
function neighbours(
  model: MeasurementModel,
  net: Network,
  row: number,
  eligible: readonly number[],
): number[] {
  const busesOf = (r: number): number[] =>
    [model.col1[r], model.col2[r]].filter((c) => c >= 0).map((c) => model.columnBus[c]);
  const near = new Set<number>(busesOf(row));
  for (let k = 0; k < net.branchCount; k++) {
    if (net.branchInService[k] === 0) continue;
    const [f, t] = [net.branchFrom[k], net.branchTo[k]];
    if (busesOf(row).includes(f)) near.add(t);
    if (busesOf(row).includes(t)) near.add(f);
  }
  return eligible.filter((r) => r !== row && busesOf(r).some((b) => near.has(b)));
}
