import { describe, expect, it } from 'vitest';
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
