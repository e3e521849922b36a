/**
 * What the supervisors report on the `cluster.events` group (and in their logs): every restart from the failure
 * it answers to the moment the replacement joined its group, give-ups and configuration errors.
 */
export type ClusterEvent =
  | {
      readonly kind: 'restarting';
      readonly service: string;
      readonly instance: string;
      readonly reason: string;
      /** When the failure was seen. */
      readonly failedAtMs: number;
      /** When the order goes out: failedAtMs plus the backoff. */
      readonly orderAtMs: number;
      readonly attempt: number;
      /** This restart's number within the policy's window, and the most the window allows. */
      readonly restartInWindow: number;
      readonly maxRestarts: number;
    }
  | {
      readonly kind: 'restarted';
      readonly service: string;
      readonly instance: string;
      readonly reason: string;
      readonly failedAtMs: number;
      readonly joinedAtMs: number;
      /** From the failure being seen to the replacement's view of its alive group. */
      readonly rejoinMs: number;
      readonly attempt: number;
    }
  | {
      readonly kind: 'gave-up';
      readonly service: string;
      readonly instance: string;
      readonly reason: string;
      readonly atMs: number;
      readonly restartsInWindow: number;
    }
  | {
      readonly kind: 'config-error';
      readonly service: string;
      readonly instance: string;
      /** The process's last stderr line, which names the flag or variable that was wrong. */
      readonly message: string;
      readonly code: number;
      readonly atMs: number;
    };

/** Exit code of a process refusing its configuration: reported at once, never retried. */
export const CONFIG_ERROR_EXIT_CODE = 2;

export function formatClusterEvent(e: ClusterEvent): string {
  switch (e.kind) {
    case 'restarting':
      return `${e.instance}: ${e.reason}; restart ${e.restartInWindow} of at most ${e.maxRestarts} in the window, in ${e.orderAtMs - e.failedAtMs} ms`;
    case 'restarted':
      return `${e.instance}: rejoined ${e.rejoinMs} ms after ${e.reason}`;
    case 'gave-up':
      return `${e.instance}: ${e.reason}; gave up after ${e.restartsInWindow} restarts in the window`;
    case 'config-error':
      return `${e.instance}: configuration error (exit code ${e.code}), not restarted: ${e.message}`;
  }
}

const KINDS = new Set(['restarting', 'restarted', 'gave-up', 'config-error']);

/** Checks a cluster event received from the group; undefined when it is not one (it is then ignored). */
export function toClusterEvent(v: unknown): ClusterEvent | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (!KINDS.has(e.kind as string) || typeof e.instance !== 'string' || typeof e.service !== 'string')
    return undefined;
  return v as ClusterEvent;
}
