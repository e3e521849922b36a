import { EstimationConfigError } from '../errors/estimation-config-error';

/** Bounds of a ResultCollector. */
export interface CollectorOptions {
  /**
   * Snapshot times waiting for their areas at most. When one more opens, the
   * oldest is closed incomplete and its missing areas counted: the window of
   * lateness a consumer tolerates, in snapshots (30 at 30 fps = 1 s).
   */
  readonly maxOpenSnapshots: number;
  /** Closed snapshot times remembered, to tell a duplicate or late result from a new one. */
  readonly maxClosedSnapshots: number;
}

export const DEFAULT_COLLECTOR_OPTIONS: CollectorOptions = { maxOpenSnapshots: 64, maxClosedSnapshots: 4096 };

export function validateCollectorOptions(o: CollectorOptions): CollectorOptions {
  const ok = (v: number): boolean => Number.isInteger(v) && v >= 1 && v <= 1_000_000;
  if (!ok(o.maxOpenSnapshots))
    throw new EstimationConfigError(
      `maxOpenSnapshots must be an integer in [1, 1000000] snapshots, got ${o.maxOpenSnapshots}`,
    );
  if (!ok(o.maxClosedSnapshots))
    throw new EstimationConfigError(
      `maxClosedSnapshots must be an integer in [1, 1000000] snapshots, got ${o.maxClosedSnapshots}`,
    );
  return o;
}
