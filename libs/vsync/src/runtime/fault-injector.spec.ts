import { describe, expect, it } from 'vitest';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { FaultInjector } from './fault-injector';

function schedule(seed: number, count: number): number[] {
  const injector = new FaultInjector({ dropRate: 0.2, duplicateRate: 0.1, seed });
  const copies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    let sent = 0;
    injector.apply('peer:1', () => (sent += 1));
    copies.push(sent);
  }
  return copies;
}

describe('FaultInjector', () => {
  it('repeats the same drops and duplicates from the same seed', () => {
    expect(schedule(7, 500)).toEqual(schedule(7, 500));
    expect(schedule(7, 500)).not.toEqual(schedule(8, 500));
  });

  it('drops and duplicates at about the configured rates', () => {
    const copies = schedule(1, 10_000);
    const dropped = copies.filter((c) => c === 0).length / copies.length;
    const doubled = copies.filter((c) => c === 2).length / copies.length;
    expect(dropped).toBeGreaterThan(0.17);
    expect(dropped).toBeLessThan(0.23);
    expect(doubled).toBeGreaterThan(0.06);
    expect(doubled).toBeLessThan(0.1);
  });

  it('delivers late messages, later and possibly reordered', async () => {
    const injector = new FaultInjector({ maxDelayMs: 5, seed: 3 });
    const order: number[] = [];
    for (let i = 0; i < 50; i += 1) injector.apply('peer:1', () => order.push(i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('drops everything to a cut address, and nothing else, until healed', () => {
    const injector = new FaultInjector({});
    const sent: string[] = [];
    injector.cut('b:1');
    for (const to of ['a:1', 'b:1', 'a:1']) injector.apply(to, () => sent.push(to));
    injector.heal();
    injector.apply('b:1', () => sent.push('b:1 healed'));
    expect(sent).toEqual(['a:1', 'a:1', 'b:1 healed']);
    expect(injector.counts.dropped).toBe(1);
  });

  it('rejects rates outside [0, 1) and bad delays', () => {
    expect(() => new FaultInjector({ dropRate: 1 })).toThrow(VsyncOptionsError);
    expect(() => new FaultInjector({ duplicateRate: -0.1 })).toThrow(/faults.duplicateRate/);
    expect(() => new FaultInjector({ maxDelayMs: 1.5 })).toThrow(/faults.maxDelayMs/);
  });
});
