import {
  MeasurementKind,
  observableColumns,
  type MeasurementModel,
  type MeasurementSet,
} from '@gridcloud/grid';

/**
 * The open-branch rule. pmu-sim sends no breaker status: a tripped branch's
 * current channels carry only noise. With noise sigma per rectangular
 * component, the magnitude of pure noise is Rayleigh distributed and exceeds
 * k sigma with probability exp(-k^2 / 2) (k = 5: 4e-6). A branch is taken as
 * open when it has at least one current measured in this snapshot and every
 * measured current on it is below k sigma. Its current rows are then left out
 * of the estimate. Taking a lightly loaded closed branch for open only drops
 * two measurements; keeping an open one would pull its end voltages together,
 * so the rule errs on the side of open.
 */
export function detectOpenBranches(
  set: MeasurementSet,
  zRe: Float64Array,
  zIm: Float64Array,
  present: Uint8Array,
  thresholdPu: number,
): Int32Array {
  // State per branch: 0 no current seen, 1 every current below the threshold so far, 2 some current above it.
  const state = new Map<number, number>();
  for (let i = 0; i < set.count; i += 1) {
    if (set.kind[i] !== MeasurementKind.CURRENT || present[i] === 0) continue;
    const k = set.branch[i];
    const low = Math.hypot(zRe[i], zIm[i]) < thresholdPu;
    const before = state.get(k) ?? 0;
    state.set(k, before === 2 || !low ? 2 : 1);
  }
  const open: number[] = [];
  for (const [k, s] of state) if (s === 1) open.push(k);
  return Int32Array.from(open.sort((a, b) => a - b));
}

/**
 * The candidates whose current rows are left out of the estimate. A candidate
 * whose removal would leave one of its end buses undetermined anywhere in the
 * system (by propagation over every present measurement of the snapshot,
 * libs/grid's observableColumns) keeps its rows: the measurements cannot tell
 * it open, and dropping them would blind the bus behind it (a radial branch to
 * a bus without injection carries next to nothing, open or closed). Such a
 * branch is estimated as the case has it, closed.
 */
export function openBranchesToLeaveOut(
  central: MeasurementModel,
  present: Uint8Array,
  candidates: Int32Array,
): Int32Array {
  if (candidates.length === 0) return candidates;
  const set = central.set;
  const net = central.network;
  const open = new Set(candidates);
  const without = present.slice();
  for (let i = 0; i < set.count; i += 1)
    if (set.kind[i] === MeasurementKind.CURRENT && open.has(set.branch[i])) without[i] = 0;
  // The central model's rows and columns are the set's measurements and the network's buses, in order.
  const known = observableColumns(central, without);
  return candidates.filter((k) => known[net.branchFrom[k]] === 1 && known[net.branchTo[k]] === 1);
}
