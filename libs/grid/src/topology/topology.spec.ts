import { describe, expect, it } from 'vitest';
import type { PowerCase } from '../case/power-case';
import { TopologyError } from '../errors/topology-error';
import { MeasurementModel } from '../estimator/measurement-model';
import { BranchEnd, MeasurementKind, MeasurementSet } from '../measurements/measurement-set';
import { branchCurrent, rectangular, synthesizeMeasurements } from '../measurements/synthetic-measurements';
import { Network } from '../network/network';
import { placePmus } from '../pmu/pmu-placement';
import { solveIslandedPowerFlow } from '../powerflow/islanded-power-flow';
import { solvePowerFlow } from '../powerflow/newton-raphson';
import { NormalSource, SeededRandom } from '../random/seeded-random';
import { loadCaseNetwork } from '../testing/case-files';
import { denseSolve } from '../testing/dense-complex';
import { breakerTopology } from './breaker-topology';
import { findIslands } from './islands';
import { TopologyEstimator } from './topology-estimator';

/** case14 split in two energized islands of seven buses (bus 1's and bus 6's). */
const SPLIT = [8, 9, 14];
/** Both branches of bus 14 (9-14, 13-14): with SPLIT, bus 14 is cut off and has no generator. */
const CUT_14 = [16, 19];

const net = loadCaseNetwork('case14');
const bus = (id: number): number => net.indexOf(id);

/**
 * Measurements of the case's layout (rows on every branch the placement sees,
 * open ones included) valued from a split network's truth: an open branch
 * carries nothing but noise, and the phasors of buses in `rotated` turn by
 * `angle` (an island drifting away from the rest in frequency).
 */
function measure(
  layout: MeasurementSet,
  solved: { network: Network; vm: Float64Array; va: Float64Array },
  sigma: number,
  rotated: Set<number>,
  angle: number,
): { set: MeasurementSet; vRe: Float64Array; vIm: Float64Array } {
  const v = rectangular(solved);
  for (const b of rotated) {
    [v.re[b], v.im[b]] = [
      v.re[b] * Math.cos(angle) - v.im[b] * Math.sin(angle),
      v.re[b] * Math.sin(angle) + v.im[b] * Math.cos(angle),
    ];
  }
  const noise = new NormalSource(new SeededRandom(7));
  const specs = Array.from({ length: layout.count }, (_, i) => {
    const s = layout.spec(i);
    const [re, im] =
      s.kind === MeasurementKind.VOLTAGE
        ? [v.re[s.bus], v.im[s.bus]]
        : branchCurrent(solved.network, s.branch, s.end, v.re, v.im);
    return { ...s, re: re + sigma * noise.next(), im: im + sigma * noise.next() };
  });
  return { set: new MeasurementSet(specs), vRe: v.re, vIm: v.im };
}

/**
 * Independent dense WLS over the given buses, from the split network's own
 * admittances and only the rows whose buses all lie in `buses` and whose
 * branch is in service there (real 2n form, Gaussian elimination).
 */
function denseWls(split: Network, set: MeasurementSet, buses: Int32Array): Map<number, [number, number]> {
  const col = new Map([...buses].map((b, c) => [b, c]));
  const n = buses.length;
  const a = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
  const rhs = new Array<number>(2 * n).fill(0);
  for (let i = 0; i < set.count; i += 1) {
    let entries: [number, number, number][];
    if (set.kind[i] === MeasurementKind.VOLTAGE) entries = [[set.bus[i], 1, 0]];
    else {
      const k = set.branch[i];
      if (split.branchInService[k] === 0) continue;
      const [y1, y2] = set.end[i] === BranchEnd.FROM ? [split.yff, split.yft] : [split.ytf, split.ytt];
      entries = [
        [split.branchFrom[k], y1.re[k], y1.im[k]],
        [split.branchTo[k], y2.re[k], y2.im[k]],
      ];
    }
    if (!entries.every(([b]) => col.has(b))) continue;
    const w = 1 / set.sigma[i] ** 2;
    const rows = [new Map<number, number>(), new Map<number, number>()];
    for (const [b, hr, hi] of entries) {
      const c = col.get(b)!;
      rows[0].set(c, (rows[0].get(c) ?? 0) + hr).set(c + n, (rows[0].get(c + n) ?? 0) - hi);
      rows[1].set(c, (rows[1].get(c) ?? 0) + hi).set(c + n, (rows[1].get(c + n) ?? 0) + hr);
    }
    [set.re[i], set.im[i]].forEach((z, t) => {
      for (const [p, hp] of rows[t]) {
        rhs[p] += w * hp * z;
        for (const [q, hq] of rows[t]) a[p][q] += w * hp * hq;
      }
    });
  }
  const x = denseSolve(a, rhs);
  return new Map([...buses].map((b, c) => [b, [x[c], x[c + n]] as [number, number]]));
}

