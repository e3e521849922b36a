import type { AlignedSnapshot } from '@gridcloud/pdc';
import type { PmuSample } from '../pipeline/pmu-sample';

export type Snapshot = AlignedSnapshot<PmuSample>;

/** A late frame: its sample, the slot it belonged to, and its age on arrival (arrival minus the slot's instant). */
export interface LateFrame {
  readonly sample: PmuSample;
  readonly slot: number;
  readonly ageMs: number;
}

/** A data frame as it arrived (the stream's bytes, CRC included), with its measurement time. */
export interface RawDataFrame {
  /** IDCODE of the stream (PMU or PDC) that sent it. */
  readonly streamIdcode: number;
  /** SOC + FRACSEC / TIME_BASE, in ns since 1970. */
  readonly timeNs: bigint;
  readonly bytes: Uint8Array;
  readonly arrivalMs: number;
}

/**
 * Where aligned snapshots go: Kafka, a JSON-lines file, an in-process
 * subscriber. This is the seam for the estimator group (libs/vsync): a sink
 * that multicasts each snapshot to the group plugs in here without the
 * ingest knowing about group communication.
 */
export interface SnapshotSink {
  publish(snapshot: Snapshot): void;
  /**
   * A frame that arrived after its snapshot was released. It is not merged
   * (snapshots are immutable once out) but handed on, flagged, so a consumer
   * that can use it (an archive, a slower estimator) still may.
   */
  publishLate?(frame: LateFrame): void;
  /** False when `publishLate` would hand the frame to no one, so no late sample need be made; absent: true. */
  readonly takesLate?: boolean;
  /** Every data frame accepted from a bound source, raw, for an archive (the file store); copied only if asked. */
  publishFrame?(frame: RawDataFrame): void;
  /** Flushes what is queued; called once at shutdown. */
  close(): Promise<void>;
}

/** Whether `sink` takes late frames: it has `publishLate` and does not say it would hand them to no one. */
export function takesLateFrames(sink: SnapshotSink): boolean {
  return sink.publishLate !== undefined && sink.takesLate !== false;
}

export function lateFrameToJson(l: LateFrame): Record<string, unknown> {
  return {
    slot: l.slot,
    ageMs: l.ageMs,
    idcode: l.sample.idcode,
    stream: l.sample.streamIdcode,
    stat: l.sample.stat,
    phasors: Array.from(l.sample.phasors),
    arrivalMs: l.sample.arrivalMs,
  };
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
      ...(v.analogs.length > 0 ? { analogs: Array.from(v.analogs) } : {}),
      ...(v.digitals.length > 0 ? { digitals: Array.from(v.digitals) } : {}),
      arrivalMs: v.arrivalMs,
    })),
  };
}
