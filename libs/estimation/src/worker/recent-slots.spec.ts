import { describe, expect, it } from 'vitest';
import { RecentSlots } from './recent-slots';

describe('RecentSlots', () => {
  it('takes a slot once: a second copy is refused', () => {
    const slots = new RecentSlots(8);
    expect(slots.take(10)).toBe(true);
    expect(slots.take(11)).toBe(true);
    expect(slots.take(10)).toBe(false);
    expect(slots.take(11)).toBe(false);
  });

  it('takes copies arriving out of slot order by slot, not by position', () => {
    const slots = new RecentSlots(8);
    for (const s of [5, 3, 9]) expect(slots.take(s)).toBe(true);
    for (const s of [9, 5, 3]) expect(slots.take(s)).toBe(false);
  });

  it('remembers at most maxRememberedSlots, forgetting the oldest taken', () => {
    const slots = new RecentSlots(3);
    for (const s of [1, 2, 3, 4]) slots.take(s);
    expect(slots.size).toBe(3);
    expect(slots.take(1)).toBe(true);
    expect(slots.take(4)).toBe(false);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new RecentSlots(0)).toThrow(/maxRememberedSlots/);
    expect(() => new RecentSlots(1.5)).toThrow(/maxRememberedSlots/);
  });
});
