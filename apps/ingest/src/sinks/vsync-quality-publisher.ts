import { messageHandlerId } from '@gridcloud/nest-vsync';
import type { QualityReport } from '@gridcloud/pdc';
import type { Group } from '@gridcloud/vsync';
import { qualityReportParts, QUALITY_REPORT_MESSAGE, type ReportHeader } from './quality-report-parts';

/** The handler id of `ingest.quality/report`. */
export const QUALITY_REPORT_HANDLER = messageHandlerId(QUALITY_REPORT_MESSAGE);

/** Where a report's figures come from: the pipeline's quality statistics and the PMUs' sources. */
export interface QualitySource {
  report(): QualityReport;
  sourceOf(pmuId: number): string | undefined;
}

/**
 * Publishes ingest's per-PMU data quality to the `ingest.quality` group every `intervalMs`, each report in parts
 * of at most MAX_QUALITY_PART_BYTES (FIFO `send`, so a reader sees a report's parts in order). At most one report
 * is in flight: while the group's flow control still holds the previous one, a tick is skipped and counted
 * (`skipped`), since the next report carries the same counters, newer.
 */
export class VsyncQualityPublisher {
  reports = 0;
  partsSent = 0;
  skipped = 0;
  sendErrors = 0;
  lastError: string | undefined;
  private seq = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly group: Group,
    private readonly source: QualitySource,
    private readonly ingest: string,
    readonly intervalMs: number,
  ) {
    if (!Number.isInteger(intervalMs) || intervalMs < 1)
      throw new RangeError(`intervalMs must be a positive integer, got ${intervalMs}`);
  }

  /** Joins the group (a no-op when the app's vsync process already has) and starts the periodic reports. */
  async start(): Promise<void> {
    await this.group.join();
    this.timer = setInterval(() => this.publish(Date.now()), this.intervalMs);
  }

  publish(nowMs: number): void {
    if (this.inFlight !== undefined) {
      this.skipped += 1;
      return;
    }
    const header: ReportHeader = {
      ingest: this.ingest,
      seq: this.seq,
      atMs: nowMs,
      intervalMs: this.intervalMs,
    };
    this.seq += 1;
    const parts = qualityReportParts(this.source.report(), (id) => this.source.sourceOf(id), header);
    const sends = parts.map((p) => this.group.send(QUALITY_REPORT_HANDLER, p));
    this.inFlight = Promise.all(sends).then(
      () => {
        this.reports += 1;
        this.partsSent += parts.length;
      },
      (error: unknown) => {
        this.sendErrors += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
      },
    );
    void this.inFlight.finally(() => (this.inFlight = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  get counters(): Record<string, unknown> {
    const { reports, partsSent, skipped, sendErrors, lastError } = this;
    return { reports, partsSent, skipped, sendErrors, lastError };
  }
}
