import fs from 'node:fs';
import type { LateLine, SnapshotLine } from './report-types';

/** The JSON lines an ingest writes with --snapshots-out, split into snapshots and late frames. */
export function readSnapshotFile(file: string): { snapshots: SnapshotLine[]; late: LateLine[] } {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as SnapshotLine | LateLine);
  return {
    snapshots: lines.filter((l): l is SnapshotLine => l.event === 'snapshot'),
    late: lines.filter((l): l is LateLine => l.event === 'late'),
  };
}
