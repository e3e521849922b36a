import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PdcConfigError } from '../errors/pdc-config-error';
import { SnapshotMerger, type MergedSnapshot, type MergerEffect } from './snapshot-merger';

const FPS = 60;
const T0_SLOT = 1_700_000_000 * FPS;

function merger(parts = ['a', 'b'], mergeWindowMs = 50, maxPendingSnapshots = 8): SnapshotMerger<string> {
  const m = new SnapshotMerger<string>({ mergeWindowMs, maxPendingSnapshots, maxParts: 16 });
  for (const p of parts) m.expectPart(p);
  return m;
}

function offer(part: string, k: number) {
  const slot = T0_SLOT + k;
  return { part, slot, timeSec: slot / FPS, value: `${part}@${k}` };
}

/** The slot instant of k, plus `afterMs`: the merger's clock. */
function at(k: number, afterMs = 5): number {
  return ((T0_SLOT + k) / FPS) * 1000 + afterMs;
}

function merged(effects: readonly MergerEffect<string>[]): MergedSnapshot<string>[] {
  return effects.flatMap((e) => (e.type === 'merged' ? [e.merged] : []));
}

describe('SnapshotMerger', () => {
  it('releases a slot as soon as every part delivered it, with each part lateness', () => {
    const m = merger();
    expect(m.offer(offer('a', 0), at(0, 4))).toEqual([]);
    const [s] = merged(m.offer(offer('b', 0), at(0, 9)));
    expect(s.reason).toBe('complete');
    expect(s.absentParts).toEqual([]);
    expect(s.parts.map((p) => [p.part, p.value, Math.round(p.latenessMs)])).toEqual([
      ['a', 'a@0', 4],
      ['b', 'b@0', 9],
    ]);
    expect(m.countersOf('b')!.latenessMs.count).toBe(1);
  });

  it('names the absent part when the window passes, and reports its later copy as late, never merged', () => {
    const m = merger(['a', 'b'], 50);
    m.offer(offer('a', 0), at(0));
    expect(m.tick(at(0, 54))).toEqual([]);
    const [s] = merged(m.tick(at(0, 55)));
    expect(s.reason).toBe('window');
    expect(s.absentParts).toEqual(['b']);
    const late = m.offer(offer('b', 0), at(0, 60));
    expect(late).toMatchObject([{ type: 'late-part', offer: { part: 'b' } }]);
    expect(m.countersOf('b')).toMatchObject({ received: 0, late: 1, absent: 1 });
  });

  it('with expectsSlot, holds a complete slot for an earlier one not yet opened, until its deadline', () => {
    const m = new SnapshotMerger<string>({
      mergeWindowMs: 50,
      maxPendingSnapshots: 8,
      maxParts: 2,
      expectsSlot: () => true,
    });
    for (const p of ['a', 'b']) m.expectPart(p);
    m.offer(offer('a', 0), at(0));
    expect(merged(m.offer(offer('b', 0), at(0))).map((s) => s.slot)).toEqual([T0_SLOT]);
    // Slot 2 completes first (another partition was quicker); slot 1 then arrives and both leave in order.
    m.offer(offer('a', 2), at(2));
    expect(m.offer(offer('b', 2), at(2))).toEqual([]);
    m.offer(offer('b', 1), at(2, 10));
    const out = merged(m.offer(offer('a', 1), at(2, 11)));
    expect(out.map((s) => [s.slot - T0_SLOT, s.reason, s.skippedSlotsBefore])).toEqual([
      [1, 'complete', 0],
      [2, 'complete', 0],
    ]);
    // Slot 4 complete, slot 3 never comes: slot 4 leaves at its deadline, slot 3 counted skipped.
    m.offer(offer('a', 4), at(4));
    expect(m.offer(offer('b', 4), at(4))).toEqual([]);
    expect(m.tick(at(4, 54))).toEqual([]);
    expect(merged(m.tick(at(4, 55))).map((s) => [s.slot - T0_SLOT, s.reason, s.skippedSlotsBefore])).toEqual([
      [4, 'complete', 1],
    ]);
  });

  it('with expectsSlot, does not wait for an earlier slot another merger owns', () => {
    // This merger sees the even slots only (the odd ones are in partitions another merger owns).
    const m = new SnapshotMerger<string>({
      mergeWindowMs: 50,
      maxPendingSnapshots: 8,
      maxParts: 2,
      expectsSlot: (slot) => (slot - T0_SLOT) % 2 === 0,
    });
    for (const p of ['a', 'b']) m.expectPart(p);
    m.offer(offer('a', 0), at(0));
    m.offer(offer('b', 0), at(0));
    m.offer(offer('a', 2), at(2));
    expect(merged(m.offer(offer('b', 2), at(2))).map((s) => s.slot - T0_SLOT)).toEqual([2]);
    m.offer(offer('a', 6), at(6));
    expect(m.offer(offer('b', 6), at(6))).toEqual([]);
  });

  it('without expectsSlot, releases a complete slot at once, skipping one not opened', () => {
    const m = merger(['a', 'b']);
    m.offer(offer('a', 0), at(0));
    m.offer(offer('b', 0), at(0));
    m.offer(offer('a', 2), at(2));
    expect(merged(m.offer(offer('b', 2), at(2))).map((s) => s.skippedSlotsBefore)).toEqual([1]);
  });

  it('keeps the first copy of a part and refuses a second', () => {
    const m = merger(['a', 'b']);
    m.offer(offer('a', 0), at(0));
    const again = m.offer({ ...offer('a', 0), value: 'second' }, at(0, 6));
    expect(again).toMatchObject([{ type: 'refused-part', reason: 'duplicate' }]);
    const [s] = merged(m.offer(offer('b', 0), at(0, 7)));
    expect(s.parts[0].value).toBe('a@0');
  });

  it('refuses a part it does not expect and a slot that is not a slot', () => {
    const m = merger(['a']);
    expect(m.offer(offer('x', 0), at(0))).toMatchObject([{ reason: 'unknown-part' }]);
    expect(m.offer({ ...offer('a', 0), slot: 1.5 }, at(0))).toMatchObject([{ reason: 'invalid-slot' }]);
    expect(m.counters.refusedParts).toBe(2);
  });

  it('a forgotten part no longer holds slots back', () => {
    const m = merger(['a', 'b']);
    m.offer(offer('a', 0), at(0));
    const [s] = merged(m.forgetPart('b', at(0, 6)));
    expect(s).toMatchObject({ reason: 'complete', absentParts: [] });
  });

  it('releases the oldest slot early when the pending bound is reached', () => {
    const m = merger(['a', 'b'], 1000, 2);
    m.offer(offer('a', 0), at(0));
    m.offer(offer('a', 1), at(1));
    const [s] = merged(m.offer(offer('a', 2), at(2)));
    expect(s).toMatchObject({ slot: T0_SLOT, reason: 'overflow', absentParts: ['b'] });
    expect(m.pendingSnapshots).toBe(2);
  });

  it('rejects bad options with a typed error naming the bound', () => {
    expect(() => new SnapshotMerger({ mergeWindowMs: -1, maxPendingSnapshots: 1, maxParts: 1 })).toThrow(
      PdcConfigError,
    );
    expect(() => new SnapshotMerger({ mergeWindowMs: 1, maxPendingSnapshots: 0, maxParts: 1 })).toThrow(
      /maxPendingSnapshots/,
    );
  });

  it('every offered part is merged, late or refused exactly once, and slots leave in order (property)', () => {
    const ops = fc.array(
      fc.record({ part: fc.constantFrom('a', 'b', 'c'), k: fc.integer({ min: 0, max: 20 }), dt: fc.nat(30) }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(ops, (list) => {
        const m = merger(['a', 'b', 'c'], 20, 4);
        let now = at(0);
        let mergedParts = 0;
        let late = 0;
        let refused = 0;
        let last = -Infinity;
        const count = (effects: readonly MergerEffect<string>[]) => {
          for (const e of effects) {
            if (e.type === 'merged') {
              expect(e.merged.slot).toBeGreaterThan(last);
              last = e.merged.slot;
              mergedParts += e.merged.parts.length;
            } else if (e.type === 'late-part') late += 1;
            else refused += 1;
          }
        };
        for (const o of list) {
          now += o.dt;
          count(m.offer(offer(o.part, o.k), now));
          count(m.tick(now));
        }
        count(m.flush(now));
        expect(mergedParts + late + refused).toBe(list.length);
      }),
    );
  });
});
