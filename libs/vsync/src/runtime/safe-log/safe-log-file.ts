import { open, readFile, rename, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SafeLogEntry } from '../../protocol';
import { SafeLogFullError } from './safe-log-full-error';
import { decodeLog, encodeLogRecord } from './safe-log-format';

interface PendingAppend {
  readonly bytes: Buffer[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One group's safeSend log on disk: records appended and fsynced (fdatasync) before the core is told they are
 * persisted. Appends issued while a write is in progress are written together by the next one (group commit: one
 * fsync for all). Opening it reads every intact record and cuts a torn tail off. Bounded by `maxBytes`: an append
 * that would pass it fails with SafeLogFullError, and so does every later one (the acceptor stops accepting, nothing
 * is lost) until `rewrite` (a checkpoint or the recovered history) replaces the file.
 */
export class SafeLogFile {
  private handle: FileHandle | undefined;
  private bytes: number;
  private queue: PendingAppend[] = [];
  private writing = false;
  /** Once an append failed, later ones fail too: the log never holds a record without those before it. */
  private broken: Error | undefined;

  private constructor(
    readonly path: string,
    readonly maxBytes: number,
    /** The records the file held when opened, in log order. */
    readonly recovered: readonly SafeLogEntry[],
    handle: FileHandle,
    bytes: number,
    /** Bytes of a torn or corrupt tail cut off at open. */
    readonly droppedBytes: number,
  ) {
    this.handle = handle;
    this.bytes = bytes;
  }

  static pathOf(dir: string, group: string): string {
    return join(dir, `${encodeURIComponent(group)}.safelog`);
  }

  static async open(path: string, maxBytes: number): Promise<SafeLogFile> {
    await mkdir(dirname(path), { recursive: true });
    const existing = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    const log = decodeLog(existing);
    const handle = await open(path, 'a+');
    if (log.droppedBytes > 0) {
      await handle.truncate(log.goodBytes);
      await handle.datasync();
    }
    return new SafeLogFile(path, maxBytes, log.entries, handle, log.goodBytes, log.droppedBytes);
  }

  /** Resolves once the records are on disk (written and fdatasync'd). */
  append(entries: readonly SafeLogEntry[]): Promise<void> {
    const bytes = entries.map(encodeLogRecord);
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      void this.writeQueued();
    });
  }

  /** Replaces the whole log with these records (a checkpoint or the recovered history), atomically: a new file is
   *  written and fsynced, then renamed over the old one. Waits for appends in progress. */
  async rewrite(entries: readonly SafeLogEntry[]): Promise<void> {
    await this.idle();
    const records = entries.map(encodeLogRecord);
    const size = records.reduce((sum, b) => sum + b.length, 0);
    if (size > this.maxBytes) throw new SafeLogFullError(this.path, this.maxBytes);
    const tmp = `${this.path}.tmp`;
    const file = await open(tmp, 'w');
    await file.writev(records);
    await file.datasync();
    await file.close();
    await this.handle?.close();
    await rename(tmp, this.path);
    this.handle = await open(this.path, 'a+');
    this.bytes = size;
    this.broken = undefined;
  }

  /** Drops the first `count` records (a checkpoint covers them) and keeps the rest, rewriting the file. */
  async dropFirst(count: number): Promise<void> {
    await this.idle();
    const log = decodeLog(await readFile(this.path));
    await this.rewrite(log.entries.slice(count));
  }

  async close(): Promise<void> {
    await this.idle();
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async idle(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private async writeQueued(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      const records = batch.flatMap((p) => p.bytes);
      const size = records.reduce((sum, b) => sum + b.length, 0);
      if (this.broken !== undefined) throw this.broken;
      if (this.handle === undefined) throw new Error(`safe log ${this.path} is closed`);
      if (this.bytes + size > this.maxBytes) throw new SafeLogFullError(this.path, this.maxBytes);
      await this.handle.writev(records);
      await this.handle.datasync();
      this.bytes += size;
      for (const p of batch) p.resolve();
    } catch (error) {
      this.broken = error as Error;
      for (const p of batch) p.reject(error as Error);
    } finally {
      this.writing = false;
    }
    void this.writeQueued();
  }
}
