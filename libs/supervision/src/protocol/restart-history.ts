import { AgentMessageError } from '../errors/agent-message-error';

/** Message on `supervisors`: the restart history of every instance, sent to a supervisor that joins. */
export const RESTART_HISTORY_MESSAGE = 'restart-history';

/** What a supervisor counted for one instance: the restarts of its budget and the orders issued. */
export interface InstanceHistory {
  readonly restartsAtMs: readonly number[];
  readonly attempt: number;
}

/** Instance id -> its history. */
export type RestartHistory = Readonly<Record<string, InstanceHistory>>;

/** Most restart times one instance's history may carry (a budget window never holds more than maxRestarts). */
const MAX_RESTARTS_PER_INSTANCE = 10_000;
/** Most instances one history may name. */
const MAX_INSTANCES = 10_000;

/** Validates a restart history from the group; a bad one is an AgentMessageError naming what was wrong. */
export function toRestartHistory(raw: unknown): RestartHistory {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AgentMessageError('restart history: not an object');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_INSTANCES)
    throw new AgentMessageError(`restart history: over ${MAX_INSTANCES} instances`);
  const out: Record<string, InstanceHistory> = {};
  for (const [instance, value] of entries) {
    const h = value as { restartsAtMs?: unknown; attempt?: unknown };
    const times = h?.restartsAtMs;
    if (
      !Array.isArray(times) ||
      times.length > MAX_RESTARTS_PER_INSTANCE ||
      !times.every((t) => Number.isFinite(t))
    )
      throw new AgentMessageError(`restart history of ${instance}: restartsAtMs is not a list of times`);
    if (!Number.isInteger(h.attempt) || (h.attempt as number) < 0)
      throw new AgentMessageError(`restart history of ${instance}: attempt is not a count`);
    out[instance] = { restartsAtMs: times as number[], attempt: h.attempt as number };
  }
  return out;
}
