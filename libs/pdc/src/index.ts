/**
 * @gridcloud/pdc: the pure parts of a phasor data concentrator. Time
 * alignment of PMU frames into snapshots (wait window, late and missing
 * frames reported, bounded buffers), per-PMU data-quality statistics, and
 * the PDC client session with a PMU as a `step(event) -> effects` machine.
 * No sockets, timers or clocks in those: time is always an argument. One
 * thin shell, PdcClient, runs the session over a TCP socket.
 */
export { PdcConfigError } from './errors/pdc-config-error';
export {
  DEFAULT_ALIGNER_OPTIONS,
  validateAlignerOptions,
  type AlignerOptions,
} from './alignment/aligner-options';
export type {
  AlignedSnapshot,
  AlignerEffect,
  RefusalReason,
  ReleaseReason,
  TimedFrame,
} from './alignment/aligned-snapshot';
export { newAlignerCounters, type AlignerCounters } from './alignment/aligner-counters';
export { TimeAligner } from './alignment/time-aligner';
export { LatencyHistogram, quantileOfBuckets } from './quality/latency-histogram';
export { DataQualityStats, type DataQualityOptions } from './quality/data-quality-stats';
export type { PmuQuality } from './quality/pmu-quality';
export type { PmuQualityReport, QualityReport } from './quality/quality-report';
export {
  DEFAULT_SESSION_OPTIONS,
  validateSessionOptions,
  type SessionOptions,
} from './session/session-options';
export type { SessionCommand, SessionEffect, SessionEvent, SessionState } from './session/session-types';
export { PdcSession, type JitterSource } from './session/pdc-session';
export { PdcClient, type PdcClientHandlers, type PdcClientOptions } from './session/pdc-client';
export {
  UdpSourceSession,
  type UdpSourceEffect,
  type UdpSourceEvent,
  type UdpSourceOptions,
  type UdpSourceState,
} from './session/udp-source-session';
export {
  SnapshotMerger,
  type MergedPart,
  type MergedSnapshot,
  type MergerCounters,
  type MergerEffect,
  type MergerOptions,
  type PartCounters,
  type PartOffer,
} from './merge/snapshot-merger';
