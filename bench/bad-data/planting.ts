import type { MeasurementModel, Network, SeededRandom } from '@gridcloud/grid';

/**
 * Where a trial's errors go. 'independent': anywhere on the grid, so they rarely meet. 'interacting': the first
 * anywhere, the others on measurements within one branch of its buses, where their residuals move together and
 * each error can make a good neighbour look worst (the case the largest-normalized-residual loop gets wrong).
 */
export type ErrorPattern = 'independent' | 'interacting';

/** Distinct rows from `eligible`, `count` of them, ascending. */
export function plantRows(
  pattern: ErrorPattern,
  random: SeededRandom,
  eligible: readonly number[],
  count: number,
  model: MeasurementModel,
  net: Network,
): number[] {
  const pick = (from: readonly number[]): number => from[Math.floor(random.next() * from.length)];
  for (;;) {
    const rows = new Set<number>([pick(eligible)]);
    const near = pattern === 'independent' ? eligible : neighbours(model, net, [...rows][0], eligible);
    if (near.length < count) continue;
    while (rows.size < count) rows.add(pick(near));
    return [...rows].sort((a, b) => a - b);
  }
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
