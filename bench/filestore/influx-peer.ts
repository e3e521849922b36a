import { runConcurrently, type Workload } from './workload';

/** InfluxDB's tuned batch: 5,000 points per write. */
export const INFLUX_POINTS_PER_WRITE = 5_000;
const DATABASE = 'gridcloud_filestore_bench';

/**
 * InfluxDB 1.x ingesting the same records as points over its HTTP line protocol (one series per file, the record's
 * bytes as a base64 string field, its user time as the point's time), 5,000 points per write, `concurrency`
 * writers. Returns records/s. The lines are built before the clock starts, as a tuned client would have them ready.
 */
export async function influxRecordsPerSec(
  workload: Workload,
  baseUrl: string,
  concurrency: number,
): Promise<number> {
  const bodies = workload.files.map((batches) =>
    writeBodies(batches.flatMap((b) => b.records.map((r) => ({ path: b.path, ...r })))),
  );
  const started = performance.now();
  await runConcurrently(bodies, concurrency, async (body) => {
    const response = await fetch(`${baseUrl}/write?db=${DATABASE}&precision=ns`, { method: 'POST', body });
    if (response.status !== 204)
      throw new Error(`InfluxDB write: ${response.status} ${await response.text()}`);
  });
  const seconds = (performance.now() - started) / 1000;
  return workload.records / seconds;
}

/** A fresh benchmark database (dropped first if a run before left it). */
export async function createInfluxDatabase(baseUrl: string): Promise<void> {
  await influxQuery(baseUrl, `DROP DATABASE ${DATABASE}`);
  await influxQuery(baseUrl, `CREATE DATABASE ${DATABASE}`);
}

export async function dropInfluxDatabase(baseUrl: string): Promise<void> {
  await influxQuery(baseUrl, `DROP DATABASE ${DATABASE}`);
}

function writeBodies(
  points: ReadonlyArray<{ path: string; userTimeNs: bigint; data: Uint8Array }>,
): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < points.length; i += INFLUX_POINTS_PER_WRITE) {
    const lines = points.slice(i, i + INFLUX_POINTS_PER_WRITE).map((p) => {
      const data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('base64');
      return `filestore,path=${p.path} data="${data}" ${p.userTimeNs}`;
    });
    bodies.push(lines.join('\n'));
  }
  return bodies;
}

async function influxQuery(baseUrl: string, q: string): Promise<void> {
  const response = await fetch(`${baseUrl}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  if (!response.ok) throw new Error(`InfluxDB ${q}: ${response.status} ${await response.text()}`);
}
