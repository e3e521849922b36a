import { afterEach, describe, expect, it } from 'vitest';
import { plantBug } from '../protocol/testing/planted-bugs';
import { runSafeSeed, SAFE_INVARIANTS } from './safe-run';

describe('safeSend in the simulator', () => {
  afterEach(() => plantBug(null));

  it('keeps total order, the quorum and durability through minority crashes and a whole-group crash', () => {
    const results = [1, 2, 3].map(runSafeSeed);
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    // The runs did what they claim: messages were delivered before and after the whole group restarted.
    expect(results.every((r) => r.stats.delivered > 100)).toBe(true);
    expect(results.every((r) => r.stats.deliveredAfterRestart > 50)).toBe(true);
    expect(results.every((r) => r.stats.crashes >= 3)).toBe(true);
  });

  it('catches a member that delivers before the quorum logged the message', () => {
    plantBug('safeDeliverBeforeQuorum');
    const violations = runSafeSeed(1).violations;
    expect(violations.some((v) => v.startsWith(`[${SAFE_INVARIANTS[1]}]`))).toBe(true);
  });
});
