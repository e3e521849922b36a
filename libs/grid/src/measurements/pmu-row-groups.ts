import type { Network } from '../network/network';
import { BranchEnd, MeasurementKind, type MeasurementSet } from './measurement-set';

/** The measurements one PMU contributes: its bus and the set indices it measured. */
export interface PmuRowGroup {
  readonly bus: number;
  readonly rows: readonly number[];
}

/**
 * Groups a measurement set by the PMU that took each phasor (the bus of a
 * voltage, the measured end of a current), in ascending bus order. A frame
 * that lost PMU g is then `estimate(z, groups[g].rows)`, and
 * `prefactor(groups.map((g) => g.rows))` readies every "one PMU missing" case.
 */
export function pmuRowGroups(net: Network, set: MeasurementSet): PmuRowGroup[] {
  const byBus = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const k = set.branch[i];
    const bus =
      set.kind[i] === MeasurementKind.VOLTAGE
        ? set.bus[i]
        : set.end[i] === BranchEnd.FROM
          ? net.branchFrom[k]
          : net.branchTo[k];
    const rows = byBus.get(bus);
    if (rows === undefined) byBus.set(bus, [i]);
    else rows.push(i);
  }
  return [...byBus.entries()].sort((a, b) => a[0] - b[0]).map(([bus, rows]) => ({ bus, rows }));
}
