import type { DecodedSnapshot, SystemEstimate } from '@gridcloud/estimation';
import type { ClusterEvent } from '@gridcloud/supervision';
import type { SystemView } from '@gridcloud/vsync';
import type { InfluxPoint } from './influx-point';

/**
 * The measurements the recorder writes (all in the raw retention policy; the continuous queries of influx-schema
 * downsample them). Dashboards and exports read these names, so they are part of the recorder's contract.
 */
export const MEASUREMENTS = {
  estimate: 'estimate',
  busVoltage: 'bus_voltage',
  pmuQuality: 'pmu_quality',
  group: 'vsync_group',
  clusterEvent: 'cluster_event',
  recorder: 'recorder',
} as const;

/** Where an estimate came from: the live `results` group, or a replay job. */
export interface EstimateSource {
  readonly source: 'live' | 'replay';
  /** The replay job's id (replay only). */
  readonly job?: string;
}

const RAD_TO_DEG = 180 / Math.PI;

/** One `estimate` point per assembled snapshot: its quality figures and the spread of bus voltage magnitudes. */
export function estimatePoint(e: SystemEstimate, from: EstimateSource): InfluxPoint {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < e.busCount; i += 1) {
    if (e.observable[i] !== 1) continue;
    const vm = Math.hypot(e.vRe[i], e.vIm[i]);
    min = Math.min(min, vm);
    max = Math.max(max, vm);
    sum += vm;
    n += 1;
  }
  const fields: Record<string, number> = {
    buses: e.busCount,
    areas: e.areaCount,
    observable_buses: n,
    unobservable_buses: e.unobservableBuses,
    open_branches: e.openBranches.length,
    bad_data_removed: e.badDataRemoved,
    cost: e.cost,
    degrees_of_freedom: e.degreesOfFreedom,
    compute_ms_max: e.computeMsMax,
    catalog_version: e.catalogVersion,
  };
  if (n > 0) Object.assign(fields, { vm_min: min, vm_max: max, vm_mean: sum / n });
  return { measurement: MEASUREMENTS.estimate, tags: sourceTags(from), fields, timeMs: timeMsOf(e.timeSec) };
}

/** One `bus_voltage` point per observable bus: magnitude (pu) and angle (degrees), tagged by the case's bus number. */
export function busVoltagePoints(e: SystemEstimate, busIds: Int32Array, from: EstimateSource): InfluxPoint[] {
  const timeMs = timeMsOf(e.timeSec);
  const base = sourceTags(from);
  const out: InfluxPoint[] = [];
  for (let i = 0; i < e.busCount; i += 1) {
    if (e.observable[i] !== 1) continue;
    out.push({
      measurement: MEASUREMENTS.busVoltage,
      tags: { ...base, bus: String(busIds[i]) },
      fields: { vm: Math.hypot(e.vRe[i], e.vIm[i]), va_deg: Math.atan2(e.vIm[i], e.vRe[i]) * RAD_TO_DEG },
      timeMs,
    });
  }
  return out;
}

/** A snapshot that closed without some of its areas: how many were missing. */
export function incompletePoint(timeSec: number, missingAreas: number, from: EstimateSource): InfluxPoint {
  return {
    measurement: MEASUREMENTS.estimate,
    tags: sourceTags(from),
    fields: { missing_areas: missingAreas },
    timeMs: timeMsOf(timeSec),
  };
}

/** The members of every group in a system view, one `vsync_group` point per group, plus the process count. */
export function groupPoints(view: SystemView, atMs: number): InfluxPoint[] {
  const out: InfluxPoint[] = view.groups.map((g) => ({
    measurement: MEASUREMENTS.group,
    tags: { group: g.name },
    fields: { members: g.members.length, view_id: g.groupViewId, system_view_id: view.id },
    timeMs: atMs,
  }));
  out.push({
    measurement: MEASUREMENTS.group,
    tags: { group: '(system)' },
    fields: {
      members: view.members.length,
      system_view_id: view.id,
      failed: view.failed.length,
      left: view.left.length,
    },
    timeMs: atMs,
  });
  return out;
}

