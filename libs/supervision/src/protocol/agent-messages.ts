import { AgentMessageError } from '../errors/agent-message-error';
import type { Launch } from '../desired-state/instance-layout';

/**
 * Message names (their handler ids are @gridcloud/nest-vsync's `messageHandlerId(name)`, so a NestJS member serves
 * them as `@EventPattern('agents/order')` and a plain Group member handles the same ids). On `agents`: an order, a
 * process event, and an agent's roster (its latest event per instance, sent when a member joins: its state
 * transfer). On `cluster.events`: one cluster event.
 */
export const AGENT_ORDER_MESSAGE = 'order';
export const PROCESS_EVENT_MESSAGE = 'process-event';
export const AGENT_ROSTER_MESSAGE = 'roster';
export const CLUSTER_EVENT_MESSAGE = 'event';

export const AGENTS_GROUP = 'agents';
export const SUPERVISORS_GROUP = 'supervisors';
export const CLUSTER_EVENTS_GROUP = 'cluster.events';

/**
 * An order from the acting supervisor to one host agent. `start` is idempotent: if the instance runs, the agent
 * only reports it (`spawned` with `alreadyRunning`), so a supervisor taking over may repeat it safely; `restart`
 * stops a running one first. `attempt` is the supervisor's count, for the logs.
 */
export interface AgentOrder {
  readonly kind: 'start' | 'restart';
  readonly agent: string;
  readonly instance: string;
  readonly attempt: number;
  readonly reason: string;
  readonly launch: Launch;
}

/**
 * What a host agent saw happen to an instance's OS process. `generation` counts the agent's spawns of that
 * instance, so an event about a process that was already replaced can be told apart.
 */
export type ProcessEvent =
  | {
      readonly kind: 'spawned';
      readonly agent: string;
      readonly instance: string;
      readonly generation: number;
      readonly pid: number;
      /** A `start` found it running: nothing was spawned. */
      readonly alreadyRunning: boolean;
      readonly atMs: number;
    }
  | {
      readonly kind: 'exited';
      readonly agent: string;
      readonly instance: string;
      readonly generation: number;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
      /** True when the agent itself stopped it (a restart order or shutdown): not a failure. */
      readonly ordered: boolean;
      /** The last line the process wrote on stderr: the reason a configuration error names. */
      readonly lastStderrLine: string;
      readonly atMs: number;
    };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((a) => typeof a === 'string');
}

/** Checks an order received from the group; a malformed one is an AgentMessageError, never a crash. */
export function toAgentOrder(v: unknown): AgentOrder {
  if (
    !isRecord(v) ||
    (v.kind !== 'start' && v.kind !== 'restart') ||
    typeof v.agent !== 'string' ||
    typeof v.instance !== 'string' ||
    !Number.isInteger(v.attempt) ||
    typeof v.reason !== 'string' ||
    !isRecord(v.launch) ||
    !isStrings(v.launch.command) ||
    !isRecord(v.launch.env) ||
    !(v.launch.nodeFlags === undefined || isStrings(v.launch.nodeFlags))
  )
    throw new AgentMessageError(`not an agent order: ${JSON.stringify(v).slice(0, 200)}`);
  return v as unknown as AgentOrder;
}

export function toProcessEvent(v: unknown): ProcessEvent {
  if (
    !isRecord(v) ||
    (v.kind !== 'spawned' && v.kind !== 'exited') ||
    typeof v.agent !== 'string' ||
    typeof v.instance !== 'string' ||
    !Number.isInteger(v.generation) ||
    typeof v.atMs !== 'number'
  )
    throw new AgentMessageError(`not a process event: ${JSON.stringify(v).slice(0, 200)}`);
  return v as unknown as ProcessEvent;
}

/** What an agent knows now: the latest event of every instance it ran. A joining supervisor starts from it. */
export interface AgentRoster {
  readonly agent: string;
  readonly events: readonly ProcessEvent[];
}

export function toAgentRoster(v: unknown): AgentRoster {
  if (!isRecord(v) || typeof v.agent !== 'string' || !Array.isArray(v.events))
    throw new AgentMessageError(`not an agent roster: ${JSON.stringify(v).slice(0, 200)}`);
  return { agent: v.agent, events: v.events.map(toProcessEvent) };
}
