import { decodeAreaResult } from '@gridcloud/estimation';
import type { FileStoreClient, StoredRecord, TemporalPoint } from '@gridcloud/filestore';

/** One area's estimate as it stood at the instant asked for. */
export interface AreaAsOf {
  readonly area: number;
  readonly slot: number;
  readonly timeSec: number;
  readonly catalogVersion: number;
  readonly buses: number;
  readonly vmMin: number;
  readonly vmMax: number;
  readonly serverTime: { readonly wallMs: number; readonly logical: number };
}

const RESULT_FILE = /^results\/area-(\d+)\/(\d{4}-\d{2}-\d{2}T\d{2})$/;
/** Hour files of one area searched back from the instant, at most: an area silent longer reads as absent. */
const MAX_HOURS_BACK = 24;

/**
 * The estimate of every area as of a past instant, read from the recorder's archive in the file store
 * (`results/area-<n>/<UTC hour>`): per area, the last result at or before it, on the snapshots' clock ('user') or
 * the store's ('server'). A file store read is a consistent cut, so areas never mix later data into an earlier view.
 */
export async function estimatesAsOf(client: FileStoreClient, at: TemporalPoint): Promise<AreaAsOf[]> {
  const hoursByArea = new Map<number, string[]>();
  for (const file of await client.list('results/area-')) {
    const m = RESULT_FILE.exec(file.path);
    if (m === null) continue;
    const hours = hoursByArea.get(Number(m[1])) ?? [];
    hours.push(m[2]);
    hoursByArea.set(Number(m[1]), hours);
  }
  const areas: AreaAsOf[] = [];
  for (const [area, hours] of [...hoursByArea].sort((a, b) => a[0] - b[0])) {
    const found = await lastResultOf(client, area, candidateHours(hours, at), at);
    if (found !== undefined) areas.push(found);
  }
  return areas;
}

/** The area's hour files that may hold its last result before the instant, newest first. */
function candidateHours(hours: readonly string[], at: TemporalPoint): string[] {
  const newestFirst = [...hours].sort().reverse();
  if (at.clock === 'server') return newestFirst.slice(0, MAX_HOURS_BACK);
  const hourOfAt = new Date(Number(at.timeNs / 1_000_000n)).toISOString().slice(0, 13);
  return newestFirst.filter((h) => h <= hourOfAt).slice(0, MAX_HOURS_BACK);
}

async function lastResultOf(
  client: FileStoreClient,
  area: number,
  hours: readonly string[],
  at: TemporalPoint,
): Promise<AreaAsOf | undefined> {
  for (const hour of hours) {
    let last: StoredRecord | undefined;
    for await (const record of client.read(`results/area-${area}/${hour}`, at)) last = record;
    if (last !== undefined) return summary(area, last);
  }
  return undefined;
}

function summary(area: number, record: StoredRecord): AreaAsOf {
  const r = decodeAreaResult(record.data);
  let vmMin = Infinity;
  let vmMax = -Infinity;
  for (let i = 0; i < r.vRe.length; i++) {
    const vm = Math.hypot(r.vRe[i], r.vIm[i]);
    vmMin = Math.min(vmMin, vm);
    vmMax = Math.max(vmMax, vm);
  }
  return {
    area,
    slot: r.slot,
    timeSec: r.timeSec,
    catalogVersion: r.catalogVersion,
    buses: r.buses.length,
    vmMin: r.vRe.length === 0 ? 0 : vmMin,
    vmMax: r.vRe.length === 0 ? 0 : vmMax,
    serverTime: record.serverTime,
  };
}
