import type { InfluxPoint } from './influx-point';

/** Bounds of the write path to InfluxDB, each with its unit last. */
export interface PointBufferOptions {
  /** Points held while InfluxDB is slow or down; past it the oldest are dropped and counted. */
  readonly maxBufferedPoints: number;
  /** Points in one HTTP write at most. */
  readonly maxBatchPoints: number;
  /** A partial batch is written once its oldest point waited this long. */
  readonly flushIntervalMs: number;
  /** First wait after a failed write; doubled on each further failure up to retryMaxMs. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_POINT_BUFFER_OPTIONS: PointBufferOptions = {
  maxBufferedPoints: 200_000,
  maxBatchPoints: 5_000,
  flushIntervalMs: 1_000,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
};

export interface PointBufferCounters {
  accepted: number;
  written: number;
  /** Points dropped because the buffer was full (InfluxDB down or too slow). */
  dropped: number;
  batches: number;
  writeErrors: number;
  lastError: string | undefined;
}

/**
 * The decisions of the InfluxDB write path, without sockets or timers: points come in, `take(now)` says which batch
 * to write now (one at a time), `written`/`failed` report how the write went. A failed batch goes back to the front
 * and is retried after an exponential backoff; while InfluxDB is down the buffer keeps the newest
 * `maxBufferedPoints` points (plus one batch in flight) and counts the oldest it drops: for monitoring the latest state
 * matters most.
 */
export class PointBuffer {
  readonly counters: PointBufferCounters = {
    accepted: 0,
    written: 0,
    dropped: 0,
    batches: 0,
    writeErrors: 0,
    lastError: undefined,
  };
  private points: InfluxPoint[] = [];
  private head = 0;
  /** When the oldest waiting point came in. */
  private oldestAtMs: number | undefined;
  private inFlight: InfluxPoint[] | undefined;
  private retryAtMs = 0;
  private failuresInRow = 0;

  constructor(readonly options: PointBufferOptions = DEFAULT_POINT_BUFFER_OPTIONS) {
    validatePointBufferOptions(options);
  }

  /** Points waiting, the batch in flight included. */
  get size(): number {
    return this.points.length - this.head + (this.inFlight?.length ?? 0);
  }

  get writing(): boolean {
    return this.inFlight !== undefined;
  }

  add(points: readonly InfluxPoint[], nowMs: number): void {
    if (points.length === 0) return;
    this.counters.accepted += points.length;
    this.oldestAtMs ??= nowMs;
    for (const p of points) this.points.push(p);
    this.trim();
  }

  /** The batch to write now, or undefined: one in flight already, backing off, or nothing due yet. */
  take(nowMs: number, force = false): InfluxPoint[] | undefined {
    const waiting = this.points.length - this.head;
    if (this.inFlight !== undefined || waiting === 0 || nowMs < this.retryAtMs) return undefined;
    const due =
      force ||
      waiting >= this.options.maxBatchPoints ||
      nowMs - (this.oldestAtMs ?? nowMs) >= this.options.flushIntervalMs;
    if (!due) return undefined;
    const end = Math.min(this.points.length, this.head + this.options.maxBatchPoints);
    this.inFlight = this.points.slice(this.head, end);
    this.head = end;
    this.compact();
    this.oldestAtMs = this.points.length > this.head ? nowMs : undefined;
    return this.inFlight;
  }

  written(): void {
    if (this.inFlight === undefined) throw new Error('PointBuffer.written() without a batch in flight');
    this.counters.written += this.inFlight.length;
    this.counters.batches += 1;
    this.inFlight = undefined;
    this.failuresInRow = 0;
  }

  failed(nowMs: number, reason: string): void {
    const batch = this.inFlight;
    if (batch === undefined) throw new Error('PointBuffer.failed() without a batch in flight');
    this.inFlight = undefined;
    this.counters.writeErrors += 1;
    this.counters.lastError = reason;
    this.failuresInRow += 1;
    const o = this.options;
    this.retryAtMs = nowMs + Math.min(o.retryMaxMs, o.retryInitialMs * 2 ** (this.failuresInRow - 1));
    this.points = batch.concat(this.points.slice(this.head));
    this.head = 0;
    this.oldestAtMs = nowMs - o.flushIntervalMs; // due again as soon as the backoff ends
    this.trim();
  }

  /** When take() may next return a batch, for the shell's timer; undefined when nothing waits. */
  nextDueMs(): number | undefined {
    if (this.inFlight !== undefined || this.points.length === this.head) return undefined;
    if (this.points.length - this.head >= this.options.maxBatchPoints) return this.retryAtMs;
    return Math.max(this.retryAtMs, (this.oldestAtMs ?? 0) + this.options.flushIntervalMs);
  }

  /**
   * Drops the oldest waiting points past the bound. A batch in flight is not counted: it is either written or, on
   * failure, put back at the front, where it is the oldest and the first to go.
   */
  private trim(): void {
    const drop = this.points.length - this.head - this.options.maxBufferedPoints;
    if (drop <= 0) return;
    this.head += drop;
    this.counters.dropped += drop;
    this.compact();
  }

  /** Drops the consumed prefix once it is the larger half, so the array never grows past twice the bound. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.points.length) {
      this.points = this.points.slice(this.head);
      this.head = 0;
    }
  }
}

export function validatePointBufferOptions(o: PointBufferOptions): void {
  const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!int(o.maxBatchPoints, 1, 1_000_000))
    throw new RangeError(`maxBatchPoints must be in [1, 1000000] points, got ${o.maxBatchPoints}`);
  if (!int(o.maxBufferedPoints, o.maxBatchPoints, 100_000_000))
    throw new RangeError(
      `maxBufferedPoints must be at least maxBatchPoints (${o.maxBatchPoints}) points, got ${o.maxBufferedPoints}`,
    );
  if (!int(o.flushIntervalMs, 1, 3_600_000))
    throw new RangeError(`flushIntervalMs must be in [1, 3600000] ms, got ${o.flushIntervalMs}`);
  if (!int(o.retryInitialMs, 1, o.retryMaxMs))
    throw new RangeError(`retryInitialMs must be in [1, retryMaxMs] ms, got ${o.retryInitialMs}`);
}
