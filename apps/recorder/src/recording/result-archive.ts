import { FileStoreArchiver, utcHourOf, type FileStoreArchiverCounters } from '@gridcloud/filestore';
import type { AreaResult } from '@gridcloud/estimation';

/** Area results remembered to store each (slot, area) once: every area is estimated by more than one worker. */
const MAX_REMEMBERED_RESULTS = 8_192;

/**
 * The estimators' results in the file store: each area's result once per snapshot, its wire bytes as they came from
 * the `results` group, in `results/area-<n>/<UTC hour>` at the snapshot's time, so a replay or the dashboard can
 * read the estimates as of a past instant. Write-behind and bounded (FileStoreArchiver).
 */
export class ResultArchive {
  private readonly archive: FileStoreArchiver;
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];

  constructor(urls: readonly string[], onError: (message: string) => void) {
    this.archive = new FileStoreArchiver({ urls }, onError);
  }

  get counters(): FileStoreArchiverCounters {
    return this.archive.counters;
  }

  add(result: AreaResult, bytes: Uint8Array): void {
    const key = `${result.slot}:${result.area}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.order.push(key);
    if (this.order.length > MAX_REMEMBERED_RESULTS) this.seen.delete(this.order.shift()!);
    const userTimeNs = BigInt(Math.round(result.timeSec * 1e9));
    this.archive.add(resultPathOf(result.area, userTimeNs), { userTimeNs, data: bytes });
  }

  close(): Promise<void> {
    return this.archive.close();
  }
}

/** The file of an area's results in the hour of `timeNs`. */
export function resultPathOf(area: number, timeNs: bigint): string {
  return `results/area-${area}/${utcHourOf(timeNs)}`;
}
