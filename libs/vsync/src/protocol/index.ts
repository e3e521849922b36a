/** The pure protocol core of vsync: membership service, view-synchronous FIFO and total-order multicast, flush,
 *  flow control and the wire codec. No sockets, timers, clocks or randomness in here. */
export type { ProcessId } from './process-id';
export { processKey, sameProcess, compareProcess, formatProcess } from './process-id';
export { View } from './view';
export type {
  Ordering,
  WireMessage,
  WireBody,
  WireKind,
  DataRecord,
  ViewValue,
  Ballot,
  GroupMembership,
  ReplyOutcome,
} from './wire-message';
export type { BatchedMulticast, CoreInput, CoreOutput, DeliveryOrdering } from './core-io';
export { targetOf, type QueryWant, type TimeoutAction, type QueryTarget, type QueryReply } from './query';
export { resolveCoreConfig } from './core-config';
export type { CoreConfig, ResolvedCoreConfig } from './core-config';
export { ProcessCore } from './process-core';
export { encodeMessage, encodeMessageParts, decodeMessage, WIRE_VERSION } from './codec/message-codec';
export { allocateBytes, allocateEncoded, copyBytes } from './codec/byte-slab';
export {
  VsyncError,
  MinorityPartitionError,
  ExcludedError,
  DecodeError,
  ConfigError,
  SendQueueFullError,
  NotAMemberError,
  RequestError,
  ShutdownError,
  InvariantError,
  QueryAbortedError,
  QueryTimeoutError,
  GroupAccessError,
} from './errors';
export type { GroupGuard } from './gms/group-admission';
export { type CoreMetrics, EMPTY_CORE_METRICS } from './core-metrics';
export {
  TransferPlan,
  DEFAULT_TRANSFER_PLAN,
  type TransferInput,
  type TransferEffect,
  type TransferPlanConfig,
} from './state-transfer';
export {
  mergeSafeLogs,
  safeEntryKey,
  toLogEntry,
  type SafeLogEntry,
  SafeLogConflictError,
  safeQuorum,
} from './safe';
