import type { AlignerCounters, QualityReport } from '@gridcloud/pdc';
import type { IngestOptions, TcpTarget } from '../config/ingest-options';
import type { SourceTotals } from '../pipeline/ingest-pipeline';
import type { PmuInfo } from '../pipeline/pmu-registry';

/** What a shard worker is started with. */
export interface ShardInit {
  readonly shard: number;
  readonly targets: readonly TcpTarget[];
  readonly options: IngestOptions;
  /** Int32 slot `shard` counts this shard's partial snapshots posted but not yet taken by the main thread. */
  readonly inFlight: SharedArrayBuffer;
  /** How often the shard reports its counters; its per-PMU quality goes with every `qualityEvery`-th report. */
  readonly statusIntervalMs: number;
  readonly qualityEvery: number;
  /** Whether a sink takes late frames; without one the shard does not send them. */
  readonly wantsLate: boolean;
}

/** A shard's counters, as the main thread sums them for the `stats` line. */
export interface ShardStatus {
  readonly aligner: AlignerCounters;
  readonly pendingSnapshots: number;
  readonly pmusRefused: number;
  readonly totals: SourceTotals;
  /** Partial snapshots dropped because `maxShardQueue` were already waiting for the main thread. */
  readonly droppedSnapshots: number;
  readonly droppedSamples: number;
  /** Late frames dropped because too many waited to be sent, or not sent at all (no sink takes late frames). */
  readonly droppedLate: number;
}

/** Worker to main thread. Buffers are transferred, never copied. */
export type ShardMessage =
  | { readonly type: 'partial'; readonly buffer: ArrayBuffer }
  /** Frames that came after their slot left the shard's aligner: the samples, and per sample its slot and age. */
  | {
      readonly type: 'late';
      readonly buffer: ArrayBuffer;
      readonly slots: Float64Array;
      readonly ages: Float64Array;
    }
  | { readonly type: 'status'; readonly status: ShardStatus }
  /** The shard's expected PMUs, ascending, whenever they change. */
  | { readonly type: 'expected'; readonly pmus: readonly number[] }
  /** The shard's registry whenever a configuration changed it (for the PMU catalog of the sinks). */
  | { readonly type: 'registry'; readonly pmus: readonly PmuInfo[] }
  | {
      readonly type: 'quality';
      readonly report: QualityReport;
      readonly sources: readonly (readonly [number, string])[];
    }
  | { readonly type: 'log'; readonly line: string }
  /** The answer to `stop`: every source's counters in full, after the shard flushed its aligner. */
  | {
      readonly type: 'stopped';
      readonly sources: readonly Record<string, unknown>[];
      readonly quality: QualityReport;
      readonly status: ShardStatus;
    };

/** Main thread to worker. */
export type ShardCommand = { readonly type: 'stop' };
