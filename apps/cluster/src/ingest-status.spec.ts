import { describe, expect, it } from 'vitest';
import { formatIngestStatus, type IngestStats } from './ingest-status';

function stats(atMs: number, snapshots: number, complete: number, p99: number): IngestStats {
  return {
    atMs,
    expectedPmus: 36,
    sources: 36,
    aligner: { snapshots, released: { complete }, missingFrames: 2, framesLate: 1 },
    alignLatencyMs: { count: 10, p99 },
  };
}

describe('formatIngestStatus', () => {
  it('reports the snapshot rate and completeness over the interval between two stats lines', () => {
    const line = formatIngestStatus(stats(1000, 30, 30, 3), stats(3000, 90, 87, 4.25));
    expect(line).toBe(
      'ingest: 36 PMUs on 36 streams | aligned snapshots 30.0/s, 95% complete | p99 alignment 4.3 ms | missing frames 2, late 1',
    );
  });

  it('reports totals for the first line, when there is no interval yet', () => {
    expect(formatIngestStatus(undefined, stats(1000, 12, 12, 2))).toContain(
      'aligned snapshots 12 so far, 100% complete',
    );
  });
});
