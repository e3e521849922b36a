import { MeasurementKind, type MeasurementSet } from '@gridcloud/grid';

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
