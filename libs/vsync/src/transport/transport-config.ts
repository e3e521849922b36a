import { parseAddress } from './address';
import { AddressError } from './errors/address-error';
import { TransportConfigError } from './errors/transport-config-error';
import { FRAME_HEADER_BYTES } from './frame-format';
import { GCM_TAG_BYTES, secretProblem, type VsyncSecret } from '../security';
import type { VsyncTlsOptions } from './tls-options';

/** Every bound of the TCP transport; units are last in each name. */
export interface TransportConfig {
  /** Interface to listen on. */
  readonly bindHost: string;
  /** Port to listen on; 0 picks an ephemeral port. */
  readonly bindPort: number;
  /** "host:port" other processes dial to reach this one (differs from the bind address behind NAT or in containers). Defaults to bindHost:boundPort. */
  readonly advertiseAddress?: string;
  /** Largest frame (header included) accepted or sent; larger incoming frames close the connection. */
  readonly maxFrameBytes: number;
  /** Small messages are packed into one frame until it would exceed this many body bytes. */
  readonly maxBatchBytes: number;
  /** How long queued messages may wait for more to batch with; 0 flushes at the end of the current event-loop turn. */
  readonly flushDelayMs: number;
  /** Bytes queued for one peer that is slow or unreachable; further messages to it are dropped and counted. */
  readonly maxQueuedBytesPerPeer: number;
  /** First reconnection delay after a failed dial; it doubles on each failure. */
  readonly reconnectInitialDelayMs: number;
  /** Upper bound of the reconnection delay. */
  readonly reconnectMaxDelayMs: number;
  /** A dial that has not connected after this long counts as failed. */
  readonly connectTimeoutMs: number;
  /** An accepted connection must identify itself within this long or it is closed. */
  readonly helloTimeoutMs: number;
  /** Open connections, identified or not; further inbound connections are refused. */
  readonly maxConnections: number;
  /** Open connections naming one peer address; a further inbound one is refused (a restart needs one, a
   *  simultaneous dial two). */
  readonly maxConnectionsPerPeer: number;
  /** A connection with no byte in either direction for this long is closed (live links carry heartbeats). */
  readonly idleTimeoutMs: number;
  /** Bytes of incomplete frames held over all connections; the connection whose frame would pass it is closed. */
  readonly maxBufferedFrameBytesTotal: number;
  /** Bytes queued for all peers together; further messages are dropped and counted. */
  readonly maxQueuedBytesTotal: number;
  /** Without a key, an inbound hello naming an address is bound to it only once the process listening there echoes a
   *  nonce sent to it (dial-back); the connection is closed if that has not happened this long after the hello. A
   *  dialer waits as long for the acceptor's welcome once connected. */
  readonly dialBackTimeoutMs: number;
  /** Inbound connections waiting for their dial-back at once; a further hello closes the oldest (counted). */
  readonly maxPendingDialBacks: number;
  /** The system's shared secret. When set, every connection runs a mutual challenge-response on a key derived from
   *  it and every frame after it is sealed with AES-256-GCM; processes without it can neither connect nor read. */
  readonly secret?: VsyncSecret;
  /** Mutual TLS on every connection (tls-options.ts): both ends present a certificate of the same CA. */
  readonly tls?: VsyncTlsOptions;
}

export const DEFAULT_TRANSPORT_CONFIG: TransportConfig = {
  bindHost: '127.0.0.1',
  bindPort: 0,
  maxFrameBytes: 4 * 1024 * 1024,
  maxBatchBytes: 64 * 1024,
  flushDelayMs: 0,
  maxQueuedBytesPerPeer: 16 * 1024 * 1024,
  reconnectInitialDelayMs: 50,
  reconnectMaxDelayMs: 2_000,
  connectTimeoutMs: 2_000,
  helloTimeoutMs: 2_000,
  maxConnections: 1_024,
  maxConnectionsPerPeer: 4,
  idleTimeoutMs: 30_000,
  maxBufferedFrameBytesTotal: 64 * 1024 * 1024,
  maxQueuedBytesTotal: 256 * 1024 * 1024,
  dialBackTimeoutMs: 3_000,
  maxPendingDialBacks: 256,
};

type IntegerOption = Exclude<keyof TransportConfig, 'bindHost' | 'advertiseAddress' | 'secret' | 'tls'>;

