import type { VsyncError } from './errors/vsync-error';
import type { ProcessId } from './process-id';
import type { View } from './view';
import type { QueryReply, QueryTarget, QueryWant, TimeoutAction } from './query/query-types';
import type { DataRecord, Ordering, ReplyOutcome, ViewValue, WireMessage } from './wire-message';

/** How a message reached a member: a group multicast in FIFO or total order, or point to point. */
export type DeliveryOrdering = Ordering | 'p2p';

/** Inputs the runtime feeds in. Time is only ever an input. */
export type CoreInput =
  | { type: 'start'; nowMs: number }
  | { type: 'tick'; nowMs: number }
  | { type: 'receive'; fromAddress: string; message: WireMessage; nowMs: number }
  | { type: 'join'; group: string; requestId: number; nowMs: number }
  | { type: 'leave'; group: string; requestId: number; nowMs: number }
  | {
      type: 'multicast';
      group: string;
      ordering: Ordering;
      requestId: number;
      payload: Uint8Array;
      nowMs: number;
    }
  | {
      /** Several multicasts to one group issued together, in order: they leave as one data message per member. */
      type: 'multicastBatch';
      group: string;
      multicasts: readonly BatchedMulticast[];
      nowMs: number;
    }
  /** Completes once every message of the group this process sent (into the window) or delivered before this input is
   *  stable: received by every member, or carried through a view change, which delivers it at every survivor. */
  | { type: 'flush'; group: string; requestId: number; nowMs: number }
  | { type: 'shutdown'; nowMs: number }
  /** A query: the request goes to the target (a multicast queued behind this member's earlier ones, or p2p) and the
   *  request ends with queryDone (the answers) or requestFailed. The requestId is the query's id on the wire. */
  | {
      type: 'query';
      group: string;
      requestId: number;
      target: QueryTarget;
      payload: Uint8Array;
      want: QueryWant;
      timeoutMs: number;
      onTimeout: TimeoutAction;
      nowMs: number;
    }
  /** A point-to-point message to one member of a group; done once handed to the reliable link. */
  | { type: 'p2pSend'; group: string; to: ProcessId; requestId: number; payload: Uint8Array; nowMs: number }
  /** This member's answer to a delivered query request (a deliver output with queryId > 0); only the first counts. */
  | {
      type: 'reply';
      querier: ProcessId;
      queryId: number;
      outcome: ReplyOutcome;
      payload: Uint8Array;
      nowMs: number;
    }
  /** The log now holds the records of this persist output (appended and fsynced); feed them in token order. */
  | { type: 'persisted'; token: number; nowMs: number };

/** One multicast of a 'multicastBatch' input; each gets its own requestDone or requestFailed. */
export interface BatchedMulticast {
  readonly requestId: number;
  readonly ordering: Ordering;
  readonly payload: Uint8Array;
  /** The runtime settled it already (ProcessCore.admitsAtOnce said yes): it needs no requestDone; a failure is still
   *  reported with requestFailed. */
  readonly settled?: boolean;
}

/** Effects the runtime carries out, in order. */
export type CoreOutput =
  | { type: 'send'; toAddress: string; message: WireMessage }
  | {
      type: 'deliver';
      group: string;
      viewId: number;
      sender: ProcessId;
      ordering: DeliveryOrdering;
      payload: Uint8Array;
      /** 0, or the sender's query id: this member owes it one reply input. */
      queryId: number;
    }
  | { type: 'view'; group: string; view: View }
  /** A system view was installed: it comes after every delivery of the previous view and before any group view or
   *  delivery of this one, so an observer knows exactly which system view each delivery belongs to. */
  | { type: 'systemView'; view: ViewValue }
  | { type: 'requestDone'; requestId: number }
  /** A query's multicast request entered the send window (it will be delivered in the epoch it was sent in); for
   *  observers such as the simulator, which number a sender's messages in window order. */
  | { type: 'querySent'; requestId: number }
  /** A query completed: the counted answers in the order the members were asked, and who stayed silent (only when it
   *  completed on a timeout with onTimeout 'nullReply' or 'declareFailed'). */
  | { type: 'queryDone'; requestId: number; replies: readonly QueryReply[]; silent: readonly ProcessId[] }
  | { type: 'requestFailed'; requestId: number; error: VsyncError }
  /** safeSend in logged mode: append these safe records (in order) to the group's log and fsync, then feed
   *  `persisted` with the token; this member accepts them only then. Tokens grow by one, persists complete in order. */
  | { type: 'persist'; group: string; token: number; records: readonly DataRecord[] }
  | { type: 'disconnect'; address: string }
  | { type: 'excluded'; error: VsyncError };
