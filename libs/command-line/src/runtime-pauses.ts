import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type IntervalHistogram,
} from 'node:perf_hooks';

/** Event-loop delay is sampled at this resolution, in milliseconds. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/** What stalled a process since the previous report: how late its event loop ran and its garbage-collection pauses. */
export interface PauseReport {
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gcPauses: {
    readonly count: number;
    readonly totalMs: number;
    readonly maxMs: number;
    /** Milliseconds paused in young-generation (minor) and full (major) collections. */
    readonly minorMs: number;
    readonly majorMs: number;
  };
}

/**
 * Watches the process's event-loop delay and garbage-collection pauses, reset at every report, so a periodic stats
 * line says whether a slow second was the process's own stall (a long collection, a blocked loop) or the machine.
 */
export class RuntimePauses {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private readonly gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.gcCount += 1;
      this.gcTotalMs += entry.duration;
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.gcMinorMs += entry.duration;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.gcMajorMs += entry.duration;
      if (entry.duration > this.gcMaxMs) this.gcMaxMs = entry.duration;
    }
  });
  private gcCount = 0;
  private gcTotalMs = 0;
  private gcMaxMs = 0;
  private gcMinorMs = 0;
  private gcMajorMs = 0;

  start(): this {
    this.loop.enable();
    this.gc.observe({ entryTypes: ['gc'] });
    return this;
  }

  stop(): void {
    this.loop.disable();
    this.gc.disconnect();
  }

  /** The pauses since the previous call. */
  take(): PauseReport {
    const report: PauseReport = {
      eventLoopDelayMs: {
        p50: round2(this.loop.percentile(50) / NS_PER_MS),
        p99: round2(this.loop.percentile(99) / NS_PER_MS),
        max: round2(this.loop.max / NS_PER_MS),
      },
      gcPauses: {
        count: this.gcCount,
        totalMs: round2(this.gcTotalMs),
        maxMs: round2(this.gcMaxMs),
        minorMs: round2(this.gcMinorMs),
        majorMs: round2(this.gcMajorMs),
      },
    };
    this.loop.reset();
    this.gcCount = 0;
    this.gcTotalMs = 0;
    this.gcMaxMs = 0;
    this.gcMinorMs = 0;
    this.gcMajorMs = 0;
    return report;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
