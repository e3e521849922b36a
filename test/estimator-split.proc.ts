import { afterAll, describe, expect, it } from 'vitest';
import { type SystemEstimate } from '@gridcloud/estimation';
import { EstimatorPipeline } from './support/estimator-pipeline';
import { readTruth } from './support/estimation-results';

const NOISE_SIGMA_PU = 0.002;
/** case14 branch rows 6-12 and 12-13: with both open, load bus 12 has no source left. */
const SPLIT = [11, 18];
// Late enough that ingest, started after pmu-sim on a loaded machine, sees the grid whole first.
const SPLIT_AT_S = 14;
const BUS_12 = 11;

/**
 * A trip that splits the grid, end to end: pmu-sim (a PMU at every bus, breaker words) keeps streaming once
 * branches 6-12 and 12-13 open, with bus 12 dead (its truth solved per island); ingest carries the breaker
 * bits and the estimator reports bus 12 de-energized in its area results (layout version 3).
 */
describe('a splitting trip: pmu-sim -> ingest -> estimator -> a results consumer sees the dead bus', () => {
  const pipeline = new EstimatorPipeline('split');
  afterAll(() => pipeline.close());

  it('estimates after the split name bus 12 de-energized and both branches open; none before does', async () => {
    const { estimates, truthFile } = await pipeline.run({
      caseName: 'case14',
      estimatorFlags: ['--areas', '2', '--replicas', '1'],
      simFlags: [
        ...['--digitals', 'breakers', '--placement', 'all', '--noise-sigma-pu', String(NOISE_SIGMA_PU)],
        ...SPLIT.flatMap((k) => ['--trip-line', `${k}@${SPLIT_AT_S}`]),
      ],
      ingestDurationS: 17,
      settleMs: 1500,
    });

    const truth = readTruth(truthFile);
    const split = (e: SystemEstimate): boolean => truth.at(e.timeSec)?.tripped.length === SPLIT.length;
    const ordered = [...estimates].sort((a, b) => a.timeSec - b.timeSec);
    const after = ordered.filter(split);
    const before = ordered.filter((e) => truth.at(e.timeSec)?.tripped.length === 0);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(30);
    const notDead = after
      .filter((e) => [...(e.deEnergized ?? [])].join() !== String(BUS_12))
      .map((e) => e.slot);
    expect(notDead, 'estimates after the split without bus 12 de-energized').toEqual([]);
    expect(after.every((e) => SPLIT.every((k) => e.openBranches.includes(k)))).toBe(true);
    expect(before.filter((e) => (e.deEnergized ?? []).length > 0).map((e) => e.slot)).toEqual([]);
    process.stderr.write(
      `estimator-split: ${before.length} estimates before the split, ${after.length} after, each with bus 12 de-energized\n`,
    );
  }, 90_000);
});
