import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PdcConfigError } from '../errors/pdc-config-error';
import type { AlignedSnapshot, AlignerEffect, TimedFrame } from './aligned-snapshot';
import { TimeAligner } from './time-aligner';

const FPS = 30;
const T0 = 1_700_000_000;
const T0_MS = T0 * 1000;

function aligner(
  over: Partial<ConstructorParameters<typeof TimeAligner>[0]> = {},
  pmus = [1, 2, 3],
): TimeAligner<string> {
  const a = new TimeAligner<string>({
    framesPerSecond: FPS,
    alignWindowMs: 50,
    maxPendingSnapshots: 8,
    maxFutureMs: 1000,
    maxPmus: 100,
    ...over,
  });
  for (const p of pmus) a.expect(p);
  return a;
}

/** Frame of `pmuId` for reporting instant k after T0 (exact 1/30 s steps). */
function frame(pmuId: number, k: number, arrivalMs: number): TimedFrame<string> {
  return {
    pmuId,
    soc: T0 + Math.floor(k / FPS),
    fraction: (k % FPS) / FPS,
    arrivalMs,
    value: `${pmuId}@${k}`,
  };
}

function snapshots(effects: readonly AlignerEffect<string>[]): AlignedSnapshot<string>[] {
  return effects.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
}

describe('TimeAligner', () => {
  it('releases a snapshot as soon as every expected PMU reported', () => {
    const a = aligner();
    expect(a.offer(frame(2, 0, T0_MS + 5), T0_MS + 5)).toEqual([]);
    expect(a.offer(frame(1, 0, T0_MS + 6), T0_MS + 6)).toEqual([]);
    const [s] = snapshots(a.offer(frame(3, 0, T0_MS + 7), T0_MS + 7));
    expect(s.complete).toBe(true);
    expect(s.reason).toBe('complete');
    expect(s.pmuIds).toEqual([1, 2, 3]);
    expect(s.values).toEqual(['1@0', '2@0', '3@0']);
    expect(s.timeSec).toBeCloseTo(T0, 9);
    expect(s.firstArrivalMs).toBe(T0_MS + 5);
    expect(s.lastArrivalMs).toBe(T0_MS + 7);
  });

  it('reuses released slots without carrying their values into the next', () => {
    const a = aligner();
    // One object offered for every PMU, as ingest's cursor is: only its value is kept.
    const cursor = frame(0, 0, T0_MS + 5);
    const offer = (pmuId: number, k: number, value: string) =>
      a.offer(Object.assign(cursor, { pmuId, value, fraction: k / 30 }), T0_MS + 5);
    offer(3, 0, 'c0');
    offer(1, 0, 'a0');
    const [s] = snapshots(offer(2, 0, 'b0'));
    expect(s.pmuIds).toEqual([1, 2, 3]);
    expect(s.values).toEqual(['a0', 'b0', 'c0']);
    offer(2, 1, 'b1');
    const [t] = snapshots(a.tick(T0_MS + 100));
    expect(t).toMatchObject({ pmuIds: [2], values: ['b1'], missing: [1, 3], complete: false });
    expect(s.values).toEqual(['a0', 'b0', 'c0']);
  });

  it('releases an incomplete snapshot when its window passes and names the missing PMUs', () => {
    const a = aligner();
    a.offer(frame(1, 0, T0_MS), T0_MS);
    a.offer(frame(3, 0, T0_MS + 1), T0_MS + 1);
    expect(a.tick(T0_MS + 49)).toEqual([]);
    const [s] = snapshots(a.tick(T0_MS + 50));
    expect(s.complete).toBe(false);
    expect(s.reason).toBe('window');
    expect(s.pmuIds).toEqual([1, 3]);
    expect(s.missing).toEqual([2]);
    expect(a.counters.missingFrames).toBe(1);
  });

  it('reports a frame whose snapshot already left as late, with its age', () => {
    const a = aligner();
    a.offer(frame(1, 0, T0_MS), T0_MS);
    a.tick(T0_MS + 60);
    const effects = a.offer(frame(2, 0, T0_MS + 80), T0_MS + 80);
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({ type: 'late', slot: T0 * FPS, ageMs: 80 });
    expect(a.counters.framesLate).toBe(1);
  });

  it('releases in timestamp order: a complete later snapshot waits for an earlier incomplete one', () => {
    const a = aligner();
    a.offer(frame(1, 0, T0_MS), T0_MS);
    for (const p of [1, 2, 3]) expect(snapshots(a.offer(frame(p, 1, T0_MS + 34), T0_MS + 34))).toEqual([]);
    const released = snapshots(a.tick(T0_MS + 50));
    expect(released.map((s) => [s.slot - T0 * FPS, s.reason])).toEqual([
      [0, 'window'],
      [1, 'complete'],
    ]);
  });

  it('refuses duplicates, frames from the future and unexpected PMUs, with reasons', () => {
    const a = aligner();
    a.offer(frame(1, 0, T0_MS), T0_MS);
    expect(a.offer(frame(1, 0, T0_MS + 1), T0_MS + 1)[0]).toMatchObject({
      type: 'refused',
      reason: 'duplicate',
    });
    expect(a.offer(frame(2, 3 * FPS, T0_MS + 2), T0_MS + 2)[0]).toMatchObject({
      type: 'refused',
      reason: 'future',
    });
    expect(a.offer(frame(9, 0, T0_MS + 3), T0_MS + 3)[0]).toMatchObject({
      type: 'refused',
      reason: 'unexpected-pmu',
    });
    expect(a.counters.refused).toEqual({ duplicate: 1, future: 1, 'unexpected-pmu': 1, 'invalid-time': 0 });
  });

  it('refuses a frame whose time is not a time (NaN from TIME_BASE 0, a fraction of 1 or more) and keeps releasing in order', () => {
    const a = aligner();
    for (const [soc, fraction] of [
      [T0, Number.NaN],
      [Number.NaN, 0],
      [T0, 1],
      [T0, -0.1],
      [Number.POSITIVE_INFINITY, 0],
    ]) {
      expect(a.offer({ pmuId: 1, soc, fraction, arrivalMs: T0_MS, value: 'bad' }, T0_MS)[0]).toMatchObject({
        type: 'refused',
        reason: 'invalid-time',
      });
    }
    expect(a.pendingSnapshots).toBe(0);
    a.offer(frame(1, 0, T0_MS), T0_MS);
    const [s] = snapshots(a.tick(T0_MS + 60));
    expect(s.pmuIds).toEqual([1]);
    expect(a.counters.refused['invalid-time']).toBe(5);
  });

  it('bounds pending snapshots: opening one more releases the oldest early, flagged overflow', () => {
    const a = aligner({ maxPendingSnapshots: 2 });
    a.offer(frame(1, 0, T0_MS), T0_MS);
    a.offer(frame(1, 1, T0_MS + 1), T0_MS + 1);
    const [s] = snapshots(a.offer(frame(1, 2, T0_MS + 2), T0_MS + 2));
    expect(s.reason).toBe('overflow');
    expect(s.slot).toBe(T0 * FPS);
    expect(a.pendingSnapshots).toBe(2);
  });

  it('treats a frame older than everything pending at the bound as late rather than evicting newer data', () => {
    const a = aligner({ maxPendingSnapshots: 2 });
    a.offer(frame(1, 5, T0_MS), T0_MS);
    a.offer(frame(1, 6, T0_MS), T0_MS);
    expect(a.offer(frame(2, 4, T0_MS + 1), T0_MS + 1)[0]).toMatchObject({ type: 'late' });
    expect(a.pendingSnapshots).toBe(2);
  });

  it('counts reporting instants for which nothing arrived', () => {
    const a = aligner({}, [1]);
    a.offer(frame(1, 0, T0_MS), T0_MS);
    const [s] = snapshots(a.offer(frame(1, 4, T0_MS + 140), T0_MS + 140));
    expect(s.skippedSlotsBefore).toBe(3);
    expect(a.counters.skippedSlots).toBe(3);
  });

  it('withdraws a forgotten PMU so snapshots no longer wait for it', () => {
    const a = aligner();
    a.offer(frame(1, 0, T0_MS), T0_MS);
    a.offer(frame(2, 0, T0_MS), T0_MS);
    const [s] = snapshots(a.forget(3, T0_MS + 1));
    expect(s.complete).toBe(true);
    expect(s.pmuIds).toEqual([1, 2]);
  });

  it('refuses options out of range with the option name', () => {
    expect(() => aligner({ alignWindowMs: -1 })).toThrow(PdcConfigError);
    expect(() => aligner({ maxPendingSnapshots: 0 })).toThrow(/maxPendingSnapshots/);
  });

  it('accounts for every offered frame exactly once, releases in order and stays within its bound (property)', () => {
    const arb = fc.array(
      fc.record({
        pmu: fc.integer({ min: 1, max: 4 }),
        k: fc.integer({ min: 0, max: 20 }),
        delayMs: fc.integer({ min: 0, max: 200 }),
        gapMs: fc.integer({ min: 0, max: 40 }),
      }),
      { maxLength: 200 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 6 }), (events, bound) => {
        const a = aligner({ maxPendingSnapshots: bound, alignWindowMs: 30 }, [1, 2, 3]);
        let now = T0_MS;
        const all: AlignerEffect<string>[] = [];
        for (const e of events) {
          now += e.gapMs;
          all.push(...a.offer(frame(e.pmu, e.k, now), now));
          all.push(...a.tick(now));
          expect(a.pendingSnapshots).toBeLessThanOrEqual(bound);
        }
        all.push(...a.flush(now + 1000));
        const placed = snapshots(all).reduce((n, s) => n + s.values.length, 0);
        const other = all.filter((x) => x.type !== 'snapshot').length;
        expect(placed + other).toBe(events.length);
        const slots = snapshots(all).map((s) => s.slot);
        expect(slots).toEqual([...slots].sort((x, y) => x - y));
        expect(new Set(slots).size).toBe(slots.length);
      }),
      { numRuns: 200 },
    );
  });
});
