import {
  type Ordering,
  ProcessCore,
  type ProcessId,
  processKey,
  type QueryWant,
  type TimeoutAction,
} from '../protocol';

export type SimRequest =
  | { readonly kind: 'join' | 'leave'; readonly group: string }
  | {
      readonly kind: 'multicast';
      readonly group: string;
      readonly ordering: Ordering;
      readonly id: string;
      /** The payload's size: the id padded with zero bytes (0 = just the id). */
      readonly payloadBytes: number;
      /** Place among this sender's accepted messages of the group and ordering (see Cluster.issue). */
      index: number;
    }
  | {
      readonly kind: 'query';
      readonly group: string;
      /** fifo/total: a multicast request (numbered with the sender's multicasts), p2p: to one member. */
      readonly ordering: Ordering | 'p2p';
      readonly id: string;
      readonly want: QueryWant;
      readonly onTimeout: TimeoutAction;
      index: number;
    };

/** One simulated machine: it keeps its address across crashes, and every restart is a new incarnation. */
export class SimNode {
  core: ProcessCore | null = null;
  incarnation = 0;
  clockRate = 1;
  clockOffsetMs = 0;
  /** Which founded system this incarnation belongs to (see Cluster's era). */
  era = 0;
  /** Stopped without being killed (see Cluster.pause); what arrives meanwhile is held in `held` until it resumes. */
  paused = false;
  readonly held: Uint8Array[] = [];
  readonly requests = new Map<number, SimRequest>();
  readonly groups = new Set<string>();
  readonly issued = new Map<string, number>();
  readonly accepted = new Map<string, number>();
  /** Ids of multicasts and queries the core refused or failed. */
  readonly refused = new Set<string>();

  constructor(readonly index: number) {}

  get address(): string {
    return `node${this.index}:7000`;
  }

  get pid(): ProcessId {
    return { address: this.address, incarnation: this.incarnation };
  }

  get key(): string {
    return processKey(this.pid);
  }

  get alive(): boolean {
    return this.core !== null && this.core.state !== 'gone';
  }
}
