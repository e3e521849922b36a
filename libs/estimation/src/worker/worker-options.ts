import { DEFAULT_ESTIMATOR_OPTIONS, type EstimatorOptions } from '@gridcloud/grid';
import type { ChannelMap } from '../catalog/channel-map';
import { EstimationConfigError } from '../errors/estimation-config-error';

/** Settings of an estimation worker; every bound named with its unit. */
export interface WorkerOptions {
  /** Areas the network is cut into (libs/grid partitionBuses): 1 = one central estimate. */
  readonly areas: number;
  /** Workers computing each area (active replication); capped by the number of workers. */
  readonly replicas: number;
  /** Noise standard deviation of each rectangular phasor component, per unit (weights and the open-branch rule). */
  readonly sigmaPu: number;
  /** A branch whose every measured current is below this many sigma is taken as open. */
  readonly openBranchSigmas: number;
  /** Chi-square test and largest-normalized-residual removal of bad data. */
  readonly badData: boolean;
  /**
   * A replica of rank j > 0 waits j * backupDelayMs for the primary's result
   * before computing the area itself; 0 computes at once (plain active replication).
   */
  readonly backupDelayMs: number;
  /**
   * Area tasks waiting to be computed at most (primaries due now, backups on
   * their delay). Past it the oldest is shed and counted: a worker that falls
   * behind keeps up with the newest snapshots and its replicas cover the rest.
   */
  readonly maxQueuedAreas: number;
  /** Recent (snapshot, area) results remembered to skip a backup whose result arrived. */
  readonly maxRememberedResults: number;
  /**
   * Zero-injection buses (no load, no generation) as equality constraints in
   * every area that holds their whole neighbourhood (libs/grid).
   */
  readonly zeroInjection: boolean;
  readonly estimator: EstimatorOptions;
  readonly channelMap?: ChannelMap;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  areas: 1,
  replicas: 2,
  sigmaPu: 0.002,
  openBranchSigmas: 5,
  badData: true,
  backupDelayMs: 0,
  maxQueuedAreas: 256,
  maxRememberedResults: 65_536,
  zeroInjection: true,
  // Off in each estimate's report: that would analyse the set left after every bad-data removal too. A worker
  // publishes the criticality of the snapshot's measurement set instead, which libs/grid caches with its factor
  // (AreaModels asks observabilityReport for it; the full set's is computed when the area is built).
  estimator: { ...DEFAULT_ESTIMATOR_OPTIONS, criticalityAnalysis: false },
};

/** Validates options at start-up, naming the option, its unit and the allowed range. */
export function validateWorkerOptions(o: WorkerOptions): WorkerOptions {
  const check = (ok: boolean, text: string): void => {
    if (!ok) throw new EstimationConfigError(text);
  };
  const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  check(int(o.areas, 1, 65_535), `areas must be an integer in [1, 65535], got ${o.areas}`);
  check(int(o.replicas, 1, 64), `replicas must be an integer in [1, 64], got ${o.replicas}`);
  check(o.sigmaPu > 0 && o.sigmaPu <= 0.5, `sigmaPu must be in (0, 0.5] per unit, got ${o.sigmaPu}`);
  check(
    o.openBranchSigmas >= 0 && o.openBranchSigmas <= 100,
    `openBranchSigmas must be in [0, 100], got ${o.openBranchSigmas}`,
  );
  check(
    int(o.backupDelayMs, 0, 60_000),
    `backupDelayMs must be an integer in [0, 60000] ms, got ${o.backupDelayMs}`,
  );
  check(
    int(o.maxQueuedAreas, 1, 1_000_000),
    `maxQueuedAreas must be an integer in [1, 1000000] areas, got ${o.maxQueuedAreas}`,
  );
  check(
    int(o.maxRememberedResults, 1, 10_000_000),
    `maxRememberedResults must be an integer in [1, 10000000], got ${o.maxRememberedResults}`,
  );
  return o;
}
