export { Group, type GroupOptions, type Handler, type DeliveryContext } from './group';
export { VsyncProcess } from './vsync-process';
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
export {
  StateTransferError,
  StateBufferOverflowError,
} from './state-transfer/state-transfer-error';
export type { StateTransferOptions, StateTransferProgress } from './state-transfer/state-transfer-options';
export type { CheckpointFile } from './state-transfer/checkpoint-files';
