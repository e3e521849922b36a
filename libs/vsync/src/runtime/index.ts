export { Group, type GroupOptions, type Handler, type HandlerOptions, type DeliveryContext } from './group';
export { VsyncProcess } from './vsync-process';
export { HIGH_RATE_NODE_FLAGS, SHARED_CORES_NODE_FLAGS } from './node-flags';
export type { VsyncProcessOptions, CoreBounds, TransportBounds } from './process-options';
export type { RuntimeStats } from './runtime-stats';
export type { Delivery, GroupEndpoint } from './group-endpoint';
export { encodeGroupCall, decodeGroupCall, MAX_HANDLER_ID, type GroupCall } from './group-payload';
export { VsyncOptionsError } from './errors/vsync-options-error';
export { ProcessClosedError } from './errors/process-closed-error';
export { TooManyPendingRequestsError } from './errors/too-many-pending-requests-error';
export { PayloadTooLargeError } from './errors/payload-too-large-error';
export { UnknownHandlerError } from './errors/unknown-handler-error';
export { HandlerError } from './errors/handler-error';
export { UndecodablePayloadError } from './errors/undecodable-payload-error';
export { DuplicateGroupError } from './errors/duplicate-group-error';
export { FaultInjector, type FaultOptions } from './fault-injector';
export type { SystemView, GroupMembers } from './system-view';
export { refoundSystem, type RefoundOptions, type RefoundResult } from './refound';
export { GroupClient, type GroupClientOptions } from './group-client';
export { Subscription, type SubscribedMessage, type SubscribeOptions } from './group-client-subscription';
export type { SubscriptionGap } from './group-client-cursor';
export type { RelayBounds } from './group-client-relay-log';
export { NoRepresentativeError } from './errors/no-representative-error';
export { ALL, MAJORITY, type QueryOptions } from './query-call';
export { splitWork, itemsOf, type WorkSplit, WorkSplitError } from './work-split';
export {
  StateTransferError,
  StateTransferRestartedError,
  StateBufferOverflowError,
} from './state-transfer/state-transfer-error';
export type { StateTransferOptions, StateTransferProgress } from './state-transfer/state-transfer-options';
export type { CheckpointFile } from './state-transfer/checkpoint-files';
