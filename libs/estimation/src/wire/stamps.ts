import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond resolution. Processes on one host read the same
 * clock, so stamps taken in ingest, a worker and a consumer subtract into per-stage latencies.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * When the snapshot behind an area result passed each stage on its way to the worker's publish, in epoch ms
 * (wallClockMs or Date.now()). NaN where a sender did not stamp (a version 1 encoding).
 */
export interface PathStamps {
  /** ingest received the snapshot's last PMU frame. */
  readonly receivedAtMs: number;
  /** ingest's aligner released the snapshot. */
  readonly releasedAtMs: number;
  /** The worker got the snapshot from the estimators group. */
  readonly deliveredAtMs: number;
  /** The worker finished this area (its result leaves now). */
  readonly computedAtMs: number;
}

/** The header size of an encoding, by the version byte at offset 4 (the newest's when too short to say). */
export function headerBytesOf(bytes: Uint8Array, byVersion: Readonly<Record<number, number>>): number {
  const newest = Math.max(...Object.keys(byVersion).map(Number));
  const version = bytes instanceof Uint8Array && bytes.length > 4 ? bytes[4] : newest;
  return byVersion[version] ?? byVersion[newest];
}
