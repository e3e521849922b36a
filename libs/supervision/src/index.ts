/**
 * @gridcloud/supervision: keeping a cluster at its desired state. The desired-state file and its validation, the
 * supervisor's decisions as a pure state machine (`SupervisorCore.step`), the messages between supervisors and host
 * agents, and the host agent with its process drivers (local OS processes in the embedded cluster).
 */
export {
  DEFAULT_RESTART_POLICY,
  LOCAL_AGENT,
  SUPERVISOR_SERVICE,
  PORTS_PER_INSTANCE,
  type DesiredState,
  type ServiceSpec,
  type RestartPolicy,
} from './desired-state/desired-state';
export {
  agentAddress,
  hostOf,
  instancesOf,
  launchOf,
  seedAgent,
  seedsOf,
  UnknownPlaceholderError,
  type InstanceSpec,
  type Launch,
} from './desired-state/instance-layout';
export { parseDesiredState, MAX_INSTANCES } from './desired-state/parse-desired-state';
export { DesiredStateError } from './errors/desired-state-error';
export { AgentMessageError } from './errors/agent-message-error';
export {
  AGENT_ORDER_MESSAGE,
  PROCESS_EVENT_MESSAGE,
  AGENT_ROSTER_MESSAGE,
  CLUSTER_EVENT_MESSAGE,
  AGENTS_GROUP,
  SUPERVISORS_GROUP,
  CLUSTER_EVENTS_GROUP,
  toAgentOrder,
  toProcessEvent,
  toAgentRoster,
  type AgentRoster,
  type AgentOrder,
  type ProcessEvent,
} from './protocol/agent-messages';
export {
  CONFIG_ERROR_EXIT_CODE,
  formatClusterEvent,
  toClusterEvent,
  type ClusterEvent,
} from './protocol/cluster-event';
export { backoffMs, restartsInWindow } from './protocol/restart-budget';
export {
  RESTART_HISTORY_MESSAGE,
  toRestartHistory,
  type InstanceHistory,
  type RestartHistory,
} from './protocol/restart-history';
export {
  SupervisorCore,
  type InstancePhase,
  type ObservedMember,
  type ObservedView,
  type StartOrder,
  type SupervisorEffect,
  type SupervisorInput,
} from './protocol/supervisor-core';
export {
  LocalProcess,
  PROJECT_ROOT,
  type JsonLine,
  type LocalProcessOptions,
  type ProcessExit,
} from './runtime/local-process';
export { LocalProcessDriver, type ProcessDriver, type RunningInstance } from './runtime/process-driver';
export { bundleEntries, type EntryBundles } from './runtime/entry-bundles';
export { HostAgent, type HostAgentOptions } from './runtime/host-agent';
