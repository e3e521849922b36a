import { describe, expect, it } from 'vitest';
import { DataQualityStats } from './data-quality-stats';
import { LatencyHistogram } from './latency-histogram';

describe('DataQualityStats', () => {
  it('keeps latency, missing, late, CRC errors and time quality per PMU', () => {
    const s = new DataQualityStats({ maxPmus: 10 });
    for (let i = 1; i <= 100; i += 1) s.recordFrame(7, i, 0, 0, 1000 + i);
    s.recordFrame(7, 5, 6, 1 << 13, 2000);
    s.recordMissing(7);
    s.recordLate(7);
    s.recordReject(7, 'crc');
    s.recordReject(7, 'size-mismatch');
    const r = s.forPmu(7);
    expect(r).toBeDefined();
    expect(r?.frames).toBe(101);
    expect(r?.missing).toBe(1);
    expect(r?.late).toBe(1);
    expect(r?.crcErrors).toBe(1);
    expect(r?.rejects).toEqual({ crc: 1, 'size-mismatch': 1 });
    expect(r?.timeQualityDegraded).toBe(1);
    expect(r?.syncLost).toBe(1);
    expect(r?.worstTimeQualityCode).toBe(6);
    expect(r?.lastTimeQualityCode).toBe(6);
    expect(r?.latencyMs.max).toBe(100);
    // Geometric buckets grow by 20%: the p99 bound is within that of the true 99th sample.
    expect(r?.latencyMs.p99).toBeGreaterThanOrEqual(99);
    expect(r?.latencyMs.p99).toBeLessThanOrEqual(100);
    expect(r?.availability).toBeCloseTo(100 / 101, 9);
  });

  it('counts rejects of unknown or excess sources as unattributed instead of growing without bound', () => {
    const s = new DataQualityStats({ maxPmus: 2 });
    s.recordFrame(1, 1, 0, 0, 0);
    s.recordFrame(2, 1, 0, 0, 0);
    s.recordReject(3, 'crc');
    s.recordReject(undefined, 'bad-sync');
    expect(s.trackedPmus).toBe(2);
    expect(s.report().unattributedRejects).toEqual({ crc: 1, 'bad-sync': 1 });
  });

  it("never starts tracking a PMU because of a reject: a garbage IDCODE must not take a real PMU's place", () => {
    const s = new DataQualityStats({ maxPmus: 2 });
    for (let id = 100; id < 200; id += 1) s.recordReject(id, 'crc');
    expect(s.trackedPmus).toBe(0);
    s.recordFrame(1, 1, 0, 0, 0);
    s.recordReject(1, 'crc');
    expect(s.forPmu(1)?.crcErrors).toBe(1);
    expect(s.report().unattributedRejects).toEqual({ crc: 100 });
  });

  it('rejects a non-positive maxPmus with the option name', () => {
    expect(() => new DataQualityStats({ maxPmus: 0 })).toThrow(/maxPmus/);
  });
});

describe('LatencyHistogram', () => {
  it('answers quantiles within one bucket (20%) of the exact value', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 1000; i += 1) h.record(i / 10);
    expect(h.quantileMs(0.5)).toBeGreaterThanOrEqual(49.9);
    expect(h.quantileMs(0.5)).toBeLessThanOrEqual(49.9 * 1.2);
    expect(h.quantileMs(1)).toBe(99.9);
    expect(h.meanMs).toBeCloseTo(49.95, 6);
  });
});
