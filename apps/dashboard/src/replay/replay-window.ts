import { ReplayRequestError } from '../errors/replay-request-error';

/** What the recording holds: its first and last snapshot times (ms) and how many snapshots. */
export interface RecordedSpan {
  readonly firstMs: number;
  readonly lastMs: number;
  readonly snapshots: number;
}

export interface ReplayWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The recorder's own bound on one job's window (its job data is refused past it). */
export const MAX_REPLAY_WINDOW_MS = 7 * 24 * 3_600_000;

/**
 * Checks a browser's `replay:start` request against the recording: a window of whole ms inside the recorded span,
 * not reversed, within the recorder's bound, and no more than `maxJobs` replays of this dashboard unfinished.
 * Every refusal is a ReplayRequestError whose message the page shows as it is.
 */
export function checkReplayRequest(
  body: unknown,
  span: RecordedSpan | undefined,
  unfinished: number,
  maxJobs: number,
): ReplayWindow {
  if (typeof body !== 'object' || body === null)
    throw new ReplayRequestError('a replay needs {fromMs, toMs}');
  const { fromMs, toMs } = body as Record<string, unknown>;
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs))
    throw new ReplayRequestError(
      `fromMs and toMs must be times in whole ms, got ${String(fromMs)} and ${String(toMs)}`,
    );
  const [from, to] = [fromMs as number, toMs as number];
  if (to < from) throw new ReplayRequestError(`the window ends (${iso(to)}) before it starts (${iso(from)})`);
  if (to - from > MAX_REPLAY_WINDOW_MS)
    throw new ReplayRequestError(`the window is ${to - from} ms, longer than ${MAX_REPLAY_WINDOW_MS} ms`);
  if (span === undefined) throw new ReplayRequestError('the recording is empty: nothing to replay yet');
  if (from < span.firstMs || to > span.lastMs)
    throw new ReplayRequestError(
      `the window ${iso(from)} to ${iso(to)} is outside the recording, which holds ${iso(span.firstMs)} to ${iso(span.lastMs)}`,
    );
  if (unfinished >= maxJobs)
    throw new ReplayRequestError(
      `${unfinished} replay job(s) from this dashboard still running: at most ${maxJobs} (--max-replay-jobs)`,
    );
  return { fromMs: from, toMs: to };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** A bus's replayed and live values at the same instants, as the Results table and plot show them. */
export interface BusComparison {
  readonly bus: number;
  readonly times: number[];
  readonly replay: { vm: number[]; va: number[] };
  readonly live: { vm: (number | null)[]; va: (number | null)[] };
  /** True when the window held more instants than the request may read (--max-replay-points). */
  readonly truncated: boolean;
}

export interface BusPoint {
  readonly timeMs: number;
  readonly vm: number;
  readonly va: number;
}

/** Lines up the live points with the replayed instants (null where the live run wrote none, e.g. --bus-voltage-every). */
export function compareBus(
  bus: number,
  replay: readonly BusPoint[],
  live: readonly BusPoint[],
  maxPoints: number,
): BusComparison {
  const byTime = new Map(live.map((p) => [p.timeMs, p]));
  const kept = replay.slice(0, maxPoints);
  return {
    bus,
    times: kept.map((p) => p.timeMs),
    replay: { vm: kept.map((p) => p.vm), va: kept.map((p) => p.va) },
    live: {
      vm: kept.map((p) => byTime.get(p.timeMs)?.vm ?? null),
      va: kept.map((p) => byTime.get(p.timeMs)?.va ?? null),
    },
    truncated: replay.length > maxPoints,
  };
}
