import { checkRange } from '../errors/check';
import { PdcConfigError } from '../errors/pdc-config-error';

/** Bounds of one PDC client session with a PMU or PDC over TCP. Times in milliseconds. */
export interface SessionOptions {
  /** IDCODE of the stream to command (CFG-2 request, turn on, turn off). */
  readonly idcode: number;
  /** A connection attempt that has not completed by then is abandoned. */
  readonly connectTimeoutMs: number;
  /** How long to wait for CFG-2 after asking for it before asking again; each repeat waits twice as long (at most 8x). */
  readonly configTimeoutMs: number;
  /** CFG-2 requests per connection before giving up and reconnecting. */
  readonly maxConfigRequests: number;
  /** Streaming with no data frame for this long means the peer is stuck (or sends a byte a minute): reconnect. */
  readonly dataTimeoutMs: number;
  /** First reconnect delay; doubles per failed attempt up to `reconnectMaxMs`, with jitter. */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /**
   * The configuration to ask for: 'cfg2' (default), or 'cfg3' for a C37.118.2-2011 PMU whose CFG-3 carries
   * PHSCALE angle adjustments (it may come as a series of frames). A CFG-3 request left unanswered is asked
   * again as CFG-2, which every PMU serves.
   */
  readonly configFrame?: 'cfg2' | 'cfg3';
}

export const DEFAULT_SESSION_OPTIONS: Omit<SessionOptions, 'idcode'> = {
  connectTimeoutMs: 5_000,
  configTimeoutMs: 2_000,
  maxConfigRequests: 3,
  dataTimeoutMs: 5_000,
  reconnectMinMs: 250,
  reconnectMaxMs: 30_000,
};

export function validateSessionOptions(o: SessionOptions): SessionOptions {
  checkRange('idcode', o.idcode, 0, 0xffff, true);
  checkRange('connectTimeoutMs', o.connectTimeoutMs, 1, 600_000);
  checkRange('configTimeoutMs', o.configTimeoutMs, 1, 600_000);
  checkRange('maxConfigRequests', o.maxConfigRequests, 1, 100, true);
  checkRange('dataTimeoutMs', o.dataTimeoutMs, 1, 3_600_000);
  checkRange('reconnectMinMs', o.reconnectMinMs, 1, 3_600_000);
  checkRange('reconnectMaxMs', o.reconnectMaxMs, 1, 3_600_000);
  if (o.configFrame !== undefined && o.configFrame !== 'cfg2' && o.configFrame !== 'cfg3')
    throw new PdcConfigError(`configFrame must be 'cfg2' or 'cfg3', got '${String(o.configFrame)}'`);
  if (o.reconnectMaxMs < o.reconnectMinMs) {
    throw new PdcConfigError(
      `reconnectMaxMs (${o.reconnectMaxMs}) must be at least reconnectMinMs (${o.reconnectMinMs})`,
    );
  }
  return o;
}
