import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compareHlc, HLC_ZERO, type HlcTimestamp } from '../protocol/hlc';
import { FileLog, syncPathAsync, syncPathSync, type FileLogBounds } from './file-log';
import { ensureLogLayout, FILES_DIR } from './log-layout';
import type { FrameBatch } from './record-frame';

export interface StoreBounds extends Omit<FileLogBounds, 'durable'> {
  /** Segment files held open for writing at once; the least recently written is closed past it. */
  readonly maxOpenWriters: number;
}

/** What a replica found on its disk when it opened. */
export interface RecoveryReport {
  readonly files: number;
  readonly records: number;
  /** Files whose tail was torn or damaged and cut off. */
  readonly tornTails: number;
  /** Records removed because a record with a lower seq was missing (a hole after a power loss). */
  readonly recordsAfterGap: number;
  /** Files whose logs were rewritten from an older layout on opening (log-layout.ts). */
  readonly migratedFiles: number;
}

const PATH_FILE = 'path';

/**
 * Every file of one replica, in `dataDir/files/<hash of path>/` (the path itself in a `path` file beside the
 * segments). `nextSeq` is the seq the next applied record gets: the store holds exactly the records 0..nextSeq-1.
 */
export class StoreLog {
  private readonly files = new Map<string, FileLog>();
  private readonly writing = new Map<string, FileLog>();
  /** Files written since the last sync pass. */
  private readonly unsynced = new Set<FileLog>();
  /** Paths of files and directories created since the last sync pass (durable mode), synced with it. */
  private createdPaths: string[] = [];
  nextSeq = 0;
  lastStamp: HlcTimestamp = HLC_ZERO;

  private constructor(
    private readonly dataDir: string,
    private readonly bounds: FileLogBounds & StoreBounds,
    private readonly durable: boolean,
  ) {}

  static async open(
    dataDir: string,
    bounds: StoreBounds,
    durable: boolean,
  ): Promise<{ store: StoreLog; report: RecoveryReport }> {
    const { migratedFiles } = ensureLogLayout(dataDir);
    const store = new StoreLog(dataDir, { ...bounds, durable }, durable);
    mkdirSync(join(dataDir, FILES_DIR), { recursive: true });
    const report = await store.recover();
    return { store, report: { ...report, migratedFiles } };
  }

  file(path: string): FileLog | undefined {
    return this.files.get(path);
  }

  /** Every file's path, sorted. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Appends frames with consecutive seqs from nextSeq to one file (created on its first record). */
  apply(path: string, batch: FrameBatch): FileLog {
    if (batch.firstSeq !== this.nextSeq)
      throw new Error(`store: records must continue at seq ${this.nextSeq}, got ${batch.firstSeq}`);
    const log = this.files.get(path) ?? this.create(path);
    log.appendBatch(batch);
    this.unsynced.add(log);
    this.nextSeq = batch.lastSeq + 1;
    if (compareHlc(batch.lastStamp, this.lastStamp) > 0) this.lastStamp = batch.lastStamp;
    this.touchWriter(log);
    return log;
  }

  /** Appends frames fetched from a member while catching up: one file's, in its seq order, at or above nextSeq
   *  (files are fetched one after another, so seqs leave holes until finishCatchUp). The caller skips what the file
   *  already holds, so a fetch retried from another member is harmless. */
  applyFetched(path: string, batch: FrameBatch): void {
    if (batch.firstSeq < this.nextSeq)
      throw new Error(
        `store: fetched record ${batch.firstSeq} is below ${this.nextSeq}, which the store holds`,
      );
    const log = this.files.get(path) ?? this.create(path);
    log.appendBatch(batch);
    this.unsynced.add(log);
    this.touchWriter(log);
  }

  /** Ends a catch-up: the store now holds every record below `nextSeq`. */
  finishCatchUp(nextSeq: number): void {
    this.nextSeq = nextSeq;
    this.lastStamp = this.maxStamp();
  }

  /** fsyncs every file written and every file or directory created since the last pass, at once on the thread pool:
   *  what was applied before the call is on disk when it resolves. */
  async syncAll(): Promise<void> {
    const logs = [...this.unsynced];
    this.unsynced.clear();
    const created = this.createdPaths;
    this.createdPaths = [];
    await Promise.all([...logs.map((log) => log.sync()), ...created.map(syncPathAsync)]);
  }

