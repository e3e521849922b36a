import { describe, expect, it } from 'vitest';
import { ReplayRequestError } from '../errors/replay-request-error';
import { checkReplayRequest, compareBus } from './replay-window';

const span = { firstMs: 1_000_000, lastMs: 1_060_000, snapshots: 600 };

describe('checkReplayRequest', () => {
  it('accepts a window inside the recording', () => {
    expect(checkReplayRequest({ fromMs: 1_000_000, toMs: 1_060_000 }, span, 0, 1)).toEqual({
      fromMs: 1_000_000,
      toMs: 1_060_000,
    });
  });

  it('refuses a window outside the recording, naming what the recording holds', () => {
    expect(() => checkReplayRequest({ fromMs: 999_999, toMs: 1_010_000 }, span, 0, 1)).toThrow(
      /outside the recording, which holds 1970-01-01T00:16:40.000Z to 1970-01-01T00:17:40.000Z/,
    );
    expect(() => checkReplayRequest({ fromMs: 1_000_000, toMs: 1_060_001 }, span, 0, 1)).toThrow(
      ReplayRequestError,
    );
  });

  it('refuses bad, reversed and empty-recording requests, and more unfinished jobs than the bound', () => {
    expect(() => checkReplayRequest(null, span, 0, 1)).toThrow(/needs \{fromMs, toMs\}/);
    expect(() => checkReplayRequest({ fromMs: '1', toMs: 2 }, span, 0, 1)).toThrow(/whole ms/);
    expect(() => checkReplayRequest({ fromMs: 1_050_000, toMs: 1_040_000 }, span, 0, 1)).toThrow(
      /before it starts/,
    );
    expect(() => checkReplayRequest({ fromMs: 1, toMs: 2 }, undefined, 0, 1)).toThrow(/recording is empty/);
    expect(() => checkReplayRequest({ fromMs: 1_000_000, toMs: 1_001_000 }, span, 1, 1)).toThrow(
      /at most 1 \(--max-replay-jobs\)/,
    );
  });
});

describe('compareBus', () => {
  it('lines live values up with the replayed instants and bounds the points', () => {
    const replay = [1, 2, 3].map((t) => ({ timeMs: t, vm: 1 + t / 100, va: -t }));
    const live = [{ timeMs: 2, vm: 1.5, va: -9 }];
    const c = compareBus(4, replay, live, 2);
    expect(c).toEqual({
      bus: 4,
      times: [1, 2],
      replay: { vm: [1.01, 1.02], va: [-1, -2] },
      live: { vm: [null, 1.5], va: [null, -9] },
      truncated: true,
    });
  });
});
