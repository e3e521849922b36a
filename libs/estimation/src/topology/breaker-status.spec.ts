import { describe, expect, it } from 'vitest';
import type { PmuCatalog } from '../catalog/pmu-catalog';
import { ResultCollector } from '../results/result-collector';
import type { SystemEstimate } from '../results/system-estimate';
import { GridFixture, loadCase } from '../testing/grid-fixture';
import { decodeAreaResult, encodeAreaResult } from '../wire/result-codec';
import { decodeSnapshot, encodeSnapshot, type SnapshotInput } from '../wire/snapshot-codec';
import { EstimationWorker } from '../worker/estimation-worker';
import { DEFAULT_WORKER_OPTIONS } from '../worker/worker-options';
import { breakerMap, breakerStatus } from './breaker-status';

const net = loadCase('case14');

/** pmu-sim's breaker words: a bit per current channel, in channel order, named `BRK#<branch row>`. */
function withBreakerNames(grid: GridFixture, catalog: PmuCatalog): PmuCatalog {
  return {
    ...catalog,
    pmus: catalog.pmus.map((p, i) => {
      const branches = grid.pmus[i].channels.filter((c) => c.isCurrent).map((c) => c.branch);
      const words = Math.max(1, Math.ceil(branches.length / 16));
      const names = Array.from({ length: words }, (_, w) =>
        Array.from({ length: 16 }, (_, b) =>
          branches[16 * w + b] === undefined ? '' : `BRK#${branches[16 * w + b]}`,
        ),
      );
      return { ...p, digitals: names };
    }),
  };
}

/** The snapshot with each PMU's breaker words: 1 (closed) for every branch but the `open` ones. */
function withBreakerWords(grid: GridFixture, s: SnapshotInput, open: readonly number[]): SnapshotInput {
  return {
    ...s,
    values: s.values.map((v) => {
      const pmu = grid.pmus.find((p) => p.idcode === v.idcode)!;
      const branches = pmu.channels.filter((c) => c.isCurrent).map((c) => c.branch);
      const digitals = new Uint16Array(Math.max(1, Math.ceil(branches.length / 16)));
      branches.forEach((k, i) => {
        if (!open.includes(k)) digitals[i >> 4] |= 1 << (i & 15);
      });
      return { ...v, digitals };
    }),
  };
}

describe('breakerMap and breakerStatus', () => {
  const grid = new GridFixture(net, 'redundant', 0.002, 3);
  const catalog = withBreakerNames(grid, grid.catalog(1));

  it('places every BRK#<row> bit on its branch and lists a name outside the case as unmapped', () => {
    const map = breakerMap(net, catalog);
    const expected = grid.pmus.reduce((s, p) => s + p.channels.filter((c) => c.isCurrent).length, 0);
    expect(map.bitCount).toBe(expected);
    expect(map.unmapped).toEqual([]);
    const bad = breakerMap(net, {
      version: 1,
      pmus: [{ ...catalog.pmus[0], digitals: [['BRK#999', 'PUMP', '', 'BRK#2']] }],
    });
    expect(bad.bitCount).toBe(1);
    expect(bad.unmapped).toEqual([
      `${catalog.pmus[0].idcode} 0.0 BRK#999: case has ${net.branchCount} branch rows`,
    ]);
  });

  it('opens a branch when either end reads 0, ignores a PMU flagging a data error, and reads nothing from version 2', () => {
    const map = breakerMap(net, catalog);
    const snapshot = decodeSnapshot(
      encodeSnapshot(withBreakerWords(grid, grid.snapshot(1, grid.truth([6])), [6]), 1),
    );
    const status = breakerStatus(map, snapshot);
    expect([...status.open]).toEqual([6]);
    expect(status.closed.includes(6)).toBe(false);
    expect(status.closed.length).toBeGreaterThan(10);
    const flagged = { ...snapshot, stat: snapshot.stat.map(() => 0x8000) };
    expect(breakerStatus(map, flagged).open.length).toBe(0);
    const plain = decodeSnapshot(encodeSnapshot(grid.snapshot(2, grid.truth()), 1));
    expect(breakerStatus(map, plain).open.length + breakerStatus(map, plain).closed.length).toBe(0);
  });
});

