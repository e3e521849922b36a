import type { ProcessId } from './process-id';

/** 'safe' is total order plus durability: delivered only once a quorum of members logged it (protocol/safe). */
export type Ordering = 'fifo' | 'total' | 'safe';

/** A paxos-style ballot; higher rounds win, the leader breaks ties so two leaders never share a ballot. */
export interface Ballot {
  readonly round: number;
  readonly leader: ProcessId;
}

/** One application multicast. `epoch` is the system view it was sent in, `seq` its place in the sender's stream for
 *  that group and epoch (1, 2, ...). `lamport` is a total-order record's group sequence number in its epoch, granted
 *  by the epoch's sequencer (multicast/order-numbers.ts), which fixes the total order; 0 for a FIFO record. */
export interface DataRecord {
  readonly group: string;
  readonly sender: ProcessId;
  readonly epoch: number;
  readonly seq: number;
  readonly ordering: Ordering;
  readonly lamport: number;
  readonly payload: Uint8Array;
  /** 0 for a plain multicast; otherwise this record is the request of the sender's query with this id, and every
   *  member that delivers it owes the sender one reply (queryReply). */
  readonly queryId: number;
}

/** How a member answered a query: a value, a null reply (counted, no value) or an abort (the query fails). */
export type ReplyOutcome = 'value' | 'null' | 'abort';

export interface GroupMembership {
  readonly name: string;
  /** The system view id at which this group's membership last changed. Deliveries, the state-transfer plan and the
   *  safeSend logs compare it with system view numbers. */
  readonly viewId: number;
  /** The group's own view number, the id the application sees (View.id): 1 when the group is founded, one more at
   *  each change of its membership, so consecutive views of a group never skip a number. */
  readonly groupViewId: number;
  readonly members: readonly ProcessId[];
  /** Entered only with a member's sponsorship, given to a joiner that proved it holds the group's key
   *  (gms/group-admission.ts); fixed by the founder's request. Absent reads as false (an open group). */
  readonly secured?: boolean;
}

/** The value the membership service agrees on for one view number: the next view plus the flush set of the previous
 *  epoch, so every survivor delivers exactly the same messages before installing it. */
export interface ViewValue {
  readonly id: number;
  readonly members: readonly ProcessId[];
  readonly groups: readonly GroupMembership[];
  readonly joined: readonly ProcessId[];
  readonly left: readonly ProcessId[];
  readonly failed: readonly ProcessId[];
  /** How many of the oldest members form the membership service. Fixed by the founder's membershipServiceSize and
   *  carried in every view, so all processes count the same quorums whatever their own configuration says. */
  readonly serviceSize: number;
  readonly flush: readonly DataRecord[];
}

export interface AcceptedValue {
  readonly ballot: Ballot;
  readonly value: ViewValue;
}

