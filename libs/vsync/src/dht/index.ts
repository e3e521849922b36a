export { DhtMember } from './dht-member';
export { DhtClient, type DhtClientOptions } from './dht-client';
export type { DhtOptions } from './dht-options';
export {
  DhtShard,
  type AggregateMap,
  type ReadValue,
  type ShardMessage,
  type OrderedOp,
  type ShardEffect,
  type ShardInput,
  type ShardReply,
} from './dht-shard';
export { DEFAULT_DHT_BOUNDS, type DhtBounds, type DhtEntry, type DhtValue, type Version } from './dht-types';
export { Placement } from './placement';
export { DhtFullError, DhtRequestError, DhtUnavailableError } from './errors';
