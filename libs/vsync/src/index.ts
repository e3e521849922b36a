/**
 * @gridcloud/vsync: virtual-synchrony process groups in the spirit of Isis2/Vsync.
 *
 *   const g = new Group('myGroup', { seeds: ['10.0.0.1:7000'] });
 *   g.onView((v) => console.log(v.toString()));
 *   g.handle(UPDATE, (name: string, value: number) => { ... });
 *   await g.join();
 *   await g.orderedSend(UPDATE, 'Harry', 20.75);
 *
 * This barrel is the library's only public surface.
 */
export {
  Group,
  VsyncProcess,
  VsyncOptionsError,
  ProcessClosedError,
  TooManyPendingRequestsError,
  PayloadTooLargeError,
  UnknownHandlerError,
  HandlerError,
  UndecodablePayloadError,
  DuplicateGroupError,
  type GroupOptions,
  type Handler,
  type HandlerOptions,
  type DeliveryContext,
  type VsyncProcessOptions,
  type CoreBounds,
  type TransportBounds,
  type RuntimeStats,
  FaultInjector,
  refoundSystem,
  type RefoundOptions,
  type RefoundResult,
  type FaultOptions,
  type SystemView,
  type GroupMembers,
  StateTransferError,
  StateTransferRestartedError,
  StateBufferOverflowError,
  type StateTransferOptions,
  type StateTransferProgress,
  type CheckpointFile,
  GroupClient,
  NoRepresentativeError,
  type GroupClientOptions,
  Subscription,
  type SubscribedMessage,
  type SubscribeOptions,
  type SubscriptionGap,
  type RelayBounds,
  ALL,
  MAJORITY,
  type QueryOptions,
  splitWork,
  itemsOf,
  type WorkSplit,
  WorkSplitError,
  HIGH_RATE_NODE_FLAGS,
  SHARED_CORES_NODE_FLAGS,
} from './runtime';
export {
  View,
  formatProcess,
  sameProcess,
  processKey,
  VsyncError,
  MinorityPartitionError,
  ExcludedError,
  DecodeError,
  ConfigError,
  SendQueueFullError,
  NotAMemberError,
  GroupAccessError,
  RequestError,
  ShutdownError,
  type ProcessId,
  type Ordering,
  type DeliveryOrdering,
  QueryAbortedError,
  QueryTimeoutError,
  type QueryWant,
  type TimeoutAction,
} from './protocol';
export {
  TcpTransport,
  TransportConfigError,
  FrameError,
  MessageTooLargeError,
  AddressError,
  type TransportConfig,
  type TransportStats,
  type VsyncTlsOptions,
  type FrameErrorKind,
} from './transport';

/** The wire codec and the group payload layout, for tools that speak the protocol itself (hostile-peer tests, the
 *  re-found tool); applications use Group. */
export {
  encodeMessage,
  decodeMessage,
  WIRE_VERSION,
  type WireMessage,
  type WireBody,
  type DataRecord,
  type ViewValue,
} from './protocol';
export { encodeGroupCall } from './runtime';

/** The DHT: a key-value store sharded over a group (see the README's DHT section). */
export {
  DhtMember,
  DhtClient,
  type DhtClientOptions,
  type DhtOptions,
  type AggregateMap,
  DEFAULT_DHT_BOUNDS,
  type DhtBounds,
  type DhtValue,
  Placement,
  DhtFullError,
  DhtRequestError,
  DhtUnavailableError,
} from './dht';
