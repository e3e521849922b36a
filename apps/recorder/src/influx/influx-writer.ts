import { InfluxDB, type IPoint } from 'influx';
import type { InfluxPoint } from './influx-point';
import { ensureSchema, RAW_POLICY, type RetentionOptions } from './influx-schema';
import { PointBuffer, type PointBufferOptions } from './point-buffer';

/** Where InfluxDB is: `http://host:8086/database` (the path names the database). */
export interface InfluxTarget {
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
}

export function influxClient(t: InfluxTarget): InfluxDB {
  return new InfluxDB({
    protocol: t.protocol,
    host: t.host,
    port: t.port,
    database: t.database,
    username: t.username,
    password: t.password,
  });
}

export function toIPoint(p: InfluxPoint): IPoint {
  return { measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: new Date(p.timeMs) };
}

/** Writes points in batches with ms precision into the raw retention policy. */
export async function writeBatch(
  influx: InfluxDB,
  database: string,
  points: readonly InfluxPoint[],
): Promise<void> {
  await influx.writePoints(points.map(toIPoint), { database, precision: 'ms', retentionPolicy: RAW_POLICY });
}

/**
 * The runtime shell of the write path: a PointBuffer driven by one timer. Until the schema is in place (InfluxDB may
 * start after the recorder) nothing is written and points wait in the bounded buffer; the schema is retried on the
 * buffer's backoff.
 */
export class InfluxWriter {
  readonly buffer: PointBuffer;
  private readonly influx: InfluxDB;
  private schemaReady = false;
  private schemaAttemptAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private pumping: Promise<void> | undefined;

  constructor(
    readonly target: InfluxTarget,
    private readonly retention: RetentionOptions,
    options: PointBufferOptions,
  ) {
    this.buffer = new PointBuffer(options);
    this.influx = influxClient(target);
  }

  get ready(): boolean {
    return this.schemaReady;
  }

  start(): void {
    this.arm(0);
  }

  add(points: readonly InfluxPoint[]): void {
    if (this.closed) return;
    this.buffer.add(points, Date.now());
    if (this.buffer.size >= this.buffer.options.maxBatchPoints) this.arm(0);
  }

  /** Writes what is buffered, one last time, within `graceMs`; then stops. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const deadline = Date.now() + graceMs;
    await this.pumping;
    while (this.schemaReady && this.buffer.size > 0 && Date.now() < deadline) {
      const batch = this.buffer.take(Date.now(), true);
      if (batch === undefined) break;
      await this.write(batch);
    }
  }

  private arm(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    if (this.pumping !== undefined) return;
    this.pumping = this.pumpOnce();
    await this.pumping;
    this.pumping = undefined;
    const now = Date.now();
    const due = this.schemaReady ? this.buffer.nextDueMs() : this.schemaAttemptAtMs;
    this.arm(due === undefined ? this.buffer.options.flushIntervalMs : due - now);
  }

  private async pumpOnce(): Promise<void> {
    if (!this.schemaReady) {
      await this.prepareSchema();
      if (!this.schemaReady) return;
    }
    const batch = this.buffer.take(Date.now());
    if (batch !== undefined) await this.write(batch);
  }

  private async prepareSchema(): Promise<void> {
    if (Date.now() < this.schemaAttemptAtMs) return;
    try {
      await ensureSchema(this.influx, this.target.database, this.retention);
      this.schemaReady = true;
    } catch (error) {
      this.buffer.counters.lastError = `schema: ${messageOf(error)}`;
      this.buffer.counters.writeErrors += 1;
      this.schemaAttemptAtMs = Date.now() + this.buffer.options.retryInitialMs * 4;
    }
  }

  private async write(batch: readonly InfluxPoint[]): Promise<void> {
    try {
      await writeBatch(this.influx, this.target.database, batch);
      this.buffer.written();
    } catch (error) {
      this.buffer.failed(Date.now(), messageOf(error));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
