/**
 * Small dense Hermitian matrices (the residual covariance of a few suspect
 * measurements), row-major, real and imaginary parts apart.
 */
export interface DenseHermitian {
  readonly size: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** The principal submatrix on `at` (indices into `a`), in that order. */
export function principal(a: DenseHermitian, at: readonly number[]): DenseHermitian {
  const s = at.length;
  const re = new Float64Array(s * s);
  const im = new Float64Array(s * s);
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      re[i * s + j] = a.re[at[i] * a.size + at[j]];
      im[i * s + j] = a.im[at[i] * a.size + at[j]];
    }
  }
  return { size: s, re, im };
}

/**
 * The inverse of a Hermitian positive semidefinite matrix by Gauss-Jordan
 * elimination without pivoting (its pivots are positive while it is
 * definite), or the first index whose pivot fell below
 * relativePivotTolerance times its diagonal entry: that row is a linear
 * combination of the ones before it.
 */
export function invertHermitian(
  a: DenseHermitian,
  relativePivotTolerance: number,
): DenseHermitian | { readonly dependent: number } {
  const s = a.size;
  const re = a.re.slice();
  const im = a.im.slice();
  const invRe = new Float64Array(s * s);
  const invIm = new Float64Array(s * s);
  for (let i = 0; i < s; i++) invRe[i * s + i] = 1;
  for (let k = 0; k < s; k++) {
    const pivot = re[k * s + k];
    if (!(pivot > relativePivotTolerance * a.re[k * s + k])) return { dependent: k };
    scaleRow(re, im, k, s, 1 / pivot);
    scaleRow(invRe, invIm, k, s, 1 / pivot);
    for (let i = 0; i < s; i++) {
      if (i === k) continue;
      const fr = re[i * s + k];
      const fi = im[i * s + k];
      subtractRow(re, im, i, k, s, fr, fi);
      subtractRow(invRe, invIm, i, k, s, fr, fi);
    }
  }
  return { size: s, re: invRe, im: invIm };
}

/** y = A x for a complex vector x. */
export function multiply(
  a: DenseHermitian,
  xRe: Float64Array,
  xIm: Float64Array,
): { re: Float64Array; im: Float64Array } {
  const s = a.size;
  const re = new Float64Array(s);
  const im = new Float64Array(s);
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const ar = a.re[i * s + j];
      const ai = a.im[i * s + j];
      re[i] += ar * xRe[j] - ai * xIm[j];
      im[i] += ar * xIm[j] + ai * xRe[j];
    }
  }
  return { re, im };
}

function scaleRow(re: Float64Array, im: Float64Array, k: number, s: number, f: number): void {
  for (let j = 0; j < s; j++) {
    re[k * s + j] *= f;
    im[k * s + j] *= f;
  }
}

/** row i -= f * row k (complex f). */
function subtractRow(
  re: Float64Array,
  im: Float64Array,
  i: number,
  k: number,
  s: number,
  fr: number,
  fi: number,
): void {
  for (let j = 0; j < s; j++) {
    const kr = re[k * s + j];
    const ki = im[k * s + j];
    re[i * s + j] -= fr * kr - fi * ki;
    im[i * s + j] -= fr * ki + fi * kr;
  }
}
