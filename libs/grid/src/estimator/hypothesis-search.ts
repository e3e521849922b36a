import { invertHermitian, multiply, principal, type DenseHermitian } from './dense-hermitian';

/** The suspects of one frame: their rows, Omega_SS and residuals, most suspect first. */
export interface SuspectSet {
  readonly rows: readonly number[];
  readonly omega: DenseHermitian;
  readonly rRe: Float64Array;
  readonly rIm: Float64Array;
}

/** One hypothesis "the errors are on these suspects" (indices into the suspect set) and what it explains. */
export interface Hypothesis {
  readonly at: readonly number[];
  /** Each suspect's normalized residual with the other suspects of the hypothesis removed. */
  readonly statistics: readonly number[];
  /** How much J falls when the hypothesis's rows are removed: r_S^H Omega_SS^-1 r_S. */
  readonly reduction: number;
  /** Whether no other suspect is left beyond the threshold, as Omega predicts it. */
  readonly explained: boolean;
}

/** Bounds of the search over the suspects' subsets. */
export interface SearchBounds {
  /** A hypothesis names at most this many rows. */
  readonly maxRows: number;
  /** Subsets examined per search; the search stops short of a size it cannot finish. */
  readonly maxHypotheses: number;
  /** Pivot of Omega_SS below this fraction of a row's variance: the rows are dependent (no test splits them). */
  readonly dependentPivot: number;
}

/**
 * The smallest hypotheses that explain the frame: subsets of the suspects,
 * by increasing size, whose every row is significant with the others removed
 * (statistic >= threshold) and after whose removal no other suspect's
 * normalized residual reaches the threshold, r'_j = r_j - Omega_jS
 * Omega_SS^-1 r_S over Omega'_jj = Omega_jj - Omega_jS Omega_SS^-1 Omega_Sj,
 * all from Omega over the suspects without re-estimating. Of the explaining
 * hypotheses of the smallest size, the best lowers J most; those within
 * `marginJ` of it explain the frame as well (the data cannot choose between
 * them). Undefined when no subset within the bounds explains the frame.
 */
export function searchHypotheses(
  suspects: SuspectSet,
  threshold: number,
  marginJ: number,
  bounds: SearchBounds,
  confirm: (at: readonly number[]) => boolean = () => false,
): { best: Hypothesis; rivals: Hypothesis[] } | undefined {
  const s = suspects.rows.length;
  let examined = 0;
  for (let size = 1; size <= Math.min(bounds.maxRows, s); size++) {
    if (examined + binomial(s, size) > bounds.maxHypotheses) return undefined;
    const explaining: Hypothesis[] = [];
    let significant: Hypothesis | undefined;
    for (const at of subsets(s, size)) {
      examined++;
      const h = explains(suspects, at, threshold, bounds.dependentPivot);
      if (h === undefined) continue;
      if (h.explained) explaining.push(h);
      else if (significant === undefined || h.reduction > significant.reduction) significant = h;
    }
    // The prediction from Omega can miss where a suspect is left nearly critical: the caller re-estimates.
    if (explaining.length === 0 && significant !== undefined && confirm(significant.at))
      return { best: significant, rivals: [] };
    if (explaining.length === 0) continue;
    const best = explaining.reduce((a, b) => (b.reduction > a.reduction ? b : a));
    const rivals = explaining.filter((h) => h !== best && h.reduction >= best.reduction - marginJ);
    return { best, rivals };
  }
  return undefined;
}

/** The hypothesis on `at` if every row of it is significant, and whether it leaves no other suspect beyond the threshold. */
function explains(
  suspects: SuspectSet,
  at: readonly number[],
  threshold: number,
  dependentPivot: number,
): Hypothesis | undefined {
  const inverse = invertHermitian(principal(suspects.omega, at), dependentPivot);
  if ('dependent' in inverse) return undefined;
  const k = at.length;
  const xRe = Float64Array.from(at, (i) => suspects.rRe[i]);
  const xIm = Float64Array.from(at, (i) => suspects.rIm[i]);
  const y = multiply(inverse, xRe, xIm);
  const statistics = at.map((_, i) => Math.hypot(y.re[i], y.im[i]) / Math.sqrt(inverse.re[i * k + i]));
  if (statistics.some((t) => t < threshold)) return undefined;
  let reduction = 0;
  for (let i = 0; i < k; i++) reduction += xRe[i] * y.re[i] + xIm[i] * y.im[i];
  const explained = suspects.rows.every(
    (_, j) =>
      at.includes(j) || updatedNormalizedResidual(suspects, at, inverse, y, j, dependentPivot) < threshold,
  );
  return { at, statistics, reduction, explained };
}

/**
 * Suspect j's normalized residual once the rows `at` are removed; 0 if that leaves it dependent on them
 * (variance below dependentPivot of its own), where what is left of its residual is mostly rounding.
 */
function updatedNormalizedResidual(
  suspects: SuspectSet,
  at: readonly number[],
  inverse: DenseHermitian,
  y: { re: Float64Array; im: Float64Array },
  j: number,
  dependentPivot: number,
): number {
  const { size, re, im } = suspects.omega;
  const cRe = Float64Array.from(at, (i) => re[i * size + j]);
  const cIm = Float64Array.from(at, (i) => im[i * size + j]);
  let rr = suspects.rRe[j];
  let ri = suspects.rIm[j];
  // Omega_jS = conj(Omega_Sj): r_j - sum_i conj(c_i) y_i.
  for (let i = 0; i < at.length; i++) {
    rr -= cRe[i] * y.re[i] + cIm[i] * y.im[i];
    ri -= cRe[i] * y.im[i] - cIm[i] * y.re[i];
  }
  const g = multiply(inverse, cRe, cIm);
  let quadratic = 0;
  for (let i = 0; i < at.length; i++) quadratic += cRe[i] * g.re[i] + cIm[i] * g.im[i];
  const variance = re[j * size + j] - quadratic;
  if (!(variance > dependentPivot * re[j * size + j])) return 0;
  return Math.hypot(rr, ri) / Math.sqrt(variance);
}

/** The size-k subsets of 0..n-1 in lexicographic order. */
function* subsets(n: number, k: number): Generator<number[]> {
  const at = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield [...at];
    let i = k - 1;
    while (i >= 0 && at[i] === n - k + i) i--;
    if (i < 0) return;
    at[i]++;
    for (let j = i + 1; j < k; j++) at[j] = at[j - 1] + 1;
  }
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}
