/** An `ingest.quality/report` message that is not a quality report: counted by the dashboard, never thrown out of a handler. */
export class QualityReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QualityReportError';
  }
}
