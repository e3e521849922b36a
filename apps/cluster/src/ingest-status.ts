/** The fields of ingest's periodic `{"event":"stats"}` line that the cluster reports. */
export interface IngestStats {
  readonly atMs: number;
  readonly expectedPmus: number;
  readonly sources: number;
  readonly aligner: {
    readonly snapshots: number;
    readonly released: { readonly complete: number };
    readonly missingFrames: number;
    readonly framesLate: number;
  };
  readonly alignLatencyMs: { readonly count: number; readonly p99: number };
}

/**
 * One human-readable status line from two consecutive ingest stats lines:
 * snapshot rate over the interval, the share released complete, and the
 * interval's p99 alignment latency (time from a snapshot's timestamp to its release).
 */
export function formatIngestStatus(previous: IngestStats | undefined, current: IngestStats): string {
  const a = current.aligner;
  const dtS = previous === undefined ? 0 : (current.atMs - previous.atMs) / 1000;
  const snapshots = previous === undefined ? a.snapshots : a.snapshots - previous.aligner.snapshots;
  const complete =
    previous === undefined ? a.released.complete : a.released.complete - previous.aligner.released.complete;
  const rate = dtS > 0 ? `${(snapshots / dtS).toFixed(1)}/s` : `${snapshots} so far`;
  const completePct = snapshots > 0 ? `${Math.round((100 * complete) / snapshots)}%` : '-';
  const p99 = current.alignLatencyMs.count > 0 ? `${current.alignLatencyMs.p99.toFixed(1)} ms` : '-';
  return (
    `ingest: ${current.expectedPmus} PMUs on ${current.sources} streams | aligned snapshots ${rate}, ${completePct} complete | ` +
    `p99 alignment ${p99} | missing frames ${a.missingFrames}, late ${a.framesLate}`
  );
}
