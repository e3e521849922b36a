import type { CoreMetrics } from '../protocol';
import type { TransportStats } from '../transport';
import type { GroupSecurityStats } from './group-security';

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
  /** Faults the test-only fault layer injected; all zero when none is configured. */
  readonly faults: { readonly dropped: number; readonly duplicated: number; readonly delayed: number };
  readonly transport: TransportStats;
  /** Membership and flow-control figures: suspicions, retransmissions, view changes and flush time (cumulative
   *  over incarnations), and the current send-queue depth. */
  readonly core: CoreMetrics;
  /** Payloads of secured groups sealed, opened and refused (Group.setSecure). */
  readonly groupSecurity: GroupSecurityStats;
}
