import type { AreaResult } from '../engine/area-result';
import {
  DEFAULT_COLLECTOR_OPTIONS,
  validateCollectorOptions,
  type CollectorOptions,
} from './collector-options';
import type { SystemEstimate } from './system-estimate';

/** What offering a result led to. */
export type CollectorEvent =
  | { readonly type: 'assembled'; readonly estimate: SystemEstimate }
  | {
      readonly type: 'incomplete';
      readonly slot: number;
      readonly timeSec: number;
      readonly missingAreas: readonly number[];
    };

/** What the collector counted since it was made. */
export interface CollectorCounters {
  results: number;
  /** Copies of a (snapshot, area) result already taken: the replicas' extra work. */
  duplicates: number;
  /** Results for a snapshot already closed incomplete, or forgotten. */
  late: number;
  assembled: number;
  incomplete: number;
  /** Areas missing from snapshots closed incomplete. */
  missingAreas: number;
}

interface Open {
  readonly slot: number;
  readonly timeSec: number;
  readonly areas: (AreaResult | undefined)[];
  received: number;
}

/**
 * The one consumer side of the `results` group: keeps the first copy of each
 * (snapshot, area) result, counts the others, and assembles the whole-system
 * estimate of a snapshot once every area arrived. At most maxOpenSnapshots
 * snapshots wait for areas; past that the oldest closes incomplete.
 *
 *   const collector = new ResultCollector();
 *   for (const e of collector.offer(decodeAreaResult(bytes))) if (e.type === 'assembled') show(e.estimate);
 */
export class ResultCollector {
  readonly options: CollectorOptions;
  readonly counters: CollectorCounters = {
    results: 0,
    duplicates: 0,
    late: 0,
    assembled: 0,
    incomplete: 0,
    missingAreas: 0,
  };
  private readonly open = new Map<number, Open>();
  private readonly closed = new Map<number, 'assembled' | 'incomplete'>();
  /** Every slot at or below this was closed and then forgotten. */
  private forgottenUpTo = -Infinity;

  constructor(options: CollectorOptions = DEFAULT_COLLECTOR_OPTIONS) {
    this.options = validateCollectorOptions(options);
  }

  /** Snapshots still waiting for an area. */
  get openSnapshots(): number {
    return this.open.size;
  }

  /** Takes one area result; returns the snapshots it completed or pushed out of the window. */
  offer(r: AreaResult): CollectorEvent[] {
    this.counters.results += 1;
    const verdict = this.closed.get(r.slot);
    if (verdict !== undefined || r.slot <= this.forgottenUpTo) {
      if (verdict === 'assembled') this.counters.duplicates += 1;
      else this.counters.late += 1;
      return [];
    }
    const events: CollectorEvent[] = [];
    let entry = this.open.get(r.slot);
    if (entry === undefined) {
      entry = {
        slot: r.slot,
        timeSec: r.timeSec,
        areas: Array.from({ length: r.areaCount }, () => undefined),
        received: 0,
      };
      this.open.set(r.slot, entry);
      if (this.open.size > this.options.maxOpenSnapshots) events.push(this.closeOldest());
    }
    if (r.area >= entry.areas.length || entry.areas[r.area] !== undefined) {
      this.counters.duplicates += 1;
      return events;
    }
    entry.areas[r.area] = r;
    entry.received += 1;
    if (entry.received === entry.areas.length) events.push(this.assemble(entry));
    return events;
  }

  /** Closes every waiting snapshot as incomplete (at shutdown), oldest first. */
  flush(): CollectorEvent[] {
    const out: CollectorEvent[] = [];
    while (this.open.size > 0) out.push(this.closeOldest());
    return out;
  }

  private closeOldest(): CollectorEvent {
    let oldest: Open | undefined;
    for (const e of this.open.values()) if (oldest === undefined || e.slot < oldest.slot) oldest = e;
    const e = oldest!;
    const missingAreas: number[] = [];
    for (let a = 0; a < e.areas.length; a += 1) if (e.areas[a] === undefined) missingAreas.push(a);
    this.counters.incomplete += 1;
    this.counters.missingAreas += missingAreas.length;
    this.close(e.slot, 'incomplete');
    return { type: 'incomplete', slot: e.slot, timeSec: e.timeSec, missingAreas };
  }

  private close(slot: number, verdict: 'assembled' | 'incomplete'): void {
    this.open.delete(slot);
    this.closed.set(slot, verdict);
    if (this.closed.size <= this.options.maxClosedSnapshots) return;
    const [first] = this.closed.keys();
    this.closed.delete(first);
    this.forgottenUpTo = Math.max(this.forgottenUpTo, first);
  }

  private assemble(e: Open): CollectorEvent {
    const results = e.areas as AreaResult[];
    const estimate = assembleSystemEstimate(results);
    this.counters.assembled += 1;
    this.close(e.slot, 'assembled');
    return { type: 'assembled', estimate };
  }
}

/**
 * Whole-system voltages from one result per area: each bus from the area that
 * owns it; a bus its own area could not determine from another area that
 * estimated it as the far end of a tie-line (lowest area first).
 */
export function assembleSystemEstimate(results: readonly AreaResult[]): SystemEstimate {
  const first = results[0];
  const n = first.busCount;
  const vRe = new Float64Array(n);
  const vIm = new Float64Array(n);
  const observable = new Uint8Array(n);
  for (const pass of [1, 0]) {
    for (const r of results) {
      for (let k = 0; k < r.buses.length; k += 1) {
        const b = r.buses[k];
        if (r.own[k] !== pass || observable[b] === 1) continue;
        vRe[b] = r.vRe[k];
        vIm[b] = r.vIm[k];
        observable[b] = 1;
      }
    }
  }
  return {
    slot: first.slot,
    timeSec: first.timeSec,
    busCount: n,
    areaCount: first.areaCount,
    catalogVersion: first.catalogVersion,
    vRe,
    vIm,
    observable,
    unobservableBuses: n - observable.reduce((s, x) => s + x, 0),
    openBranches: Int32Array.from(new Set(results.flatMap((r) => [...r.openBranches]))).sort(),
    deEnergized: Int32Array.from(new Set(results.flatMap((r) => [...(r.deEnergized ?? [])]))).sort(),
    criticalMeasurements: results.reduce((s, r) => s + (r.criticalIdcode?.length ?? 0), 0),
    criticalPairs: results.reduce((s, r) => s + (r.criticalPairIdcode?.length ?? 0) / 2, 0),
    badDataRemoved: results.reduce((s, r) => s + r.removedIdcode.length, 0),
    cost: results.reduce((s, r) => s + r.cost, 0),
    degreesOfFreedom: results.reduce((s, r) => s + r.degreesOfFreedom, 0),
    computeMsMax: results.reduce((m, r) => Math.max(m, r.computeMs), 0),
  };
}
