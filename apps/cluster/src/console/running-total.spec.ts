import { describe, expect, it } from 'vitest';
import { RunningTotal } from './running-total';

describe('RunningTotal', () => {
  it('counts a reading lower than the previous one as a restarted source, never as a negative rate', () => {
    const t = new RunningTotal();
    t.takeRate(0);
    t.observe(100);
    t.observe(300);
    expect(t.takeRate(1000)).toBe(300);
    // The source was SIGKILLed and restarted: its counters begin again at zero.
    t.observe(20);
    expect(t.total).toBe(320);
    expect(t.takeRate(2000)).toBe(20);
    t.observe(80);
    expect(t.takeRate(3000)).toBe(60);
  });

  it('after reset() the next reading counts in full even if it is higher than the last one', () => {
    const t = new RunningTotal();
    t.observe(50);
    t.reset();
    t.observe(70);
    expect(t.total).toBe(120);
  });
});
