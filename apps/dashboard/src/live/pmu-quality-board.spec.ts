import { describe, expect, it } from 'vitest';
import { QualityReportError } from '../errors/quality-report-error';
import { decodeQualityPart, type IngestQualityPart } from './ingest-quality-report';
import { PmuQualityBoard } from './pmu-quality-board';

const T0 = 1_700_000_000_000;

/** A part as ingest sends it: rows [id, p50, p99, frames, missing, late, crc, degraded, syncLost, tq, lastSeen, source]. */
function part(seq: number, atMs: number, rows: unknown[][]): unknown {
  return { ingest: 'ingest-a', seq, part: 0, parts: 1, atMs, intervalMs: 1000, pmus: rows };
}

function row(
  id: number,
  atMs: number,
  o: Partial<Record<'missing' | 'crc' | 'syncLost' | 'tq' | 'late', number>> = {},
  lastSeenMs = atMs,
) {
  return [
    id,
    20,
    30,
    100,
    o.missing ?? 0,
    o.late ?? 0,
    o.crc ?? 0,
    0,
    o.syncLost ?? 0,
    o.tq ?? 0,
    lastSeenMs,
    `tcp ${id}@h:1`,
  ];
}

function feed(board: PmuQualityBoard, payload: unknown, nowMs: number): void {
  board.onPart(decodeQualityPart(payload) as IngestQualityPart, nowMs);
}

describe('PmuQualityBoard', () => {
  it('ranks a silent PMU, then one missing frames, then one with time quality lost, before healthy ones, and counts each state', () => {
    const board = new PmuQualityBoard(100, 100);
    feed(
      board,
      part(
        0,
        T0,
        [1, 2, 3, 4].map((id) => row(id, T0)),
      ),
      T0,
    );
    const t1 = T0 + 12_000;
    const rows = [
      row(1, t1),
      row(2, t1, { syncLost: 30, tq: 7 }),
      row(3, t1, {}, t1 - 5000),
      row(4, t1, { missing: 4 }),
    ];
    feed(board, part(1, t1, rows), t1);
    const panel = board.panel(t1);
    expect(panel.pmus.map((p) => [p.pmuId, p.state])).toEqual([
      [3, 'silent'],
      [4, 'missing'],
      [2, 'time'],
      [1, 'ok'],
    ]);
    expect(panel.states).toEqual({ silent: 1, missing: 1, time: 1, crc: 0, late: 0, ok: 1 });
    expect(panel.pmus[1]).toMatchObject({ missing: 4, recent: { missing: 4 }, seq: 1, source: 'tcp 4@h:1' });
  });

  it('returns a PMU to ok once its counters stop growing for a recent window', () => {
    const board = new PmuQualityBoard(100, 100);
    feed(board, part(0, T0, [row(1, T0)]), T0);
    feed(board, part(1, T0 + 10_000, [row(1, T0 + 10_000, { crc: 2 })]), T0 + 10_000);
    expect(board.panel(T0 + 10_000).pmus[0].state).toBe('crc');
    feed(board, part(2, T0 + 20_000, [row(1, T0 + 20_000, { crc: 2 })]), T0 + 20_000);
    feed(board, part(3, T0 + 30_000, [row(1, T0 + 30_000, { crc: 2 })]), T0 + 30_000);
    expect(board.panel(T0 + 30_000).pmus[0].state).toBe('ok');
  });

  it('keeps at most maxPmus, shows the worst maxShownPmus and forgets PMUs no report names', () => {
    const board = new PmuQualityBoard(3, 2);
    feed(
      board,
      part(
        0,
        T0,
        [1, 2, 3, 4, 5].map((id) => row(id, T0, {}, id === 2 ? 0 : T0)),
      ),
      T0,
    );
    const panel = board.panel(T0);
    expect(panel).toMatchObject({ tracked: 3, pmusOverLimit: 2 });
    expect(panel.pmus.map((p) => p.pmuId)).toEqual([2, 1]);
    expect(board.panel(T0 + 61_000).tracked).toBe(0);
  });

  it('refuses what is not a report with a QualityReportError naming the field', () => {
    expect(() => decodeQualityPart(null)).toThrow(QualityReportError);
    expect(() => decodeQualityPart(part(0, T0, [[1, 2]]))).toThrow(/pmus\[0\] is not a row/);
    expect(() => decodeQualityPart(part(-1, T0, []))).toThrow(/seq must be a non-negative integer/);
    const bad = row(1, T0);
    bad[4] = 'many';
    expect(() => decodeQualityPart(part(0, T0, [bad]))).toThrow(/pmus\[0\]\.missing/);
    expect(() => decodeQualityPart({ ...(part(0, T0, []) as object), part: 1 })).toThrow(
      /part 1 is not below parts 1/,
    );
  });
});
