import type { CoreConfig } from '../protocol';
import { resolveCoreConfig } from '../protocol';
import {
  AddressError,
  parseAddress,
  resolveTransportConfig,
  type TransportConfig,
  type VsyncTlsOptions,
} from '../transport';
import { secretProblem, type VsyncSecret } from '../security';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { FaultInjector, type FaultOptions } from './fault-injector';

/** Protocol bounds a user may set; identity and seeds come from the process options themselves. */
export type CoreBounds = Omit<CoreConfig, 'self' | 'seeds' | 'founder'>;
/** Transport bounds a user may set; addresses come from the process options themselves. */
export type TransportBounds = Omit<
  Partial<TransportConfig>,
  'bindHost' | 'bindPort' | 'advertiseAddress' | 'secret' | 'tls'
>;

/** How to run one vsync process: where it listens, whom it contacts first, and every bound of its layers. */
export interface VsyncProcessOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly bindHost?: string;
  /** Port to listen on; 0 (the default) picks an ephemeral port. */
  readonly bindPort?: number;
  /** "host:port" other processes dial; defaults to bindHost:boundPort. Set it behind NAT or in containers. */
  readonly advertiseAddress?: string;
  /** Addresses contacted when joining; the first one founds the system. Default: this process alone. */
  readonly seeds?: readonly string[];
  /** Whether this process creates the first view alone: true founds at once, false never. Default: the first seed
   *  founds only once every other seed answered that it belongs to no system (core.foundAfterMs), so the first seed
   *  restarted with unchanged options joins the running system, and a whole system started (or restarted) with one
   *  seed list forms by itself. After a total loss use the re-found tool (refoundSystem). */
  readonly founder?: boolean;
  /** First incarnation number; the default (the wall clock in ms) grows across restarts on one address. */
  readonly incarnation?: number;
  /** After exclusion (e.g. a minority partition), rejoin as incarnation + 1 and re-join every group. Default true. */
  readonly rejoinOnExclusion?: boolean;
  /** How long shutdown() lets the goodbye messages drain before closing sockets. */
  readonly shutdownLingerMs?: number;
  /** Unresolved join/leave/send promises this process may hold; one more is rejected. */
  readonly maxPendingRequests?: number;
  /** The system's shared secret (at least 32 bytes; text such as base64 of 32 random bytes, or bytes). Every process
   *  of a system must be given the same one: connections then run a mutual challenge-response on a key derived from
   *  it (HKDF-SHA256) and every frame is encrypted and authenticated with AES-256-GCM, so a process without it can
   *  neither join, read nor inject. Without it, links are open (a hello names its sender and nothing proves it). */
  readonly secret?: VsyncSecret;
  /** Mutual TLS on every connection: `{ cert|certFile, key|keyFile, caFile|ca }` (PEM); both ends present a
   *  certificate of the CA and refuse a peer without one (transport stats `tlsRefused`). Independent of `secret`. */
  readonly tls?: VsyncTlsOptions;
  readonly core?: CoreBounds;
  readonly transport?: TransportBounds;
  /** Logged safeSend: each member appends the safe records of a group to `<safeLogDir>/<group>.safelog` and fsyncs
   *  before it accepts them, and Group.recoverSafeSends replays them after a restart. Unset: acceptors in memory. */
  readonly safeLogDir?: string;
  /** Bound of one group's safeSend log in bytes (default 1 GiB); see Group.truncateSafeLog. */
  readonly maxSafeLogBytes?: number;
  /** Test only: drop, duplicate and delay outgoing messages on a seeded schedule; pass a FaultInjector to keep a
   *  handle on it (e.g. to cut one direction of a link while the process runs). */
  readonly faults?: FaultOptions | FaultInjector;
}

export interface ResolvedProcessOptions {
  readonly transport: TransportConfig;
  readonly seeds: readonly string[] | undefined;
  readonly founder: boolean | undefined;
  readonly incarnation: number;
  readonly rejoinOnExclusion: boolean;
  readonly shutdownLingerMs: number;
  readonly maxPendingRequests: number;
  readonly core: CoreBounds;
  readonly faults: FaultInjector | undefined;
  readonly safeLogDir: string | undefined;
  readonly maxSafeLogBytes: number;
}