/** A supervisor's report: one `cluster_event` point, the reason as a string field. */
export function clusterEventPoint(e: ClusterEvent): InfluxPoint {
  const tags = { kind: e.kind, service: e.service, instance: e.instance };
  switch (e.kind) {
    case 'restarting':
      return point(
        tags,
        { reason: e.reason, attempt: e.attempt, restart_in_window: e.restartInWindow },
        e.failedAtMs,
      );
    case 'restarted':
      return point(tags, { reason: e.reason, attempt: e.attempt, rejoin_ms: e.rejoinMs }, e.joinedAtMs);
    case 'gave-up':
      return point(tags, { reason: e.reason, restarts_in_window: e.restartsInWindow }, e.atMs);
    case 'config-error':
      return point(tags, { reason: e.message, code: e.code }, e.atMs);
  }
}

function point(tags: Record<string, string>, fields: InfluxPoint['fields'], timeMs: number): InfluxPoint {
  return { measurement: MEASUREMENTS.clusterEvent, tags, fields, timeMs };
}

function sourceTags(from: EstimateSource): Record<string, string> {
  return from.job === undefined ? { source: from.source } : { source: from.source, job: from.job };
}

/** Snapshot times are seconds with sub-millisecond fractions; points are written with ms precision. */
export function timeMsOf(timeSec: number): number {
  return Math.round(timeSec * 1000);
}

/** C37.118 STAT bits: 15-14 data error, 13 PMU sync lost. */
const STAT_DATA_ERROR = 0xc000;
const STAT_SYNC_LOST = 0x2000;

interface PmuTally {
  received: number;
  missing: number;
  dataErrors: number;
  unsynced: number;
  freqHzSum: number;
}

/**
 * Per-PMU data quality over a window of snapshots: frames received, absent from a snapshot, flagged with a data
 * error or without GPS sync, and the mean frequency. Writing per window rather than per snapshot keeps the point
 * rate at PMUs / window instead of PMUs x frame rate. Bounded by `maxPmus` (further IDCODEs are counted together
 * under `other`).
 */
export class PmuQualityWindow {
  private readonly tallies = new Map<number, PmuTally>();
  private snapshots = 0;
  private complete = 0;

  constructor(private readonly maxPmus: number) {}

  add(s: DecodedSnapshot): void {
    this.snapshots += 1;
    if (s.complete) this.complete += 1;
    for (let p = 0; p < s.idcodes.length; p += 1) {
      const t = this.tally(s.idcodes[p]);
      t.received += 1;
      if ((s.stat[p] & STAT_DATA_ERROR) !== 0) t.dataErrors += 1;
      if ((s.stat[p] & STAT_SYNC_LOST) !== 0) t.unsynced += 1;
      t.freqHzSum += s.freqHz[p];
    }
    for (const idcode of s.missing) this.tally(idcode).missing += 1;
  }

  /** The window's points, stamped at `atMs`, and a fresh window. */
  drain(atMs: number): InfluxPoint[] {
    if (this.snapshots === 0) return [];
    const out: InfluxPoint[] = [];
    for (const [idcode, t] of this.tallies) {
      const fields: Record<string, number> = {
        received: t.received,
        missing: t.missing,
        data_errors: t.dataErrors,
        unsynced: t.unsynced,
        availability: t.received / (t.received + t.missing),
      };
      if (t.received > 0) fields.freq_hz = t.freqHzSum / t.received;
      out.push({
        measurement: MEASUREMENTS.pmuQuality,
        tags: { idcode: idcodeTag(idcode) },
        fields,
        timeMs: atMs,
      });
    }
    out.push({
      measurement: MEASUREMENTS.pmuQuality,
      tags: { idcode: 'all' },
      fields: { snapshots: this.snapshots, complete_share: this.complete / this.snapshots },
      timeMs: atMs,
    });
    this.tallies.clear();
    this.snapshots = 0;
    this.complete = 0;
    return out;
  }

  private tally(idcode: number): PmuTally {
    const key = this.tallies.has(idcode) || this.tallies.size < this.maxPmus ? idcode : -1;
    let t = this.tallies.get(key);
    if (t === undefined) {
      t = { received: 0, missing: 0, dataErrors: 0, unsynced: 0, freqHzSum: 0 };
      this.tallies.set(key, t);
    }
    return t;
  }
}

function idcodeTag(idcode: number): string {
  return idcode === -1 ? 'other' : String(idcode);
}
