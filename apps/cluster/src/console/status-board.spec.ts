import { describe, expect, it } from 'vitest';
import { formatStatus, StatusBoard } from './status-board';

const stats = (framesOffered: number, snapshots: number) => ({
  aligner: { framesOffered, snapshots, refused: { duplicate: 1, future: 0 } },
});

describe('StatusBoard', () => {
  it('keeps rates positive across an ingest restart and reports the interval latency quantiles', () => {
    const board = new StatusBoard();
    board.take(0);
    board.onIngestStats(stats(1080, 30));
    for (let i = 1; i <= 100; i += 1) board.onEstimate(i, i === 50 ? 0.004 : 0.001);
    board.onEstimators(['estimator/0', 'estimator/1']);
    const first = board.take(1000);
    expect(first).toMatchObject({
      framesPerS: 1080,
      snapshotsPerS: 30,
      estimatesPerS: 100,
      maxVoltageErrorPu: 0.004,
    });
    expect(first.latencyMs).toEqual({ p50: 51, p99: 100 });

    // ingest was SIGKILLed and restarted: its next report counts from zero.
    board.onIngestStarted();
    board.onIngestStats(stats(540, 15));
    board.onRestart();
    const second = board.take(2000);
    expect(second).toMatchObject({ framesPerS: 540, snapshotsPerS: 15, framesIn: 1620, restarts: 1 });
    expect(second.latencyMs).toEqual({ p50: null, p99: null });
    expect(formatStatus(second)).toContain('frames in 540.0/s | snapshots 15.0/s | estimates 0.0/s (100)');
  });
});
