import type { MeasurementModel } from './measurement-model';

/** Coefficients smaller than this (relative to the row's largest) are treated as structural zeros. */
const NEGLIGIBLE = 1e-12;

function magnitude(re: number, im: number): number {
  return Math.hypot(re, im);
}

/**
 * Which state columns the present measurements determine, by propagation on
 * the PMU model: a one-column row determines its column; a two-column row
 * with one side known determines the other; two independent rows on the same
 * pair of columns determine both; a zero-injection constraint with every
 * column but one known determines that one. This is a sufficient condition,
 * so a column it reports observable really is, and the estimator never gives
 * a value to a column it reports unobservable.
 */
export function observableColumns(model: MeasurementModel, present: Uint8Array): Uint8Array {
  const n = model.columnCount;
  const known = new Uint8Array(n);
  const queue: number[] = [];
  const constraints = new ConstraintCounter(model);
  const mark = (c: number): void => {
    if (known[c] === 0) {
      known[c] = 1;
      queue.push(c);
    }
  };
  const rowsAt: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < model.rowCount; r++) {
    if (present[r] === 0) continue;
    if (model.col2[r] < 0) {
      if (magnitude(model.h1Re[r], model.h1Im[r]) > 0) mark(model.col1[r]);
      continue;
    }
    rowsAt[model.col1[r]].push(r);
    rowsAt[model.col2[r]].push(r);
  }
  propagate(model, rowsAt, queue, mark, (c) => constraints.onKnown(c, known, mark));
  // The pair rule only matters for columns still unknown, so it runs after propagation.
  while (markUnknownPairs(model, present, known, mark))
    propagate(model, rowsAt, queue, mark, (c) => constraints.onKnown(c, known, mark));
  return known;
}

/**
 * Counts the unknown columns of each zero-injection constraint; when one is
 * left, the constraint determines it (its coefficient is non-zero: every
 * stored entry is a branch admittance ratio or the bus's own 1).
 */
class ConstraintCounter {
  private readonly unknown: Int32Array;
  private readonly at: number[][];

  constructor(private readonly model: MeasurementModel) {
    const zi = model.zeroInjection;
    this.unknown = Int32Array.from({ length: zi.count }, (_, k) => zi.ptr[k + 1] - zi.ptr[k]);
    this.at = Array.from({ length: model.columnCount }, () => []);
    for (let k = 0; k < zi.count; k++)
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) this.at[zi.col[p]].push(k);
  }

  onKnown(c: number, known: Uint8Array, mark: (c: number) => void): void {
    const zi = this.model.zeroInjection;
    for (const k of this.at[c]) {
      if (--this.unknown[k] !== 1) continue;
      for (let p = zi.ptr[k]; p < zi.ptr[k + 1]; p++) {
        const other = zi.col[p];
        if (known[other] === 0 && Math.hypot(zi.re[p], zi.im[p]) > NEGLIGIBLE) mark(other);
      }
    }
  }
}

function propagate(
  model: MeasurementModel,
  rowsAt: number[][],
  queue: number[],
  mark: (c: number) => void,
  onKnown: (c: number) => void,
): void {
  while (queue.length > 0) {
    const c = queue.pop()!;
    onKnown(c);
    for (const r of rowsAt[c]) {
      const other = model.col1[r] === c ? model.col2[r] : model.col1[r];
      const m1 = magnitude(model.h1Re[r], model.h1Im[r]);
      const m2 = magnitude(model.h2Re[r], model.h2Im[r]);
      const coef = other === model.col2[r] ? m2 : m1;
      if (coef > NEGLIGIBLE * Math.max(m1, m2)) mark(other);
    }
  }
}

/** Applies the pair rule to rows whose two columns are both unknown; true when it marked any. */
function markUnknownPairs(
  model: MeasurementModel,
  present: Uint8Array,
  known: Uint8Array,
  mark: (c: number) => void,
): boolean {
  const n = model.columnCount;
  const pairs = new Map<number, number[]>();
  for (let r = 0; r < model.rowCount; r++) {
    const a = model.col1[r];
    const b = model.col2[r];
    if (present[r] === 0 || b < 0 || known[a] === 1 || known[b] === 1) continue;
    const key = a < b ? a * n + b : b * n + a;
    const list = pairs.get(key);
    if (list === undefined) pairs.set(key, [r]);
    else list.push(r);
  }
  let marked = false;
  for (const rows of pairs.values()) {
    if (rows.length > 1 && markPair(model, rows, mark)) marked = true;
  }
  return marked;
}

/** Two rows on the same column pair with a non-singular 2x2 block determine both columns. */
function markPair(model: MeasurementModel, rows: number[], mark: (c: number) => void): boolean {
  for (let x = 0; x < rows.length; x++) {
    for (let y = x + 1; y < rows.length; y++) {
      const [p, q] = [rows[x], rows[y]];
      // Orient q's coefficients to p's column order.
      const same = model.col1[p] === model.col1[q];
      const [qaRe, qaIm, qbRe, qbIm] = same
        ? [model.h1Re[q], model.h1Im[q], model.h2Re[q], model.h2Im[q]]
        : [model.h2Re[q], model.h2Im[q], model.h1Re[q], model.h1Im[q]];
      const detRe =
        model.h1Re[p] * qbRe - model.h1Im[p] * qbIm - (model.h2Re[p] * qaRe - model.h2Im[p] * qaIm);
      const detIm =
        model.h1Re[p] * qbIm + model.h1Im[p] * qbRe - (model.h2Re[p] * qaIm + model.h2Im[p] * qaRe);
      const scale =
        magnitude(model.h1Re[p], model.h1Im[p]) * magnitude(qbRe, qbIm) +
        magnitude(model.h2Re[p], model.h2Im[p]) * magnitude(qaRe, qaIm);
      if (magnitude(detRe, detIm) > 1e-6 * scale) {
        mark(model.col1[p]);
        mark(model.col2[p]);
        return true;
      }
    }
  }
  return false;
}
