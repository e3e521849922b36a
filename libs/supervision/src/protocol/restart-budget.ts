import type { RestartPolicy } from '../desired-state/desired-state';

/** Restart times still inside the policy's window at `nowMs` (the budget counts only these). */
export function restartsInWindow(
  policy: RestartPolicy,
  restartsAtMs: readonly number[],
  nowMs: number,
): number[] {
  return restartsAtMs.filter((t) => nowMs - t < policy.windowMs);
}

/** The wait before the next restart when `previous` restarts already happened in the window: the first is at once. */
export function backoffMs(policy: RestartPolicy, previous: number): number {
  if (previous <= 0) return 0;
  return Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** Math.min(previous - 1, 30));
}
