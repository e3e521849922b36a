import type { FrameReject } from '@gridcloud/c37118';

const MAX_RECENT_ERRORS = 8;

/** Why a source's decoded input was not used, beside the decoder's frame rejects. */
export type RefusalKind =
  /** A configuration the pipeline did not take (its rate does not fit the alignment rate). */
  | 'config'
  /** A PMU of a configuration that this source may not bind (bound elsewhere, or a per-source or overall bound). */
  | 'pmu'
  /** A sample for a PMU not bound to this source. */
  | 'unbound-sample'
  /** A sample whose time is not a time (the aligner's invalid-time). */
  | 'invalid-time'
  /** A sample stamped too far ahead of this clock (the aligner's future). */
  | 'future';

/**
 * Counters and recent errors of one source (a TCP connection target, a UDP
 * sender, a Kafka partition), so a bad peer is visible by name while the
 * others stream on. The error list is bounded.
 */
export class SourceStats {
  state = 'active';
  connects = 0;
  disconnects = 0;
  /** Socket errors (refused, reset, unreachable) and connections given up on (connect, CFG-2 or data timeouts). */
  connectionErrors = 0;
  configs = 0;
  dataFrames = 0;
  /** Frames of a stream reporting faster than the alignment rate that fall between alignment instants. */
  decimatedFrames = 0;
  bytesIn = 0;
  /** CFG-2 requests sent to a UDP sender whose data arrived undescribed or changed. */
  configRequests = 0;
  /** Times a UDP sender went silent (no data for --data-timeout-ms). */
  silences = 0;
  readonly rejects: Record<string, number> = {};
  readonly refused: Record<string, number> = {};
  readonly recentErrors: string[] = [];

  constructor(readonly label: string) {}

  reject(r: FrameReject): void {
    this.rejects[r.reason] = (this.rejects[r.reason] ?? 0) + 1;
    this.error(`${r.reason}: ${r.message}`);
  }

  /** Counts input refused after decoding; `message` (when given) goes to the recent errors. */
  refuse(kind: RefusalKind, message?: string): void {
    this.refused[kind] = (this.refused[kind] ?? 0) + 1;
    if (message !== undefined) this.error(message);
  }

  connectionError(message: string): void {
    this.connectionErrors += 1;
    this.error(message);
  }

  /** Adds another source's counters to this one (its recent errors are not kept). */
  absorb(other: SourceStats): void {
    this.connects += other.connects;
    this.disconnects += other.disconnects;
    this.connectionErrors += other.connectionErrors;
    this.configs += other.configs;
    this.dataFrames += other.dataFrames;
    this.decimatedFrames += other.decimatedFrames;
    this.bytesIn += other.bytesIn;
    this.configRequests += other.configRequests;
    this.silences += other.silences;
    addCounts(this.rejects, other.rejects);
    addCounts(this.refused, other.refused);
  }

  error(message: string): void {
    if (this.recentErrors.length >= MAX_RECENT_ERRORS) this.recentErrors.shift();
    this.recentErrors.push(message);
  }

  toJson(): Record<string, unknown> {
    return {
      source: this.label,
      state: this.state,
      connects: this.connects,
      disconnects: this.disconnects,
      connectionErrors: this.connectionErrors,
      configs: this.configs,
      dataFrames: this.dataFrames,
      decimatedFrames: this.decimatedFrames,
      bytesIn: this.bytesIn,
      configRequests: this.configRequests,
      silences: this.silences,
      rejects: { ...this.rejects },
      refused: { ...this.refused },
      recentErrors: [...this.recentErrors],
    };
  }
}

export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}
