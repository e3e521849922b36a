import type { FrameReject } from '@gridcloud/c37118';

const MAX_RECENT_ERRORS = 8;

/**
 * Counters and recent errors of one source (a TCP connection target, a UDP
 * sender, a Kafka partition), so a bad peer is visible by name while the
 * others stream on. The error list is bounded.
 */
export class SourceStats {
  state = 'active';
  connects = 0;
  disconnects = 0;
  configs = 0;
  dataFrames = 0;
  bytesIn = 0;
  readonly rejects: Record<string, number> = {};
  readonly recentErrors: string[] = [];

  constructor(readonly label: string) {}

  reject(r: FrameReject): void {
    this.rejects[r.reason] = (this.rejects[r.reason] ?? 0) + 1;
    this.error(`${r.reason}: ${r.message}`);
  }

  /** Adds another source's counters to this one (its recent errors are not kept). */
  absorb(other: SourceStats): void {
    this.connects += other.connects;
    this.disconnects += other.disconnects;
    this.configs += other.configs;
    this.dataFrames += other.dataFrames;
    this.bytesIn += other.bytesIn;
    for (const [reason, n] of Object.entries(other.rejects)) this.rejects[reason] = (this.rejects[reason] ?? 0) + n;
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
      configs: this.configs,
      dataFrames: this.dataFrames,
      bytesIn: this.bytesIn,
      rejects: { ...this.rejects },
      recentErrors: [...this.recentErrors],
    };
  }
}
