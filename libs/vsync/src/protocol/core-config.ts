import { ConfigError } from './errors/config-error';
import type { ProcessId } from './process-id';

/** Every bound and timeout of the protocol core, with its unit last. Only `self` and `seeds` are required. */
export interface CoreConfig {
  readonly self: ProcessId;
  /** Addresses of processes to contact when joining; the first seed founds the system (see `founder`). */
  readonly seeds: readonly string[];
  /** Whether this process creates the first view alone instead of joining: true founds at once, false never founds.
   *  Default: the first seed founds, but only after `foundAfterMs`, once every other seed answered that it belongs to
   *  no system and has heard of none; a restarted first seed therefore joins the running system instead of founding a
   *  second one, and a whole system restarted from nothing (all seeds up) still forms without extra flags. A seed list
   *  of only this process founds at once. */
  readonly founder?: boolean;
  /** How long the first seed asks the other seeds for a running system before it founds one (default founder). */
  readonly foundAfterMs?: number;
  /** How long a graceful leaver waits for the view that removes it before it goes anyway. */
  readonly leaveTimeoutMs?: number;
  /** How often the runtime calls `step({type:'tick'})`. */
  readonly tickIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Silence after which a member is suspected (and then excluded: false suspicions end in exclusion). */
  readonly failureTimeoutMs?: number;
  /** How long an unacknowledged reliable message waits before it is sent again. */
  readonly retransmitIntervalMs?: number;
  /** How long a leader waits for flush and propose answers before it gives up on silent members. */
  readonly viewChangeTimeoutMs?: number;
  /** How often a joining process (or a pending group join/leave) retries its request. */
  readonly joinRetryMs?: number;
  /** Messages of one group a member may receive before it acknowledges them at once, without
   *  waiting for the tick: under load this frees the senders' windows within a fraction of a window, not a tick.
   *  At most sendWindowMessages; the default is 128, or a quarter of the window if that is smaller (at least 1).
   *  Each acknowledgement is a write to every other member: with 32, a receiver of 1 KB messages spent a sixth of
   *  its time writing them, and three members all sending went 14% slower than with 128. */
  readonly ackThresholdMessages?: number;
  /** Own multicasts per group that may be in flight (sent, not yet stable). The default, 1,024, lets a sender of
   *  small messages fill large frames while acknowledgements travel (with 256 a 1 KB sender stalled on its window
   *  and wrote smaller frames); sendWindowBytes still bounds what the window holds. */
  readonly sendWindowMessages?: number;
  /** Payload bytes of own multicasts per group that may be in flight; a multicast larger than this goes alone. With
   *  sendWindowMessages it bounds what a view change carries per sender, whatever the message size. */
  readonly sendWindowBytes?: number;
  /** Multicasts per group waiting for the window; one more fails with SendQueueFullError. */
  readonly sendQueueMessages?: number;
  /** Reliable messages per link awaiting acknowledgement; a peer that falls this far behind is suspected. */
  readonly linkBufferMessages?: number;
  /** Bytes of out-of-order messages one link holds; beyond them a message is dropped and sent again later. */
  readonly linkReorderBytes?: number;
  /** Bytes of out-of-order messages all links together hold. */
  readonly linkReorderBytesTotal?: number;
  /** Bytes of multicasts and acknowledgements of a view not installed yet that one sender may have waiting here. */
  readonly futureBufferBytesPerPeer?: number;
  /** Bytes of such messages from all senders together; beyond either bound they are dropped and counted. */
  readonly futureBufferBytes?: number;
  readonly maxPayloadBytes?: number;
  /** Groups this process may belong to at once. */
  readonly maxGroups?: number;
  /** Join and leave requests that may be pending at once. */
  readonly maxPendingRequests?: number;
  /** Queries of this process awaiting their answers at once; one more fails with RequestError. */
  readonly maxPendingQueries?: number;
  /** Replies this process owes (query requests delivered, not answered yet); past it the oldest debt is dropped. */
  readonly maxOwedReplies?: number;
  /** Longest timeoutMs a query may ask for. */
  readonly maxQueryTimeoutMs?: number;
  /** Acceptors (logs) a safeSend needs before delivery, counted among the members of the view it was sent in that
   *  are still in the group; 0 (the default) means a majority of them. */
  readonly safeSendAcceptors?: number;
  /** Whether acceptors log safeSends before accepting (persist outputs, answered by `persisted` inputs) or accept
   *  them in memory at once. Default false (in memory). */
  readonly safeSendLogged?: boolean;
  /** Safe records ordered but not yet delivered here beyond which this member's own safeSends wait in the queue. */
  readonly safeWaitingMessages?: number;
  /** Processes that run the membership service: the oldest this many members of each view. View changes are decided
   *  by a majority of them, and a process that cannot hear a majority of them leaves (MinorityPartitionError). Only the
   *  founder's value counts: it travels in every view (`serviceSize`), so quorums always intersect. */
  readonly membershipServiceSize?: number;
}

/** How a process enters the system: found at once, never found, or found only if no seed answers for a running one. */
export type Founding = 'now' | 'never' | 'unlessLive';

export type ResolvedCoreConfig = Required<Omit<CoreConfig, 'founder'>> & { readonly founding: Founding };

