import type { StoreLog } from '../storage/store-log';

/**
 * What a member serves to a joining replica: the files holding records in a seq range, and one file's raw frames
 * from a seq on, each answer within a byte bound. Frames go as they are on disk (a frame is one append: it may hold
 * records on both sides of the range, which the joiner leaves out); the joiner checks their CRCs.
 */
export class CatchUpSource {
  constructor(private readonly store: StoreLog) {}

  /** Paths after `afterPath` (sorted) with a record in [fromSeq, toSeq), at most `maxBytes` of path text; done when
   *  none is left. */
  files(fromSeq: number, toSeq: number, afterPath: string, maxBytes: number): [string[], boolean] {
    const paths: string[] = [];
    let bytes = 0;
    for (const path of this.store.paths()) {
      if (path <= afterPath) continue;
      const log = this.store.file(path)!;
      if (log.lastSeq < fromSeq || log.blocks[0].firstSeq >= toSeq) continue;
      if (paths.length > 0 && bytes + path.length > maxBytes) return [paths, false];
      paths.push(path);
      bytes += path.length + 8;
    }
    return [paths, true];
  }

  /** One file's frames holding a seq in [fromSeq, toSeq), at most `maxBytes` (at least one frame); done when the
   *  file holds nothing more in the range. */
  async records(
    path: string,
    fromSeq: number,
    toSeq: number,
    maxBytes: number,
  ): Promise<[Uint8Array, boolean]> {
    const log = this.store.file(path);
    if (log === undefined) return [new Uint8Array(0), true];
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const { frame, raw } of log.framesFromSeq(fromSeq)) {
      if (frame.lastSeq < fromSeq) continue;
      if (frame.firstSeq >= toSeq) return [Buffer.concat(parts), true];
      if (parts.length > 0 && bytes + raw.length > maxBytes) return [Buffer.concat(parts), false];
      parts.push(Buffer.from(raw));
      bytes += raw.length;
    }
    return [Buffer.concat(parts), true];
  }
}