describe('breakerTopology', () => {
  it('names a topology by its open rows, in any order, and ignores branches the case has out of service', () => {
    expect(breakerTopology(net, [9, 8, 14]).id).toBe(breakerTopology(net, SPLIT).id);
    expect(breakerTopology(net, SPLIT).id).not.toBe(breakerTopology(net, [8, 9]).id);
    expect([...breakerTopology(net, [14, 8, 9, 8]).openBranches]).toEqual(SPLIT);
    expect(breakerTopology(net, []).openBranches.length).toBe(0);
    const c = net.powerCase;
    const withOneOut = new Network({
      ...c,
      branches: c.branches.map((b, k) => (k === 9 ? { ...b, inService: false } : b)),
    });
    expect([...breakerTopology(withOneOut, SPLIT).openBranches]).toEqual([8, 14]);
  });

  it('rejects a branch row outside the case with an error naming it', () => {
    expect(() => breakerTopology(net, [net.branchCount])).toThrow(TopologyError);
    expect(() => breakerTopology(net, [-1])).toThrow(/branch row -1/);
  });
});

describe('findIslands', () => {
  it('finds the two energized islands of a split, each with its own reference, and a de-energized bus', () => {
    const m = findIslands(net, breakerTopology(net, [...SPLIT, ...CUT_14]));
    expect(m.islands.map((i) => i.buses.length)).toEqual([7, 6, 1]);
    expect(m.islands.map((i) => i.energized)).toEqual([true, true, false]);
    expect(m.islands.map((i) => net.busIds[i.referenceBus] ?? -1)).toEqual([1, 6, -1]);
    expect([...m.deEnergized]).toEqual([bus(14)]);
    expect(m.islandOf[bus(14)]).toBe(2);
  });

  it('keeps the whole case one island when no breaker is open', () => {
    const m = findIslands(net, breakerTopology(net, []));
    expect(m.islands.length).toBe(1);
    expect(m.islands[0].referenceBus).toBe(bus(1));
  });
});

describe('solveIslandedPowerFlow', () => {
  it('solves each island on its own slack: the second island equals a power flow of that island alone', () => {
    const solved = solveIslandedPowerFlow(net, breakerTopology(net, [...SPLIT, ...CUT_14]));
    const second = solved.islands.islands[1];
    const keep = new Set([...second.buses].map((b) => net.busIds[b]));
    const c = net.powerCase;
    const alone: PowerCase = {
      ...c,
      name: 'island',
      buses: c.buses
        .filter((b) => keep.has(b.id))
        .map((b) => ({ ...b, type: b.id === 6 ? 3 : b.type === 3 ? 2 : b.type })),
      gens: c.gens.filter((g) => keep.has(g.bus)),
      branches: c.branches.filter((br) => keep.has(br.from) && keep.has(br.to)),
    };
    const ref = solvePowerFlow(new Network(alone));
    const aloneNet = new Network(alone);
    for (const b of second.buses) {
      const j = aloneNet.indexOf(net.busIds[b]);
      expect(Math.abs(solved.vm[b] - ref.vm[j])).toBeLessThan(1e-9);
      expect(Math.abs(solved.va[b] - ref.va[j])).toBeLessThan(1e-9);
    }
    expect(solved.vm[bus(14)]).toBe(0);
  });
});