const DEFAULTS = {
  tickIntervalMs: 10,
  heartbeatIntervalMs: 100,
  failureTimeoutMs: 1_000,
  retransmitIntervalMs: 150,
  viewChangeTimeoutMs: 1_000,
  joinRetryMs: 300,
  foundAfterMs: 1_000,
  leaveTimeoutMs: 3_000,
  sendWindowMessages: 1_024,
  sendWindowBytes: 4 * 1024 * 1024,
  ackThresholdMessages: 128,
  sendQueueMessages: 4_096,
  linkBufferMessages: 65_536,
  linkReorderBytes: 32 * 1024 * 1024,
  linkReorderBytesTotal: 256 * 1024 * 1024,
  futureBufferBytesPerPeer: 64 * 1024 * 1024,
  futureBufferBytes: 256 * 1024 * 1024,
  maxPayloadBytes: 4 * 1024 * 1024,
  maxGroups: 256,
  maxPendingRequests: 4_096,
  maxPendingQueries: 4_096,
  maxOwedReplies: 65_536,
  maxQueryTimeoutMs: 3_600_000,
  safeWaitingMessages: 4_096,
  membershipServiceSize: 5,
} as const;

type NumericField = keyof typeof DEFAULTS;

/** Fills in defaults and checks every value; throws ConfigError naming the first bad field. */
export function resolveCoreConfig(config: CoreConfig): ResolvedCoreConfig {
  checkSelf(config.self);
  if (!Array.isArray(config.seeds) || config.seeds.length === 0) {
    throw new ConfigError(
      'seeds',
      'must list at least one "host:port" address (the first seed founds the system)',
    );
  }
  for (const seed of config.seeds) {
    if (typeof seed !== 'string' || seed.length === 0)
      throw new ConfigError('seeds', `contains an empty address`);
  }
  const resolved: Record<string, unknown> = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as NumericField[]) {
    const value = config[key] ?? defaultOf(key, config);
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ConfigError(key, `must be a positive integer, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  const r = resolved as Record<NumericField, number>;
  if (r.failureTimeoutMs < 2 * r.heartbeatIntervalMs) {
    throw new ConfigError(
      'failureTimeoutMs',
      `must be at least twice heartbeatIntervalMs (${r.heartbeatIntervalMs})`,
    );
  }
  if (r.heartbeatIntervalMs < r.tickIntervalMs) {
    throw new ConfigError('heartbeatIntervalMs', `must be at least tickIntervalMs (${r.tickIntervalMs})`);
  }
  if (r.ackThresholdMessages > r.sendWindowMessages) {
    // A larger threshold would let a sender fill its window before anyone acknowledges: one window per tick.
    throw new ConfigError(
      'ackThresholdMessages',
      `must be at most sendWindowMessages (${r.sendWindowMessages}), got ${r.ackThresholdMessages}`,
    );
  }
  if (r.foundAfterMs < r.joinRetryMs) {
    // The first seed must ask every other seed at least once before it may found.
    throw new ConfigError('foundAfterMs', `must be at least joinRetryMs (${r.joinRetryMs})`);
  }
  if (config.founder !== undefined && typeof config.founder !== 'boolean')
    throw new ConfigError('founder', `must be true, false or left out, got ${String(config.founder)}`);
  const founding: Founding =
    config.founder === true
      ? 'now'
      : config.founder === false || config.seeds[0] !== config.self.address
        ? 'never'
        : config.seeds.every((s) => s === config.self.address)
          ? 'now' // alone in its seed list: nobody else could be running
          : 'unlessLive';
  const safeSendAcceptors = config.safeSendAcceptors ?? 0;
  if (!Number.isInteger(safeSendAcceptors) || safeSendAcceptors < 0)
    throw new ConfigError(
      'safeSendAcceptors',
      `must be an integer >= 0 (0 = a majority), got ${String(safeSendAcceptors)}`,
    );
  const safeSendLogged = config.safeSendLogged ?? false;
  if (typeof safeSendLogged !== 'boolean')
    throw new ConfigError('safeSendLogged', `must be true or false, got ${String(safeSendLogged)}`);
  return {
    ...(r as typeof DEFAULTS),
    safeSendAcceptors,
    safeSendLogged,
    self: config.self,
    seeds: [...config.seeds],
    founding,
  };
}

/** Of a send window, the share a member may receive before it acknowledges, when the threshold is not given. */
const ACK_THRESHOLD_WINDOW_SHARE = 4;

/** The ack threshold defaults to a quarter of the window when that is smaller than its usual value, so a small
 *  window frees while it still has room rather than once it is full. */
function defaultOf(key: NumericField, config: CoreConfig): number {
  if (key !== 'ackThresholdMessages') return DEFAULTS[key];
  const window = config.sendWindowMessages ?? DEFAULTS.sendWindowMessages;
  return Math.min(
    DEFAULTS.ackThresholdMessages,
    Math.max(1, Math.floor(window / ACK_THRESHOLD_WINDOW_SHARE)),
  );
}

function checkSelf(self: ProcessId | undefined): void {
  if (!self || typeof self.address !== 'string' || self.address.length === 0) {
    throw new ConfigError('self.address', 'must be the advertised "host:port" of this process');
  }
  if (!Number.isInteger(self.incarnation) || self.incarnation < 1) {
    throw new ConfigError('self.incarnation', `must be an integer >= 1, got ${String(self.incarnation)}`);
  }
}
