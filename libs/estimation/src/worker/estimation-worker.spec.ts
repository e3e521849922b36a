import { describe, expect, it } from 'vitest';
import type { AreaResult } from '../engine/area-result';
import { ResultCollector, type CollectorEvent } from '../results/result-collector';
import type { SystemEstimate } from '../results/system-estimate';
import { GridFixture, loadCase } from '../testing/grid-fixture';
import { decodeAreaResult, encodeAreaResult } from '../wire/result-codec';
import { decodeSnapshot, encodeSnapshot, type SnapshotInput } from '../wire/snapshot-codec';
import { EstimationWorker } from './estimation-worker';
import { DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './worker-options';

const net = loadCase('case14');
const WORKERS = ['w0', 'w1', 'w2'];

/** Three workers and a collector, passing encoded bytes as the groups would. */
function cluster(options: Partial<WorkerOptions> = {}): {
  workers: EstimationWorker[];
  collector: ResultCollector;
  deliver(s: SnapshotInput, catalogVersion: number, alive?: readonly string[]): SystemEstimate[];
} {
  const workers = WORKERS.map(
    () =>
      new EstimationWorker(net, { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 2, ...options }, () => 0),
  );
  const collector = new ResultCollector();
  const deliver = (
    s: SnapshotInput,
    version: number,
    alive: readonly string[] = WORKERS,
  ): SystemEstimate[] => {
    const bytes = encodeSnapshot(s, version);
    const results: AreaResult[] = [];
    WORKERS.forEach((name, i) => {
      if (!alive.includes(name)) return;
      workers[i].onSnapshot(decodeSnapshot(bytes), alive, name, 0);
      results.push(...workers[i].runDue(0));
    });
    const events: CollectorEvent[] = results.flatMap((r) =>
      collector.offer(decodeAreaResult(encodeAreaResult(r))),
    );
    return events.flatMap((e) => (e.type === 'assembled' ? [e.estimate] : []));
  };
  return { workers, collector, deliver };
}

function maxError(e: SystemEstimate, truth: { vRe: Float64Array; vIm: Float64Array }): number {
  let worst = 0;
  for (let b = 0; b < e.busCount; b += 1)
    worst = Math.max(worst, Math.hypot(e.vRe[b] - truth.vRe[b], e.vIm[b] - truth.vIm[b]));
  return worst;
}

describe('EstimationWorker (three workers, three areas, r = 2)', () => {
  const grid = new GridFixture(net, 'redundant', 0.002, 7);
  const truth = grid.truth();

  it('assembles every snapshot from the areas, within the noise of the truth, each area computed twice', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    for (let slot = 0; slot < 20; slot += 1) {
      const [estimate] = c.deliver(grid.snapshot(slot, truth), 1);
      expect(estimate.slot).toBe(slot);
      expect(estimate.unobservableBuses).toBe(0);
      expect(maxError(estimate, truth)).toBeLessThan(5 * grid.sigmaPu);
      expect([...estimate.openBranches]).toEqual([]);
    }
    expect(c.collector.counters).toMatchObject({ assembled: 20, duplicates: 20 * 3 });
    expect(c.workers.map((w) => w.stats.areasComputed)).toEqual([40, 40, 40]);
  });

  it('loses no snapshot when a worker is gone mid-stream: the survivors cover every area', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    // w1 crashed: its results for slot 0 never arrive, and the next view leaves it out.
    expect(c.deliver(grid.snapshot(0, truth), 1, ['w0', 'w2'])).toHaveLength(1);
    expect(c.deliver(grid.snapshot(1, truth), 1, ['w0', 'w2'])).toHaveLength(1);
  });

  it('detects a tripped line from its currents, leaves its rows out and reports it as the topology used', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    const tripped = grid.truth([6]);
    const [estimate] = c.deliver(grid.snapshot(1, tripped), 1);
    expect([...estimate.openBranches]).toEqual([6]);
    expect(maxError(estimate, tripped)).toBeLessThan(5 * grid.sigmaPu);
  });

  it('follows a configuration change: a dropped channel changes the catalog and the measurement set', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    const catalog = grid.catalog(2);
    const pmu = catalog.pmus[0];
    const changed = {
      ...catalog,
      pmus: [{ ...pmu, cfgcnt: 2, channels: pmu.channels.slice(0, -1) }, ...catalog.pmus.slice(1)],
    };
    expect(c.workers.map((w) => w.onCatalog(changed))).toEqual([true, true, true]);
    const s = grid.snapshot(2, truth);
    const first = s.values[0];
    const shorter = {
      ...s,
      values: [{ ...first, phasors: first.phasors.slice(0, -2) }, ...s.values.slice(1)],
    };
    const [estimate] = c.deliver(shorter, 2);
    expect(maxError(estimate, truth)).toBeLessThan(5 * grid.sigmaPu);
    expect(c.workers[0].stats.unboundPmus).toBe(0);
    // A snapshot of the old shape under the new catalog leaves that PMU out rather than misplace its channels.
    c.deliver(grid.snapshot(3, truth), 2);
    expect(c.workers.reduce((n, w) => n + w.stats.unboundPmus, 0)).toBeGreaterThan(0);
  });

  it('a snapshot under a catalog version the worker does not hold is skipped and counted', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    expect(c.deliver(grid.snapshot(4, truth), 9)).toEqual([]);
    expect(c.workers[0].stats.snapshotsWithoutCatalog).toBe(1);
  });

  it('with a backup delay, a backup whose primary result arrived is skipped and counted as a duplicate avoided', () => {
    const w = new EstimationWorker(
      net,
      { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 2, backupDelayMs: 50 },
      () => 0,
    );
    w.onCatalog(grid.catalog(1));
    // w0 is primary of area 0 and backup (rank 1) of area 1.
    w.onSnapshot(decodeSnapshot(encodeSnapshot(grid.snapshot(5, truth), 1)), WORKERS, 'w0', 1000);
    expect(w.runDue(1000).map((r) => r.area)).toEqual([0]);
    expect([w.queuedAreas, w.nextDueMs]).toEqual([1, 1050]);
    w.onResult(5, 1);
    expect(w.runDue(1049)).toEqual([]);
    expect(w.runDue(1050)).toEqual([]);
    expect(w.stats.duplicatesAvoided).toBe(1);
    w.onSnapshot(decodeSnapshot(encodeSnapshot(grid.snapshot(6, truth), 1)), WORKERS, 'w0', 2000);
    expect(w.runDue(2050).map((r) => r.area)).toEqual([0, 1]);
  });

  it('computes nothing in onSnapshot; past maxQueuedAreas it sheds the oldest task and counts it', () => {
    const w = new EstimationWorker(
      net,
      { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 1, maxQueuedAreas: 2 },
      () => 0,
    );
    w.onCatalog(grid.catalog(1));
    for (let slot = 0; slot < 3; slot += 1)
      w.onSnapshot(decodeSnapshot(encodeSnapshot(grid.snapshot(slot, truth), 1)), ['w0'], 'w0', 0);
    expect(w.stats.areasComputed).toBe(0);
    expect([w.queuedAreas, w.stats.areasShed]).toEqual([2, 7]);
    const results = w.runDue(0, 1);
    expect(results.map((r) => [r.slot, r.area])).toEqual([[2, 1]]);
    expect(w.runDue(0).map((r) => [r.slot, r.area])).toEqual([[2, 2]]);
    expect(w.stats.snapshotsEstimated).toBe(1);
  });

  it('removes a gross error as bad data and names the measurement', () => {
    const c = cluster();
    for (const w of c.workers) w.onCatalog(grid.catalog(1));
    const s = grid.snapshot(7, truth);
    s.values[2].phasors[0] += 0.2;
    const [estimate] = c.deliver(s, 1);
    expect(estimate.badDataRemoved).toBe(1);
    expect(maxError(estimate, truth)).toBeLessThan(5 * grid.sigmaPu);
  });
});
