import { describe, expect, it } from 'vitest';
import { PendingMulticasts } from './pending-multicasts';

/** Adds ids with settlers that record how each ended. */
function track(ring: PendingMulticasts, ids: readonly number[]): Map<number, string> {
  const outcome = new Map<number, string>();
  for (const id of ids)
    ring.add(
      id,
      () => outcome.set(id, 'resolved'),
      (error) => outcome.set(id, `rejected: ${error.message}`),
    );
  return outcome;
}

describe('PendingMulticasts', () => {
  it('settles the oldest, one out of order and one that is not there, keeping the count of those still waiting', () => {
    const ring = new PendingMulticasts();
    const outcome = track(ring, [3, 5, 9, 12]);
    expect(ring.size).toBe(4);
    expect(ring.settle(3)).toBe(true);
    expect(ring.settle(9, new Error('queue full'))).toBe(true);
    expect(ring.settle(7)).toBe(false);
    expect(ring.settle(9)).toBe(false);
    expect(ring.size).toBe(2);
    expect(outcome).toEqual(
      new Map([
        [3, 'resolved'],
        [9, 'rejected: queue full'],
      ]),
    );
    expect(ring.settle(5)).toBe(true);
    expect(ring.settle(12)).toBe(true);
    expect(ring.size).toBe(0);
  });

  it('grows past its first slots with entries settled out of order and wrapped around, losing none', () => {
    const ring = new PendingMulticasts();
    const outcome = new Map<number, string>();
    let next = 1;
    // Wrap the ring first, then hold many more than it started with while settling every third out of order.
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 50 }, () => next++);
      for (const [id, how] of track(ring, ids)) outcome.set(id, how);
      for (const id of ids) ring.settle(id);
    }
    const held = Array.from({ length: 1_000 }, () => next++);
    const late = track(ring, held);
    for (const id of held.filter((id) => id % 3 === 0)) expect(ring.settle(id)).toBe(true);
    expect(ring.size).toBe(held.length - held.filter((id) => id % 3 === 0).length);
    for (const id of held) ring.settle(id);
    expect(ring.size).toBe(0);
    expect([...late.values()].every((how) => how === 'resolved')).toBe(true);
    expect(late.size).toBe(held.length);
  });

  it('rejects every waiting multicast once, oldest first, and starts empty again', () => {
    const ring = new PendingMulticasts();
    const order: number[] = [];
    for (const id of [1, 2, 3])
      ring.add(
        id,
        () => undefined,
        () => order.push(id),
      );
    ring.settle(2);
    ring.rejectAll(new Error('closed'));
    expect(order).toEqual([1, 3]);
    expect(ring.size).toBe(0);
    expect(ring.settle(1)).toBe(false);
    ring.add(
      4,
      () => order.push(40),
      () => undefined,
    );
    expect(ring.settle(4)).toBe(true);
    expect(order).toEqual([1, 3, 40]);
  });

  it('refuses an id that is not newer than the last one added', () => {
    const ring = new PendingMulticasts();
    ring.add(
      5,
      () => undefined,
      () => undefined,
    );
    expect(() =>
      ring.add(
        5,
        () => undefined,
        () => undefined,
      ),
    ).toThrow(RangeError);
  });
});
