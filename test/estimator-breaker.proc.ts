import { afterAll, describe, expect, it } from 'vitest';
import { maxVoltageError } from '@gridcloud/estimation';
import { EstimatorPipeline } from './support/estimator-pipeline';
import { readTruth } from './support/estimation-results';

const NOISE_SIGMA_PU = 0.002;
/** Branch row 6 of case14 (bus 4 to bus 5) trips this many seconds after pmu-sim starts. */
const TRIPPED = 6;
const TRIP_AT_S = 12;

/**
 * Breaker status end to end: pmu-sim sends breaker words (a bit per branch
 * end, opening in the frame of a trip), ingest carries them in the aligned
 * snapshot, and the estimator takes the topology from them. The estimator
 * runs with the open-branch rule off (--open-branch-sigmas 0: no current is
 * below zero), so only the breaker bits can tell it the line opened.
 */
describe('breaker status: pmu-sim (breaker words) -> ingest -> estimator (rule off) -> a results consumer', () => {
  const pipeline = new EstimatorPipeline('breaker');
  afterAll(() => pipeline.close());

  it('the estimate of the first snapshot after the trip uses the new topology, and every one after it', async () => {
    const { estimates, truthFile } = await pipeline.run({
      caseName: 'case14',
      estimatorFlags: ['--areas', '2', '--replicas', '1', '--open-branch-sigmas', '0'],
      simFlags: [
        '--digitals',
        'breakers',
        '--noise-sigma-pu',
        String(NOISE_SIGMA_PU),
        '--trip-line',
        `${TRIPPED}@${TRIP_AT_S}`,
      ],
      ingestDurationS: 14,
      settleMs: 1500,
    });

    const truth = readTruth(truthFile);
    const ordered = [...estimates].sort((a, b) => a.timeSec - b.timeSec);
    const after = ordered.filter((e) => truth.at(e.timeSec)?.tripped.includes(TRIPPED) === true);
    const before = ordered.filter((e) => truth.at(e.timeSec)?.tripped.includes(TRIPPED) === false);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(60);
    // The first estimate after the trip: the snapshot of the trip's first frame when ingest released it.
    const first = after[0];
    const tripTime = truth.at(first.timeSec)!.timeSec;
    expect(first.timeSec - tripTime).toBeLessThan(1 / 30 + 1e-6);
    expect([...first.openBranches]).toEqual([TRIPPED]);
    const wrong = after.filter((e) => !e.openBranches.includes(TRIPPED)).map((e) => e.slot);
    expect(wrong, 'estimates after the trip without branch 6 open').toEqual([]);
    expect(before.filter((e) => e.openBranches.length > 0).map((e) => e.slot)).toEqual([]);
    let worst = 0;
    for (const e of after) worst = Math.max(worst, maxVoltageError(e, truth.at(e.timeSec)!).maxErrorPu);
    expect(worst).toBeLessThan(6 * NOISE_SIGMA_PU);
    process.stderr.write(
      `estimator-breaker: ${before.length} estimates before the trip, ${after.length} after; first after at +${((first.timeSec - tripTime) * 1000).toFixed(1)} ms reports open ${[...first.openBranches]}; largest error after ${worst.toFixed(5)} pu\n`,
    );
  }, 90_000);
});
