import { describe, expect, it } from 'vitest';
import { DataQualityStats } from '@gridcloud/pdc';
import { qualityReportParts, type QualityReportPart } from './quality-report-parts';

const header = { ingest: 'ingest-a', seq: 7, atMs: 1_700_000_000_000, intervalMs: 1000 };

function statsOf(pmus: number): DataQualityStats {
  const s = new DataQualityStats({ maxPmus: 65_536 });
  for (let id = 1; id <= pmus; id += 1) {
    s.recordFrame(id, 20 + (id % 7), id === 3 ? 7 : 0, id === 3 ? 1 << 13 : 0, 1_700_000_000_000 - id);
    if (id % 5 === 0) s.recordMissing(id);
  }
  s.recordReject(2, 'crc');
  return s;
}

describe('qualityReportParts', () => {
  it('puts each PMU once, in IDCODE order, with its figures in the documented columns', () => {
    const parts = qualityReportParts(statsOf(5).report(), (id) => `tcp ${id}@127.0.0.1:4712`, header);
    expect(parts).toHaveLength(1);
    const rows = parts[0].pmus;
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
    const [, p50, , frames, missing, late, crc, degraded, syncLost, tq, lastSeen, source] = rows[2];
    expect([frames, missing, late, crc, degraded, syncLost, tq, lastSeen]).toEqual([
      1,
      0,
      0,
      0,
      1,
      1,
      7,
      1_700_000_000_000 - 3,
    ]);
    expect(p50).toBeGreaterThan(0);
    expect(source).toBe('tcp 3@127.0.0.1:4712');
    expect(rows[1][6]).toBe(1); // PMU 2's CRC error
    expect(rows[4][4]).toBe(1); // PMU 5's missing frame
  });

  it('splits thousands of PMUs into parts within the byte bound that together list every PMU once', () => {
    const maxPartBytes = 8 * 1024;
    const parts = qualityReportParts(statsOf(3000).report(), () => 'udp 10.0.0.1:4713', header, maxPartBytes);
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, p] of parts.entries()) {
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(maxPartBytes);
      expect({ part: p.part, parts: p.parts, seq: p.seq }).toEqual({ part: i, parts: parts.length, seq: 7 });
    }
    const ids = parts.flatMap((p: QualityReportPart) => p.pmus.map((r) => r[0]));
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('sends one empty part when no PMU is tracked, and refuses a bound that cannot hold one row', () => {
    const empty = { pmus: [], unattributedRejects: {} };
    expect(qualityReportParts(empty, () => undefined, header)).toEqual([
      { ...header, part: 0, parts: 1, pmus: [] },
    ]);
    expect(() => qualityReportParts(empty, () => undefined, header, 200)).toThrow(/cannot hold one PMU row/);
  });
});