describe('TopologyEstimator', () => {
  const sigma = 0.002;
  const drift = 0.3;
  const topology = [...SPLIT, ...CUT_14];
  const solved = solveIslandedPowerFlow(net, breakerTopology(net, topology));
  const secondIsland = new Set(solved.islands.islands[1].buses);
  const layout = synthesizeMeasurements(
    net,
    solvePowerFlow(net),
    placePmus(net, 'all'),
    sigma,
    new SeededRandom(1),
  );
  const { set, vRe, vIm } = measure(layout, solved, sigma, secondIsland, drift);
  const model = MeasurementModel.central(net, set);

  it('estimates each island, as an independent dense solve of that island does, and reports the dead bus', () => {
    const est = new TopologyEstimator(model);
    const out = est.estimate(set.re, set.im, topology);
    expect(out.topology.id).toBe(breakerTopology(net, topology).id);
    expect([...out.deEnergized]).toEqual([bus(14)]);
    for (const island of out.islands.filter((i) => i.energized)) {
      const dense = denseWls(solved.network, set, island.buses);
      expect(island.observableBuses).toBe(island.buses.length);
      for (const b of island.buses) {
        const [re, im] = dense.get(b)!;
        expect(Math.hypot(out.report.vRe[b] - re, out.report.vIm[b] - im)).toBeLessThan(1e-9);
        expect(Math.hypot(out.report.vRe[b] - vRe[b], out.report.vIm[b] - vIm[b])).toBeLessThan(5 * sigma);
      }
    }
    // Each island's angles against its own reference are the power flow's, whatever the drift between them.
    const [, second] = out.islands;
    const ref = second.referenceBus;
    expect(Math.abs(second.referenceAngleRad - (solved.va[ref] + drift))).toBeLessThan(5 * sigma);
    expect(out.report.observable[bus(14)]).toBe(0);
    expect(out.report.vRe[bus(14)]).toBe(0);
  });

  it('is far off when the open breakers are ignored (the currents of open branches tie the islands together)', () => {
    const est = new TopologyEstimator(model);
    const closed = est.estimate(set.re, set.im, []);
    let worst = 0;
    for (const b of secondIsland)
      worst = Math.max(worst, Math.hypot(closed.report.vRe[b] - vRe[b], closed.report.vIm[b] - vIm[b]));
    expect(worst).toBeGreaterThan(20 * sigma);
  });

  it('reports an island without a PMU as unobservable and still estimates the others', () => {
    const first = solved.islands.islands[0].buses;
    const own = synthesizeMeasurements(net, solvePowerFlow(net), first, sigma, new SeededRandom(2));
    const m = measure(own, solved, sigma, secondIsland, drift);
    const out = new TopologyEstimator(MeasurementModel.central(net, m.set)).estimate(
      m.set.re,
      m.set.im,
      topology,
    );
    expect(out.islands[1].observableBuses).toBe(0);
    expect(Number.isNaN(out.islands[1].referenceAngleRad)).toBe(true);
    expect(out.islands[0].observableBuses).toBe(first.length);
    for (const b of first)
      expect(Math.hypot(out.report.vRe[b] - m.vRe[b], out.report.vIm[b] - m.vIm[b])).toBeLessThan(5 * sigma);
  });

  it('rebuilds only the numeric factor for a new topology and remembers topologies in a bounded LRU', () => {
    const est = new TopologyEstimator(model, undefined, 2);
    const structure = est.estimator.structure;
    est.estimate(set.re, set.im, []);
    est.estimate(set.re, set.im, topology);
    expect(est.estimator.cachedFactors).toBe(2);
    est.estimate(set.re, set.im, [...topology].reverse());
    expect(est.estimator.cachedFactors).toBe(2);
    est.estimate(set.re, set.im, SPLIT);
    expect(est.cachedTopologies).toBe(2);
    expect(est.estimator.structure).toBe(structure);
  });

  it('gives a topology that opens a branch at a zero-injection bus the constraints of its own Ybus', () => {
    const seven = bus(7);
    const k = [...Array(net.branchCount).keys()].find(
      (r) => net.branchFrom[r] === seven && net.branchTo[r] === bus(9),
    )!;
    const tripped = solveIslandedPowerFlow(net, breakerTopology(net, [k]));
    const base = synthesizeMeasurements(
      net,
      solvePowerFlow(net),
      placePmus(net, 'greedy'),
      0,
      new SeededRandom(3),
    );
    const exact = measure(base, tripped, 0, new Set(), 0);
    const ziModel = MeasurementModel.central(net, exact.set, { zeroInjection: true });
    expect([...ziModel.zeroInjection.bus]).toContain(seven);
    const est = new TopologyEstimator(ziModel);
    const out = est.estimate(exact.set.re, exact.set.im, [k]);
    expect(est.topology([k]).estimator).not.toBe(est.estimator);
    let worst = 0;
    for (let b = 0; b < net.busCount; b += 1)
      worst = Math.max(worst, Math.hypot(out.report.vRe[b] - exact.vRe[b], out.report.vIm[b] - exact.vIm[b]));
    expect(worst).toBeLessThan(1e-8);
    // The case's constraint at bus 7 still counts the open branch: with it the same rows miss the truth.
    const stale = est.estimator.estimate(exact.set.re, exact.set.im, [...out.rowsLeftOut]);
    let staleWorst = 0;
    for (let b = 0; b < net.busCount; b += 1)
      staleWorst = Math.max(staleWorst, Math.hypot(stale.vRe[b] - exact.vRe[b], stale.vIm[b] - exact.vIm[b]));
    expect(staleWorst).toBeGreaterThan(1e-3);
    // A topology away from zero-injection buses shares the estimator and its factorizations.
    expect(est.topology(SPLIT.filter((r) => r !== k)).estimator).toBe(est.estimator);
  });
});
