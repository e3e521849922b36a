import fs from 'node:fs';

/** The JSON lines an ingest writes with --snapshots-out, split into snapshots and late frames. */
export function readSnapshotFile<S = Record<string, any>, L = Record<string, any>>(file: string): { snapshots: S[]; late: L[] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { event: string });
  return { snapshots: lines.filter((l) => l.event === 'snapshot') as S[], late: lines.filter((l) => l.event === 'late') as L[] };
}
