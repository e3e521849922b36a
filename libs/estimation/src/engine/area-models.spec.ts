import { DEFAULT_ESTIMATOR_OPTIONS, zeroInjectionBuses } from '@gridcloud/grid';
import { describe, expect, it } from 'vitest';
import { bindCatalog } from '../catalog/measurement-layout';
import { measurementFrame } from '../catalog/measurement-frame';
import { AreaModels } from './area-models';
import type { AreaResult } from './area-result';
import { GridFixture, loadCase } from '../testing/grid-fixture';
import { decodeSnapshot, encodeSnapshot, type SnapshotInput } from '../wire/snapshot-codec';
import { EstimationWorker } from '../worker/estimation-worker';
import { DEFAULT_WORKER_OPTIONS } from '../worker/worker-options';

const net = loadCase('case14');
const AREAS = 1;
/** Branch row of 7-9: bus 7 has no load and no generation, so with zero injection it is constrained. */
const BRANCH_7_9 = net.powerCase.branches.findIndex((b) => b.from === 7 && b.to === 9);

/** One worker computing every area of a snapshot; the largest |V - truth| over the buses the areas own. */
function worstOwnError(
  zeroInjection: boolean,
  snapshot: SnapshotInput,
  truth: { vRe: Float64Array; vIm: Float64Array },
  grid: GridFixture,
): { worst: number; owned: number } {
  const worker = new EstimationWorker(
    net,
    { ...DEFAULT_WORKER_OPTIONS, areas: AREAS, replicas: 1, zeroInjection },
    () => 0,
  );
  worker.onCatalog(grid.catalog(1));
  worker.onSnapshot(decodeSnapshot(encodeSnapshot(snapshot, 1)), ['w0'], 'w0', 0);
  const results: AreaResult[] = worker.runDue(0);
  expect(results.length).toBe(AREAS);
  let [worst, owned] = [0, 0];
  for (const r of results)
    r.buses.forEach((b, j) => {
      if (r.own[j] === 0) return;
      owned += 1;
      worst = Math.max(worst, Math.hypot(r.vRe[j] - truth.vRe[b], r.vIm[j] - truth.vIm[b]));
    });
  return { worst, owned };
}

describe('AreaModels with zero-injection constraints (case14, bus 7)', () => {
  // Near-exact PMUs: a constraint that does not hold shows as an error far above the noise.
  const grid = new GridFixture(net, 'greedy', 1e-7, 3);

  it('keeps a near-exact frame exact and sees at least the buses it sees without them', () => {
    const truth = grid.truth();
    const on = worstOwnError(true, grid.snapshot(1, truth), truth, grid);
    const off = worstOwnError(false, grid.snapshot(2, truth), truth, grid);
    expect(on.worst).toBeLessThan(1e-5);
    expect(on.owned).toBeGreaterThanOrEqual(off.owned);
  });

  it('with branch 7-9 open, estimates bus 7 without its closed-network constraint (the tripped truth within 1e-5)', () => {
    expect(BRANCH_7_9).toBeGreaterThanOrEqual(0);
    const tripped = grid.truth([BRANCH_7_9]);
    const { worst, owned } = worstOwnError(true, grid.snapshot(3, tripped), tripped, grid);
    expect(owned).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('AreaModels with a branch open at a constrained bus (case118)', () => {
  const net118 = loadCase('case118');
  const grid = new GridFixture(net118, 'greedy', 1e-7, 5);
  const zi = new Set(zeroInjectionBuses(net118));
  // A branch with exactly one zero-injection end: opening it changes that bus's injection equation only.
  const k = net118.powerCase.branches.findIndex(
    (_, b) => zi.has(net118.branchFrom[b]) !== zi.has(net118.branchTo[b]),
  );
  const layout = bindCatalog(net118, grid.catalog(1), 1e-7);
  const labels = new Int32Array(net118.busCount);

  function degreesOfFreedom(zeroInjection: boolean, open: boolean): number {
    const models = new AreaModels(net118, layout, labels, 1, DEFAULT_ESTIMATOR_OPTIONS, zeroInjection);
    const truth = grid.truth(open ? [k] : []);
    const frame = measurementFrame(layout, decodeSnapshot(encodeSnapshot(grid.snapshot(1, truth), 1)));
    const branches = open ? Int32Array.of(k) : new Int32Array(0);
    return models.estimate(0, frame, branches, false, 1e-3, branches).degreesOfFreedom;
  }

  it('drops the constraint of the bus whose injection equation changed and keeps every other one', () => {
    expect(k).toBeGreaterThanOrEqual(0);
    expect(zi.size).toBeGreaterThan(2);
    // Each constraint used adds two real degrees of freedom; the same rows are used with and without them.
    const closed = degreesOfFreedom(true, false) - degreesOfFreedom(false, false);
    const open = degreesOfFreedom(true, true) - degreesOfFreedom(false, true);
    expect(closed).toBeGreaterThan(4);
    expect(open).toBe(closed - 2);
  });
});