describe('EstimationWorker with breaker status', () => {
  const grid = new GridFixture(net, 'redundant', 0.002, 5);

  function estimateOf(worker: EstimationWorker, s: SnapshotInput): SystemEstimate {
    const collector = new ResultCollector();
    worker.onSnapshot(decodeSnapshot(encodeSnapshot(s, 1)), ['w'], 'w', 0);
    const events = worker.runDue(0).flatMap((r) => collector.offer(decodeAreaResult(encodeAreaResult(r))));
    const assembled = events.flatMap((e) => (e.type === 'assembled' ? [e.estimate] : []));
    expect(assembled).toHaveLength(1);
    return assembled[0];
  }

  function maxError(e: SystemEstimate, truth: { vRe: Float64Array; vIm: Float64Array }): number {
    let worst = 0;
    for (let b = 0; b < e.busCount; b += 1)
      worst = Math.max(worst, Math.hypot(e.vRe[b] - truth.vRe[b], e.vIm[b] - truth.vIm[b]));
    return worst;
  }

  it('takes the topology from the breaker bits: an open breaker is open in every area, a closed one is estimated closed', () => {
    const worker = new EstimationWorker(net, { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 1 }, () => 0);
    worker.onCatalog(withBreakerNames(grid, grid.catalog(1)));
    expect(worker.stats.breakerBits).toBeGreaterThan(0);
    const tripped = grid.truth([6]);
    const estimate = estimateOf(worker, withBreakerWords(grid, grid.snapshot(1, tripped), [6]));
    expect([...estimate.openBranches]).toEqual([6]);
    expect(maxError(estimate, tripped)).toBeLessThan(5 * grid.sigmaPu);
  });

  it('flags the buses a split cuts off from every source: case14 bus 12 after 6-12 and 12-13 open, the rest within the noise', () => {
    const row = (from: number, to: number): number =>
      net.powerCase.branches.findIndex((b) => b.from === from && b.to === to);
    const open = [row(6, 12), row(12, 13)].sort((x, y) => x - y);
    const worker = new EstimationWorker(net, { ...DEFAULT_WORKER_OPTIONS, areas: 3, replicas: 1 }, () => 0);
    worker.onCatalog(withBreakerNames(grid, grid.catalog(1)));
    const split = grid.truth(open);
    const bus12 = net.indexOf(12);
    expect(split.vRe[bus12]).toBe(0);
    const estimate = estimateOf(worker, withBreakerWords(grid, grid.snapshot(4, split), open));
    expect([...estimate.openBranches]).toEqual(open);
    expect([...(estimate.deEnergized ?? [])]).toEqual([bus12]);
    const live = (e: Float64Array): Float64Array => e.map((v, b) => (b === bus12 ? 0 : v));
    expect(
      maxError(
        { ...estimate, vRe: live(estimate.vRe), vIm: live(estimate.vIm) },
        { vRe: live(split.vRe), vIm: live(split.vIm) },
      ),
    ).toBeLessThan(5 * grid.sigmaPu);
  });

  it('a breaker reported open overrides currents that still flow; without the bit the rule keeps the branch closed', () => {
    // Measurements of the intact grid (line 6 carrying current) with line 6's breaker reported open: the
    // estimate must follow the breaker, so its error shows line 6 was left out, not averaged in.
    const worker = new EstimationWorker(net, { ...DEFAULT_WORKER_OPTIONS, areas: 1, replicas: 1 }, () => 0);
    worker.onCatalog(withBreakerNames(grid, grid.catalog(1)));
    const intact = grid.truth();
    const byBreaker = estimateOf(worker, withBreakerWords(grid, grid.snapshot(2, intact), [6]));
    expect([...byBreaker.openBranches]).toEqual([6]);
    const byRule = estimateOf(worker, withBreakerWords(grid, grid.snapshot(3, intact), []));
    expect([...byRule.openBranches]).toEqual([]);
  });
});