  /** Removes every record with seq >= `seq` (records this replica holds and the group does not). */
  async truncateFrom(seq: number): Promise<number> {
    let removed = 0;
    for (const log of this.files.values()) {
      if (log.lastSeq < seq) continue;
      const before = log.records;
      await log.truncateFromSeq(seq);
      removed += before - log.records;
      if (log.records === 0) this.forget(log);
    }
    this.nextSeq = Math.min(this.nextSeq, seq);
    this.lastStamp = this.maxStamp();
    return removed;
  }

  /** Closes every file, syncing first in durable mode what no sync pass has synced yet. */
  close(): void {
    for (const log of new Set([...this.writing.values(), ...this.unsynced])) log.close();
    this.writing.clear();
    this.unsynced.clear();
    if (this.durable) this.createdPaths.splice(0).forEach(syncPathSync);
  }

  private async recover(): Promise<Omit<RecoveryReport, 'migratedFiles'>> {
    const runs: Array<[number, number]> = [];
    let tornTails = 0;
    for (const name of readdirSync(join(this.dataDir, FILES_DIR))) {
      const dir = join(this.dataDir, FILES_DIR, name);
      const path = readPath(dir);
      if (path === undefined) {
        rmSync(dir, { recursive: true, force: true }); // created, crashed before its first record was named
        continue;
      }
      const log = new FileLog(path, dir, this.bounds);
      const found = await log.recover();
      runs.push(...found.runs);
      if (found.cut !== undefined) tornTails++;
      if (log.records === 0) rmSync(dir, { recursive: true, force: true });
      else this.files.set(path, log);
    }
    const held = contiguousPrefix(runs);
    const recordsAfterGap = await this.truncateFrom(held);
    this.nextSeq = held;
    this.lastStamp = this.maxStamp();
    let records = 0;
    for (const log of this.files.values()) records += log.records;
    return { files: this.files.size, records, tornTails, recordsAfterGap };
  }

  /** A new file's directory, named by its path's hash and holding the path. In durable mode the path file and both
   *  directories are synced by the next sync pass, before any of the file's records is acknowledged: a crash before
   *  that leaves a directory recovery drops (no path, or one that does not match the name), and only records that
   *  were never acknowledged with it. */
  private create(path: string): FileLog {
    const dir = join(this.dataDir, FILES_DIR, dirNameOf(path));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, PATH_FILE), path);
    if (this.durable) this.createdPaths.push(join(dir, PATH_FILE), dir, join(this.dataDir, FILES_DIR));
    const log = new FileLog(path, dir, this.bounds);
    this.files.set(path, log);
    return log;
  }

  private touchWriter(log: FileLog): void {
    this.writing.delete(log.path);
    this.writing.set(log.path, log);
    if (this.writing.size <= this.bounds.maxOpenWriters) return;
    const [oldest] = this.writing.values();
    oldest.closeWriter(true);
    this.writing.delete(oldest.path);
  }

  private forget(log: FileLog): void {
    log.close();
    this.writing.delete(log.path);
    this.unsynced.delete(log);
    this.files.delete(log.path);
    rmSync(log.dir, { recursive: true, force: true });
  }

  /** The newest server time of any record held. */
  lastStampHeld(): HlcTimestamp {
    return this.maxStamp();
  }

  private maxStamp(): HlcTimestamp {
    let max = HLC_ZERO;
    for (const log of this.files.values()) if (compareHlc(log.lastStamp, max) > 0) max = log.lastStamp;
    return max;
  }
}

/** The end of the longest run 0..n-1 of seqs covered by `runs` (each [start, end)). */
export function contiguousPrefix(runs: Array<[number, number]>): number {
  runs.sort((a, b) => a[0] - b[0]);
  let held = 0;
  for (const [start, end] of runs) {
    if (start > held) break;
    held = Math.max(held, end);
  }
  return held;
}

/** The directory of a file: the first 160 bits of its path's SHA-256, in hex. */
function dirNameOf(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 40);
}

/** The path a file's directory holds; undefined when missing, empty or torn (it does not hash to the name). */
function readPath(dir: string): string | undefined {
  try {
    const path = readFileSync(join(dir, PATH_FILE), 'utf8');
    return path.length > 0 && dirNameOf(path) === basename(dir) ? path : undefined;
  } catch {
    return undefined;
  }
}