export type WireBody =
  | { readonly kind: 'heartbeat'; readonly viewId: number }
  | { readonly kind: 'linkAck' }
  | { readonly kind: 'joinRequest'; readonly joiner: ProcessId }
  | { readonly kind: 'notMember'; readonly viewId: number }
  | { readonly kind: 'suspect'; readonly viewId: number; readonly suspects: readonly ProcessId[] }
  | { readonly kind: 'leaveSystem'; readonly viewId: number }
  | {
      readonly kind: 'groupChange';
      readonly member: ProcessId;
      readonly group: string;
      readonly join: boolean;
      /** A founder asks for the group to be secured; ignored for a group that exists. */
      readonly secured: boolean;
      /** Sent by a member of the group for a joiner whose proof it checked (gms/group-admission.ts). */
      readonly sponsored: boolean;
    }
  | { readonly kind: 'flush'; readonly viewId: number; readonly ballot: Ballot }
  | {
      readonly kind: 'flushOk';
      readonly viewId: number;
      readonly ballot: Ballot;
      readonly accepted: AcceptedValue | null;
      readonly records: readonly DataRecord[];
    }
  | { readonly kind: 'nack'; readonly viewId: number; readonly promised: Ballot }
  | { readonly kind: 'propose'; readonly viewId: number; readonly ballot: Ballot; readonly value: ViewValue }
  | { readonly kind: 'proposeOk'; readonly viewId: number; readonly ballot: Ballot }
  | { readonly kind: 'commit'; readonly value: ViewValue }
  /** Own multicasts of one group and epoch, packed: every record's sender is the envelope's `from`, their `seq`s are
   *  consecutive, and there is at least one. Multicasts issued together travel as one message per member. */
  | { readonly kind: 'data'; readonly records: readonly DataRecord[] }
  | {
      readonly kind: 'groupAck';
      readonly group: string;
      readonly epoch: number;
      /** How many messages of each group member (by rank in the epoch) this member has received. */
      readonly received: readonly number[];
    }
  /** A member asks its group epoch's sequencer (rank 0) for the next `count` group sequence numbers. */
  | { readonly kind: 'orderRequest'; readonly group: string; readonly epoch: number; readonly count: number }
  /** The sequencer's answer: numbers `first` .. `first + count - 1` are the asker's to stamp its total-order records. */
  | {
      readonly kind: 'orderGrant';
      readonly group: string;
      readonly epoch: number;
      readonly first: number;
      readonly count: number;
    }
  /** The answer to a joinRequest: a member's view id (a system runs here, so the asker must join it and never found
   *  another), or 0 from a process that is itself still joining (no system here). */
  | { readonly kind: 'systemLive'; readonly viewId: number }
  /** Records sent ahead of the next flushOk, propose or commit on the same link, which they belong to: a view change
   *  may carry more unstable messages than one frame holds. `slot` 0 is the message's own records (a flushOk's
   *  records, a proposed or committed value's flush set), 1 the flush set of the value a flushOk reports accepted. */
  | { readonly kind: 'recordsPart'; readonly slot: number; readonly records: readonly DataRecord[] }
  /** An operator tool asking whether a system runs here; answered with systemLive like a joinRequest, without joining. */
  | { readonly kind: 'probe' }
  /** An operator's re-found order after a total loss: a joining process founds a new system once no seed reports a
   *  running one and a majority of the seed list (itself included) reports none. Members ignore it. */
  | { readonly kind: 'refound' }
  /** A point-to-point message to one member of `group`, from any process of the system; `queryId` 0 is a plain
   *  p2pSend, otherwise the request of the sender's query with that id. Reliable and FIFO per link, not ordered with
   *  the group's multicasts. */
  | { readonly kind: 'p2p'; readonly group: string; readonly queryId: number; readonly payload: Uint8Array }
  /** One member's answer to a query (multicast or p2p): sent once per delivered request, to the querier. */
  | {
      readonly kind: 'queryReply';
      readonly group: string;
      readonly queryId: number;
      readonly outcome: ReplyOutcome;
      readonly payload: Uint8Array;
    }
  /** A joiner's proof that it holds a secured group's key, sent to a member of the group, which sponsors the join. */
  | { readonly kind: 'groupProof'; readonly group: string; readonly proof: Uint8Array }
  /** A join to a secured group was refused (no or a wrong proof): from the sponsor asked or the leader. */
  /** A join refused: `proof` when a member of the secured group checked the joiner's proof and it failed, else the
   *  leader refusing a join that came without a member's sponsorship. */
  | { readonly kind: 'groupRefused'; readonly group: string; readonly proof: boolean }
  /** Safe records this member has logged (accepted), cumulatively: `through[rank]` is the highest seq of the member
   *  of that rank in the epoch's group view up to which every safe record is in this member's log. */
  | {
      readonly kind: 'safeAccept';
      readonly group: string;
      readonly epoch: number;
      readonly through: readonly number[];
    };

export type WireKind = WireBody['kind'];

/** Everything on the wire. The envelope carries the sender's identity and the per-link reliability fields: `linkSeq`
 *  numbers reliable messages on the link from `from` to the receiver (0 = unsequenced, may be lost), and `linkAck`
 *  acknowledges every reliable message the sender has received from the receiver up to that number. */
export interface WireMessage {
  readonly from: ProcessId;
  /** Incarnation of the intended receiver, or 0 when the sender does not know it yet (bootstrap). */
  readonly toIncarnation: number;
  readonly linkSeq: number;
  readonly linkAck: number;
  readonly body: WireBody;
}
