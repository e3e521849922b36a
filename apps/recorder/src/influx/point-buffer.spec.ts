import { describe, expect, it } from 'vitest';
import type { InfluxPoint } from './influx-point';
import { PointBuffer } from './point-buffer';

const options = {
  maxBufferedPoints: 10,
  maxBatchPoints: 4,
  flushIntervalMs: 100,
  retryInitialMs: 50,
  retryMaxMs: 400,
};
const pts = (from: number, n: number): InfluxPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    measurement: 'm',
    tags: {},
    fields: { v: from + i },
    timeMs: from + i,
  }));
const values = (b: readonly InfluxPoint[] | undefined): unknown[] => (b ?? []).map((p) => p.fields.v);

describe('PointBuffer', () => {
  it('writes a full batch at once and a partial one after the flush interval', () => {
    const b = new PointBuffer(options);
    b.add(pts(0, 5), 0);
    expect(values(b.take(0))).toEqual([0, 1, 2, 3]);
    b.written();
    expect(b.take(50)).toBeUndefined();
    expect(b.nextDueMs()).toBe(100);
    expect(values(b.take(100))).toEqual([4]);
    b.written();
    expect(b.counters).toMatchObject({ accepted: 5, written: 5, batches: 2, dropped: 0 });
  });

  it('retries a failed batch first, after a backoff that doubles and is capped', () => {
    const b = new PointBuffer(options);
    b.add(pts(0, 4), 0);
    b.take(0);
    b.failed(0, 'down');
    expect(b.take(49)).toBeUndefined();
    expect(values(b.take(50))).toEqual([0, 1, 2, 3]);
    b.failed(50, 'down');
    expect(b.nextDueMs()).toBe(150);
    for (let t = 150, i = 0; i < 5; i += 1) {
      b.take(t);
      b.failed(t, 'down');
      t = b.nextDueMs()!;
    }
    const last = b.nextDueMs()!;
    b.take(last);
    b.failed(last, 'down');
    expect(b.nextDueMs()! - last).toBe(400);
    b.take(b.nextDueMs()!);
    b.written();
    expect(b.counters).toMatchObject({ written: 4, dropped: 0, writeErrors: 8, lastError: 'down' });
  });

  it('keeps the newest points while InfluxDB is down and counts the oldest it drops', () => {
    const b = new PointBuffer(options);
    b.add(pts(0, 4), 0);
    b.take(0); // in flight: 0..3
    b.add(pts(4, 12), 1); // 12 waiting, bound 10: the oldest waiting ones (4, 5) go
    expect(b.counters.dropped).toBe(2);
    b.failed(2, 'down'); // the failed batch is back in front, the oldest: it goes
    expect(b.size).toBe(10);
    expect(b.counters.dropped).toBe(6);
    const seen: unknown[] = [];
    for (let t = 1_000; b.size > 0; t += 1_000) {
      seen.push(...values(b.take(t, true)));
      b.written();
    }
    expect(seen).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(b.counters.accepted).toBe(b.counters.written + b.counters.dropped);
  });

  it('refuses bounds that cannot work, naming the bound and its unit', () => {
    expect(() => new PointBuffer({ ...options, maxBufferedPoints: 2 })).toThrow(
      /maxBufferedPoints .* points/,
    );
  });
});
