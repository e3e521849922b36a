/** Inserts `x` into the ascending array `a`; appends, the common case, cost one comparison. */
export function insertSorted(a: number[], x: number): void {
  let i = a.length;
  while (i > 0 && a[i - 1] > x) i -= 1;
  a.splice(i, 0, x);
}
