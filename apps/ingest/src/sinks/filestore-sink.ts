import { FileStoreArchiver, utcHourOf, type FileStoreArchiverCounters } from '@gridcloud/filestore';
import type { RawDataFrame, Snapshot, SnapshotSink } from './snapshot-sink';

/**
 * Archives every raw C37.118 data frame in the file store, one file per stream and UTC hour
 * (`c37118/<stream IDCODE>/<YYYY-MM-DDTHH>`), each record the frame's bytes at its SOC+FRACSEC, so a replay can read
 * the grid's raw data as of any past instant. Write-behind and bounded (libs/filestore's FileStoreArchiver): a slow
 * or absent store never holds up the snapshots.
 */
export class FileStoreFrameSink implements SnapshotSink {
  private readonly archive: FileStoreArchiver;

  constructor(urls: readonly string[], log: (line: string) => void, flushIntervalMs?: number) {
    this.archive = new FileStoreArchiver({ urls, flushIntervalMs }, (message) =>
      log(`file store: ${message}`),
    );
  }

  get counters(): FileStoreArchiverCounters {
    return this.archive.counters;
  }

  publish(_snapshot: Snapshot): void {
    // Snapshots go to the estimators; the archive keeps the frames they were made of.
  }

  publishFrame(frame: RawDataFrame): void {
    this.archive.add(archivePathOf(frame), { userTimeNs: frame.timeNs, data: frame.bytes });
  }

  flush(): Promise<void> {
    return this.archive.flush();
  }

  close(): Promise<void> {
    return this.archive.close();
  }
}

/** The file of a frame: its stream and the UTC hour of its measurement time. */
export function archivePathOf(frame: RawDataFrame): string {
  return `c37118/${frame.streamIdcode}/${utcHourOf(frame.timeNs)}`;
}