const INTEGER_RANGES: Record<IntegerOption, readonly [number, number]> = {
  bindPort: [0, 65_535],
  maxFrameBytes: [1_024, 1024 * 1024 * 1024],
  maxBatchBytes: [64, 1024 * 1024 * 1024],
  flushDelayMs: [0, 10_000],
  maxQueuedBytesPerPeer: [1_024, 16 * 1024 * 1024 * 1024],
  reconnectInitialDelayMs: [1, 60_000],
  reconnectMaxDelayMs: [1, 600_000],
  connectTimeoutMs: [1, 600_000],
  helloTimeoutMs: [1, 600_000],
  maxConnections: [2, 1_000_000],
  maxConnectionsPerPeer: [2, 1_000],
  idleTimeoutMs: [100, 86_400_000],
  maxBufferedFrameBytesTotal: [1_024, 64 * 1024 * 1024 * 1024],
  maxQueuedBytesTotal: [1_024, 64 * 1024 * 1024 * 1024],
  dialBackTimeoutMs: [1, 600_000],
  maxPendingDialBacks: [1, 1_000_000],
};

/** Merges options over the defaults and validates every bound; throws TransportConfigError naming the first bad option. */
export function resolveTransportConfig(options: Partial<TransportConfig> = {}): TransportConfig {
  const given = stripUndefined(options);
  const config: TransportConfig = { ...DEFAULT_TRANSPORT_CONFIG, ...given };
  // A smaller maxFrameBytes given alone shrinks the default batch with it rather than failing validation.
  if (given.maxBatchBytes === undefined && Number.isInteger(config.maxFrameBytes)) {
    Object.assign(config, {
      maxBatchBytes: Math.min(
        DEFAULT_TRANSPORT_CONFIG.maxBatchBytes,
        config.maxFrameBytes - FRAME_HEADER_BYTES - GCM_TAG_BYTES,
      ),
    });
  }
  for (const [option, [min, max]] of Object.entries(INTEGER_RANGES)) {
    const value = config[option as IntegerOption];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new TransportConfigError(option, `${String(value)} is not an integer in ${min}..${max}`);
    }
  }
  validateRelations(config);
  validateAddresses(config);
  if (config.secret !== undefined) {
    const problem = secretProblem(config.secret);
    if (problem !== undefined) throw new TransportConfigError('secret', problem);
  }
  return config;
}

function validateRelations(config: TransportConfig): void {
  if (config.maxBatchBytes > config.maxFrameBytes - FRAME_HEADER_BYTES - GCM_TAG_BYTES) {
    throw new TransportConfigError(
      'maxBatchBytes',
      `must leave room for the frame header and seal within maxFrameBytes (${config.maxFrameBytes})`,
    );
  }
  if (config.maxQueuedBytesPerPeer < config.maxBatchBytes) {
    throw new TransportConfigError(
      'maxQueuedBytesPerPeer',
      `must be at least maxBatchBytes (${config.maxBatchBytes})`,
    );
  }
  if (config.maxBufferedFrameBytesTotal < config.maxFrameBytes) {
    throw new TransportConfigError(
      'maxBufferedFrameBytesTotal',
      `must be at least maxFrameBytes (${config.maxFrameBytes})`,
    );
  }
  if (config.maxQueuedBytesTotal < config.maxQueuedBytesPerPeer) {
    throw new TransportConfigError(
      'maxQueuedBytesTotal',
      `must be at least maxQueuedBytesPerPeer (${config.maxQueuedBytesPerPeer})`,
    );
  }
  if (config.reconnectMaxDelayMs < config.reconnectInitialDelayMs) {
    throw new TransportConfigError(
      'reconnectMaxDelayMs',
      `must be at least reconnectInitialDelayMs (${config.reconnectInitialDelayMs})`,
    );
  }
}

function validateAddresses(config: TransportConfig): void {
  if (typeof config.bindHost !== 'string' || config.bindHost.length === 0) {
    throw new TransportConfigError('bindHost', 'must be a non-empty host name or IP address');
  }
  const wildcard = config.bindHost === '0.0.0.0' || config.bindHost === '::';
  if (config.advertiseAddress === undefined) {
    if (wildcard)
      throw new TransportConfigError(
        'advertiseAddress',
        `required when binding the wildcard address ${config.bindHost}: set the host:port other processes dial`,
      );
    return;
  }
  try {
    parseAddress(config.advertiseAddress);
  } catch (error) {
    if (error instanceof AddressError) throw new TransportConfigError('advertiseAddress', error.message);
    throw error;
  }
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
