import type { Redis } from 'ioredis';

/** Bounds of the snapshot recording in Redis. */
export interface RecordingOptions {
  /** Key prefix: `<prefix>:snapshots` (a stream) and `<prefix>:catalogs` (a hash by catalog version). */
  readonly keyPrefix: string;
  /** Snapshots kept at most (about: Redis trims whole stream nodes); 18,000 is ten minutes at 30 frames/s. */
  readonly maxRecordedSnapshots: number;
  /** Catalog versions kept at most. */
  readonly maxRecordedCatalogs: number;
  /** Redis writes awaiting their reply at most; past it a snapshot is dropped and counted, never queued. */
  readonly maxPendingWrites: number;
}

export interface RecordingCounters {
  recorded: number;
  /** A snapshot time already recorded (two ingest replicas publishing the same slot): kept once. */
  duplicates: number;
  /** Dropped: Redis unreachable or too slow (maxPendingWrites reached). */
  dropped: number;
  catalogs: number;
  lastError: string | undefined;
}

export interface RecordedSnapshot {
  /** The stream id, `<snapshot time in ms>-0`. */
  readonly id: string;
  readonly timeMs: number;
  readonly bytes: Uint8Array;
}

/**
 * The recording that replay jobs read: every snapshot the recorder receives as a member of the `estimators` group,
 * binary as ingest encoded it, in a Redis stream whose ids are the snapshot times in ms, so a time window is one
 * XRANGE. Catalogs go to a hash by version, since a snapshot names the catalog version it was sent under.
 */
export class SnapshotRecording {
  readonly counters: RecordingCounters = {
    recorded: 0,
    duplicates: 0,
    dropped: 0,
    catalogs: 0,
    lastError: undefined,
  };
  private pending = 0;

  constructor(
    private readonly redis: Redis,
    readonly options: RecordingOptions,
  ) {}

  get streamKey(): string {
    return `${this.options.keyPrefix}:snapshots`;
  }

  get catalogKey(): string {
    return `${this.options.keyPrefix}:catalogs`;
  }

  record(timeSec: number, bytes: Uint8Array): void {
    if (this.pending >= this.options.maxPendingWrites) {
      this.counters.dropped += 1;
      return;
    }
    this.pending += 1;
    const id = `${Math.round(timeSec * 1000)}-0`;
    const max = String(this.options.maxRecordedSnapshots);
    this.redis
      .xadd(
        this.streamKey,
        'MAXLEN',
        '~',
        max,
        id,
        's',
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
      )
      .then(
        () => (this.counters.recorded += 1),
        (error: unknown) => this.onRecordError(error),
      )
      .finally(() => (this.pending -= 1));
  }

  recordCatalog(version: number, bytes: Uint8Array): void {
    const key = this.catalogKey;
    void this.redis
      .hset(key, String(version), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
      .then(async () => {
        this.counters.catalogs += 1;
        const versions = (await this.redis.hkeys(key)).map(Number).sort((a, b) => a - b);
        const excess = versions.length - this.options.maxRecordedCatalogs;
        if (excess > 0) await this.redis.hdel(key, ...versions.slice(0, excess).map(String));
      })
      .catch((error: unknown) => (this.counters.lastError = messageOf(error)));
  }

  /** Up to `count` snapshots with fromMs <= time <= toMs, after the id `afterId` when given (exclusive). */
  async read(fromMs: number, toMs: number, count: number, afterId?: string): Promise<RecordedSnapshot[]> {
    const start = afterId === undefined ? `${Math.max(0, Math.floor(fromMs))}-0` : `(${afterId}`;
    const entries = await this.redis.xrangeBuffer(
      this.streamKey,
      start,
      `${Math.floor(toMs)}-0`,
      'COUNT',
      count,
    );
    return entries.map(([id, fields]) => {
      const key = String(id);
      const bytes = fields[1];
      return {
        id: key,
        timeMs: Number(key.split('-')[0]),
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      };
    });
  }

  /** The recorded bytes of a catalog version, or undefined when it was not recorded (or trimmed). */
  async catalog(version: number): Promise<Uint8Array | undefined> {
    const b = await this.redis.hgetBuffer(this.catalogKey, String(version));
    return b === null ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.length);
  }

  /** The recorded span: first and last snapshot times (ms), and the snapshot count. */
  async span(): Promise<{ firstMs: number; lastMs: number; snapshots: number } | undefined> {
    const [first] = await this.redis.xrange(this.streamKey, '-', '+', 'COUNT', 1);
    const [last] = await this.redis.xrevrange(this.streamKey, '+', '-', 'COUNT', 1);
    if (first === undefined || last === undefined) return undefined;
    const ms = (id: string): number => Number(id.split('-')[0]);
    return { firstMs: ms(first[0]), lastMs: ms(last[0]), snapshots: await this.redis.xlen(this.streamKey) };
  }

  private onRecordError(error: unknown): void {
    const text = messageOf(error);
    // Redis refuses an id not above the stream's last one: the same slot again, or an older one.
    if (text.includes('equal or smaller')) this.counters.duplicates += 1;
    else {
      this.counters.dropped += 1;
      this.counters.lastError = text;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
