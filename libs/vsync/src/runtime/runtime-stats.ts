import type { TransportStats } from '../transport';

/** Counters of one process runtime since it started, transport included. */
export interface RuntimeStats {
  readonly incarnation: number;
  readonly deliveries: number;
  readonly views: number;
  /** Received messages that did not decode; they are dropped. */
  readonly decodeFailures: number;
  /** Outgoing messages the transport refused (peer queue full or not encodable). */
  readonly sendFailures: number;
  readonly exclusions: number;
  readonly transport: TransportStats;
}