/** Bytes of wire header the core may add around a payload; the payload bound leaves this much room in a frame. */
export const CORE_HEADER_ALLOWANCE_BYTES = 4096;

/** Validates every option at construction so a misconfigured process fails before it opens a socket. */
export function resolveProcessOptions(options: VsyncProcessOptions): ResolvedProcessOptions {
  if (options === null || typeof options !== 'object')
    throw new VsyncOptionsError('options', 'must be an object');
  if (options.secret !== undefined) {
    const problem = secretProblem(options.secret);
    if (problem !== undefined) throw new VsyncOptionsError('secret', problem);
  }
  const transport = resolveTransportConfig({
    ...options.transport,
    bindHost: options.bindHost,
    bindPort: options.bindPort,
    advertiseAddress: options.advertiseAddress,
    secret: options.secret,
    tls: options.tls,
  });
  const core = resolveCoreBounds(options.core ?? {}, transport);
  return {
    transport,
    core,
    seeds: resolveSeeds(options.seeds),
    founder: optionalBoolean('founder', options.founder),
    incarnation: integerOption(
      'incarnation',
      options.incarnation ?? Date.now(),
      1,
      Number.MAX_SAFE_INTEGER - 1,
    ),
    rejoinOnExclusion: optionalBoolean('rejoinOnExclusion', options.rejoinOnExclusion) ?? true,
    shutdownLingerMs: integerOption('shutdownLingerMs', options.shutdownLingerMs ?? 200, 0, 60_000),
    maxPendingRequests: integerOption(
      'maxPendingRequests',
      options.maxPendingRequests ?? 100_000,
      1,
      10_000_000,
    ),
    safeLogDir: optionalDirectory('safeLogDir', options.safeLogDir),
    maxSafeLogBytes: integerOption(
      'maxSafeLogBytes',
      options.maxSafeLogBytes ?? 1024 * 1024 * 1024,
      64 * 1024,
      Number.MAX_SAFE_INTEGER,
    ),
    faults:
      options.faults === undefined || options.faults instanceof FaultInjector
        ? options.faults
        : new FaultInjector(options.faults),
  };
}

function resolveCoreBounds(bounds: CoreBounds, transport: TransportConfig): CoreBounds {
  const frameRoom = transport.maxFrameBytes - CORE_HEADER_ALLOWANCE_BYTES - 16;
  if (frameRoom < 1)
    throw new VsyncOptionsError(
      'transport.maxFrameBytes',
      `must exceed ${CORE_HEADER_ALLOWANCE_BYTES + 16} to leave room for a payload`,
    );
  const maxPayloadBytes = bounds.maxPayloadBytes ?? frameRoom;
  if (maxPayloadBytes > frameRoom) {
    throw new VsyncOptionsError(
      'core.maxPayloadBytes',
      `${maxPayloadBytes} does not fit in a frame of transport.maxFrameBytes ${transport.maxFrameBytes}; raise maxFrameBytes or lower maxPayloadBytes`,
    );
  }
  const resolved = { ...bounds, maxPayloadBytes };
  // The core checks its own bounds; run that check now with a placeholder identity so errors surface at construction.
  resolveCoreConfig({
    ...resolved,
    self: { address: 'validation:1', incarnation: 1 },
    seeds: ['validation:1'],
  });
  return resolved;
}

function resolveSeeds(seeds: readonly string[] | undefined): readonly string[] | undefined {
  if (seeds === undefined) return undefined;
  if (!Array.isArray(seeds) || seeds.length === 0)
    throw new VsyncOptionsError(
      'seeds',
      'must be a non-empty array of "host:port" addresses, or omitted to found a new system',
    );
  for (const seed of seeds) {
    try {
      parseAddress(seed);
    } catch (error) {
      if (error instanceof AddressError) throw new VsyncOptionsError('seeds', error.message);
      throw error;
    }
  }
  return [...seeds];
}

function integerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VsyncOptionsError(name, `${String(value)} is not an integer in ${min}..${max}`);
  }
  return value;
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw new VsyncOptionsError(name, `must be true or false, got ${String(value)}`);
  return value;
}

function optionalDirectory(name: string, value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0))
    throw new VsyncOptionsError(name, `must be a directory path, got ${String(value)}`);
  return value;
}
