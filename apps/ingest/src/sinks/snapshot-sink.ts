import type { AlignedSnapshot } from '@gridcloud/pdc';
import type { PmuSample } from '../pipeline/pmu-sample';

export type Snapshot = AlignedSnapshot<PmuSample>;

/**
 * Where aligned snapshots go: Kafka, a JSON-lines file, an in-process
 * subscriber. This is the seam for the estimator group (libs/vsync): a sink
 * that multicasts each snapshot to the group plugs in here without the
 * ingest knowing about group communication.
 */
export interface SnapshotSink {
  publish(snapshot: Snapshot): void;
  /** Flushes what is queued; called once at shutdown. */
  close(): Promise<void>;
}

/** The wire form of a snapshot (Kafka value, JSON lines): plain JSON, phasors as flat (re, im) arrays. */
export function snapshotToJson(s: Snapshot): Record<string, unknown> {
  return {
    timeSec: s.timeSec,
    slot: s.slot,
    complete: s.complete,
    reason: s.reason,
    missing: s.missing,
    skippedSlotsBefore: s.skippedSlotsBefore,
    firstArrivalMs: s.firstArrivalMs,
    lastArrivalMs: s.lastArrivalMs,
    releasedAtMs: s.releasedAtMs,
    pmus: s.values.map((v) => ({
      idcode: v.idcode,
      stream: v.streamIdcode,
      stat: v.stat,
      timeQuality: v.timeQuality,
      freqHz: v.freqHz,
      rocofHzPerS: v.rocofHzPerS,
      phasors: Array.from(v.phasors),
      arrivalMs: v.arrivalMs,
    })),
  };
}
