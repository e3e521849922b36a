import { resolveCoreConfig, type CoreConfig, type ResolvedCoreConfig } from './core-config';
import type { BatchedMulticast, CoreInput, CoreOutput } from './core-io';
import { ExcludedError } from './errors/excluded-error';
import { InvariantError, assert } from './errors/invariant-error';
import { MinorityPartitionError } from './errors/minority-partition-error';
import { NotAMemberError } from './errors/not-a-member-error';
import { RequestError } from './errors/request-error';
import { SendQueueFullError } from './errors/send-queue-full-error';
import { ShutdownError } from './errors/shutdown-error';
import { VsyncError } from './errors/vsync-error';
import { isPlanted } from './testing/planted-bugs';
import type { CoreMetrics } from './core-metrics';
import { compareBallot, majorityOf, sameBallot } from './gms/ballot';
import { membershipService, plantedQuorum } from './gms/membership-service';
import { buildNextView, type GroupChange } from './gms/next-view';
import { MAX_RECORDS_PART_BYTES, PartInbox, splitCarrier, type RecordCarrier } from './gms/record-parts';
import { ViewChangeAttempt } from './gms/view-change-attempt';
import { type Entitlement, joinerMayAccept, memberMayAccept } from './gms/entitlement';
import { admitsChange, groupChangeRefusal, type GroupGuard } from './gms/group-admission';
import { GroupAccessError } from './errors/group-access-error';
import { bodySizeBytes } from './link/body-size';
import { checkQueryShape, OwedReplies, PendingQueries, type QueryEnd } from './query';
import { LinkTable } from './link/link-table';
import { SafeSends } from './safe';
import { GroupEpoch, MAX_PACK_BYTES } from './multicast/group-epoch';
import { SendAdmission } from './multicast/send-admission';
import { type ProcessId, processKey, sameProcess } from './process-id';
import { View } from './view';
import type {
  AcceptedValue,
  Ballot,
  DataRecord,
  Ordering,
  ReplyOutcome,
  ViewValue,
  WireBody,
  WireMessage,
} from './wire-message';

type Role = 'idle' | 'joining' | 'member' | 'gone';
type Body<K extends WireBody['kind']> = Extract<WireBody, { kind: K }>;

/** A multicast waiting for the send window: the request input itself (or its item of a batch), not a copy. A query's
 *  request waits in the same queue, so it keeps its place among the member's multicasts; its requestId is its id. */
type QueuedMulticast = BatchedMulticast & { readonly queryId?: number };
type QueryInput = Extract<CoreInput, { type: 'query' }>;

interface GroupRequest {
  readonly group: string;
  readonly join: boolean;
}

/** A g.flush(): the group epoch it was asked in, and how many messages of each member must become stable there. */
/** A flush request: it waits for the multicasts admitted before it (SendAdmission) to leave the queue, then for what
 *  this member sent or delivered by then to be stable. */
interface StabilityWait {
  readonly group: string;
  /** Admitted multicasts of the group before the request (SendAdmission.mark). */
  readonly afterAdmitted: number;
  /** The epoch and its counts once every multicast admitted before the request has left. */
  at?: { readonly epoch: GroupEpoch; readonly counts: readonly number[] };
}

/** What may arrive for a view not installed here yet and must wait for it (an order grant never can: it answers a
 *  request of this member's own epoch). */
type FutureBody = Body<'data'> | Body<'groupAck'> | Body<'orderRequest'>;

interface BufferedMessage {
  readonly from: ProcessId;
  readonly body: FutureBody;
}

const MAX_GROUP_NAME_CHARS = 256;
const INSTALL_LOG_VIEWS = 64;
/** The view id a joining process reports in systemLive when no running system ever answered it. */
const NO_SYSTEM = 0;
/** The guard of a process that holds no group key: it founds and joins open groups only. */
const KEYLESS: GroupGuard = {
  holdsKey: () => false,
  proof: () => new Uint8Array(0),
  verify: () => false,
};

/** The whole protocol of one process as a pure state machine: `step(input) -> outputs`. Membership follows the
 *  Isis/Vsync GMS: the membership service of a view is its oldest `membershipServiceSize` members; the oldest
 *  unsuspected member leads; a view change is a flush (which doubles as the takeover inquiry) followed by a proposal
 *  that a majority of the current view's membership service must accept (paxos ballots keep two leaders from deciding
 *  different views with one number); the other members are learners. Multicast: FIFO per sender, total order by
 *  Lamport time; every view change delivers the union of the survivors' unstable messages before the new view. */
export class ProcessCore {
  readonly config: ResolvedCoreConfig;
  private readonly self: ProcessId;
  private readonly links: LinkTable;
  private role: Role = 'idle';
  private out: CoreOutput[] = [];
  private now = 0;

  private view: ViewValue | null = null;
  /** When each member entered this process's view: silence is only counted from then. */
  private readonly memberSinceMs = new Map<string, number>();
  private readonly minIncarnation = new Map<string, number>();
  private readonly reportedSuspects = new Set<string>();
  /** Members suspected in the current view, so each suspicion is counted once per view (metrics only). */
  private readonly suspectedInView = new Set<string>();
  /** When this process first promised a flush of the current view (metrics only). */
  private flushStartedMs: number | undefined;
  private readonly counted = {
    suspicions: 0,
    viewChanges: 0,
    flushMsTotal: 0,
    lastFlushMs: 0,
    refusedMessages: 0,
    droppedBufferedMessages: 0,
  };
  private readonly leaving = new Set<string>();
  private readonly catchUpSentMs = new Map<string, number>();
  private readonly notMemberSentMs = new Map<string, number>();
  private futureCommit: ViewValue | null = null;
  /** The last few installed system views, for observers (the simulator); bounded, oldest dropped. */
  private readonly installLog: ViewValue[] = [];

  // Participant side of the view-change consensus, for the slot after the current view.
  private promised: Ballot | null = null;
  private promisedAtMs = 0;
  private accepted: AcceptedValue | null = null;
  private maxRound = 0;

  // Leader side.
  private attempt: ViewChangeAttempt | null = null;
  private nextAttemptMs = 0;
  private readonly pendingJoins = new Map<string, ProcessId>();
  private readonly pendingGroupChanges = new Map<string, GroupChange>();

  // This process's own requests and multicast state.
  private readonly groupRequests = new Map<number, GroupRequest>();
  private readonly stabilityWaits = new Map<number, StabilityWait>();
  private readonly groups = new Map<string, GroupEpoch>();
  private readonly sendQueues = new Map<string, QueuedMulticast[]>();
  private readonly admission = new SendAdmission();
  private readonly future: BufferedMessage[] = [];
  private futureBytes = 0;
  private readonly futureBytesByPeer = new Map<string, number>();
  /** Epochs whose own multicasts of this step still wait to be packed and sent; emptied at the end of every step. */
  private filledOutboxes: GroupEpoch[] = [];
  /** What the entitlement rules ask of this process; made once, as it is consulted for every message received. */
  private readonly entitlementView: Entitlement;
  private lastHeartbeatMs = -Infinity;
  private lastRequestMs = -Infinity;

  // Entering the system: a first seed founds only if no seed reported a running system within foundAfterMs.
  private joinStartedMs = 0;
  /** The newest view id a running system reported to this joining process (NO_SYSTEM if none did). */
  private seenViewId = NO_SYSTEM;
  /** An operator ordered a re-found (after a total loss): found once no seed reports a running system. */
  private refounding = false;
  /** Seeds that answered that they belong to no system (they are starting or joining too). */
  private readonly seedsWithoutSystem = new Set<string>();
  // Leaving it gracefully: the leaver stays a voting member until the view that removes it is decided.
  private departing = false;
  private departSinceMs = 0;
  /** Records sent ahead of large flush answers, proposals and commits, until the message they belong to arrives. */
  private readonly parts: PartInbox;
  // Queries: this process's own (querier side) and the replies it owes for requests it delivered.
  private readonly queries: PendingQueries;
  private readonly owed: OwedReplies;
  /** safeSend: durable total order on top of the group epochs (protocol/safe). */
  private readonly safe: SafeSends;

  /** `guard` holds this process's group keys (gms/group-admission.ts); without one it joins open groups only. */
  constructor(
    config: CoreConfig,
    private readonly guard: GroupGuard = KEYLESS,
  ) {
    this.config = resolveCoreConfig(config);
    this.self = this.config.self;
    this.links = new LinkTable(this.self, this.config);
    this.parts = new PartInbox(this.config.linkBufferMessages);
    this.queries = new PendingQueries(this.config.maxPendingQueries);
    this.entitlementView = { isMember: (p: ProcessId) => this.isMember(p), seeds: this.config.seeds };
    this.owed = new OwedReplies(this.config.maxOwedReplies);
    this.safe = new SafeSends(this.self, this.config, {
      send: (to, body) => this.isMember(to) && this.sendToMember(to, body),
      deliver: (r, groupViewId) => this.emitDelivery(r, groupViewId),
      persist: (group, token, records) => this.out.push({ type: 'persist', group, token, records }),
    });
  }

  /** The installed system view (members, groups), or null before joining; for observers such as the simulator. */
  get systemView(): ViewValue | null {
    return this.view;
  }

  /** 'leaving' is a member on its way out after shutdown: it still votes on its removal but takes no requests. */
  get state(): Role | 'leaving' {
    return this.departing && this.role === 'member' ? 'leaving' : this.role;
  }

  /**
   * Whether a plain multicast (fifo or total) of `payloadBytes`, fed in one multicastBatch behind `ahead` others of
   * `aheadBytes` payload bytes that this also said yes to, will have its request done by that very input: nothing is
   * queued or admitted ahead of the batch, the epoch is open, and the window has room for all of them. A read of the
   * state, changing nothing, that mirrors what drain and admit do with the batch: the runtime uses it to settle such
   * a send at once and marks it `settled`, so no requestDone comes for it (a requestFailed then, against this answer,
   * is an invariant broken).
   */
  admitsAtOnce(
    group: string,
    ordering: Ordering,
    payloadBytes: number,
    ahead: number,
    aheadBytes: number,
  ): boolean {
    if (ordering !== 'fifo' && ordering !== 'total') return false;
    if (payloadBytes > this.config.maxPayloadBytes || ahead + 1 > this.config.sendQueueMessages) return false;
    const epoch = this.groups.get(group);
    if (epoch === undefined) return false;
    // Behind others this said yes to, nothing was fed since: only the room left changed.
    if (ahead === 0) {
      if (this.role !== 'member' || this.departing || epoch.frozen || this.leavingGroup(group)) return false;
      if ((this.sendQueues.get(group)?.length ?? 0) > 0 || this.admission.count(group) > 0) return false;
    }
    const { sendWindowMessages, sendWindowBytes } = this.config;
    return epoch.hasRoomFor(payloadBytes, sendWindowMessages, sendWindowBytes, ahead, aheadBytes);
  }

  /** The membership service of the installed view (oldest first), or none before joining; for observers. */
  get serviceMembers(): readonly ProcessId[] {
    return this.view ? membershipService(this.view.members, this.view.serviceSize) : [];
  }

  /** Hands over (and forgets) the system views installed since the last call, oldest first. */
  takeInstalledViews(): ViewValue[] {
    return this.installLog.splice(0, this.installLog.length);
  }

  step(input: CoreInput): CoreOutput[] {
    this.out = [];
    this.now = input.nowMs;
    try {
      this.dispatch(input);
      if (this.role === 'member') this.safe.settle();
      this.flushOutboxes();
      this.completeStabilityWaits();
    } catch (error) {
      // A broken invariant (or a peer's message that breaks one) stops this incarnation, loudly, instead of going on
      // with corrupt state or crashing the host process: the runtime reports it and may restart a new incarnation.
      const reason =
        error instanceof VsyncError
          ? error
          : new InvariantError(error instanceof Error ? error.message : String(error));
      this.becomeGone(reason, true);
    }
    return this.out;
  }

  private dispatch(input: CoreInput): void {
    switch (input.type) {
      case 'start':
        this.onStart();
        break;
      case 'tick':
        this.onTick();
        break;
      case 'receive':
        this.onReceive(input.message);
        break;
      case 'join':
      case 'leave':
        this.onGroupRequest(input.group, input.requestId, input.type === 'join');
        break;
      case 'multicast':
        this.enqueueMulticast(input.group, input);
        this.drain(input.group);
        break;
      case 'multicastBatch':
        for (const m of input.multicasts) this.enqueueMulticast(input.group, m);
        this.drain(input.group);
        break;
      case 'flush':
        this.onFlushRequest(input.group, input.requestId);
        break;
      case 'shutdown':
        this.onShutdown();
        break;
      case 'query':
        this.onQuery(input);
        break;
      case 'p2pSend':
        this.onP2pSend(input.group, input.to, input.requestId, input.payload);
        break;
      case 'reply':
        this.onReplyInput(input.querier, input.queryId, input.outcome, input.payload);
        break;
      case 'persisted':
        this.safe.persisted(input.token);
        break;
    }
  }

  private onFlushRequest(group: string, requestId: number): void {
    if (this.role === 'gone' || this.departing)
      return this.fail(requestId, new ShutdownError('no longer a member of the system'));
    const epoch = this.groups.get(group);
    if (epoch === undefined) return this.fail(requestId, new NotAMemberError(String(group)));
    if (this.stabilityWaits.size >= this.config.maxPendingRequests) {
      return this.fail(
        requestId,
        new RequestError(`more than maxPendingRequests (${this.config.maxPendingRequests}) flushes pending`),
      );
    }
    this.stabilityWaits.set(requestId, { group, afterAdmitted: this.admission.mark(group) });
  }

  /** A wait ends when its messages are stable, or when its epoch closed: the view change delivered them at every
   *  survivor, which is all stability promises. Its messages are known once those admitted before it have left. */
  private completeStabilityWaits(): void {
    if (this.stabilityWaits.size === 0) return;
    for (const [requestId, wait] of this.stabilityWaits) {
      const current = this.groups.get(wait.group);
      if (wait.at === undefined && current !== undefined) {
        if (!this.admission.hasLeft(wait.group, wait.afterAdmitted)) continue;
        wait.at = { epoch: current, counts: current.receivedCounts() };
      }
      if (wait.at !== undefined && current === wait.at.epoch && !current.isStableUpTo(wait.at.counts))
        continue;
      this.stabilityWaits.delete(requestId);
      this.out.push({ type: 'requestDone', requestId });
    }
  }

  /** Own multicasts released in one step leave as one data message per member and group. An epoch replaced in
   *  this step was frozen first, which emptied its outbox. */
  private flushOutboxes(): void {
    if (this.filledOutboxes.length === 0) return;
    const epochs = this.filledOutboxes;
    this.filledOutboxes = [];
    if (this.role !== 'member') return;
    for (const epoch of epochs) epoch.flushOutbox();
  }

  // ---------------------------------------------------------------- lifecycle

  private onStart(): void {
    if (this.role !== 'idle') return;
    if (this.config.founding === 'now') return this.found();
    this.role = 'joining';
    this.joinStartedMs = this.now;
    this.tryJoin();
  }

  private found(): void {
    assert(
      (this.config.founding !== 'never' || this.refounding) && this.seenViewId === NO_SYSTEM,
      'founding beside a running system',
    );
    this.role = 'member';
    const first: ViewValue = {
      id: 1,
      members: [this.self],
      groups: [],
      joined: [this.self],
      left: [],
      failed: [],
      serviceSize: this.config.membershipServiceSize,
      flush: [],
    };
    this.installFresh(first);
  }

  /** A first seed founds once it asked the seeds for foundAfterMs, none reported a running system, and every other seed
   *  answered that it belongs to none and never heard of one. Silence is not enough: a first seed cut off from a
   *  running system by a partition, or whose reachable seeds restarted with it, must not found a second system. */
  private mayFoundNow(): boolean {
    if (this.seenViewId !== NO_SYSTEM || this.now - this.joinStartedMs < this.config.foundAfterMs)
      return false;
    const seeds = new Set(this.config.seeds).size;
    // An operator's re-found accepts a majority of the seeds: after a total loss some seed hosts may be gone for good.
    if (this.refounding) return this.seedsWithoutSystem.size + 1 >= majorityOf(seeds);
    return this.config.founding === 'unlessLive' && this.seedsWithoutSystem.size >= seeds - 1;
  }

  /** Starts the re-found check afresh: the seeds are asked again, and only answers from now on count. */
  private startRefound(): void {
    this.refounding = true;
    this.joinStartedMs = this.now;
    this.seedsWithoutSystem.clear();
    this.tryJoin();
  }

  /** A graceful leave: the leaver asks to be removed and keeps answering flushes and proposals until the view without
   *  it is decided, so its departure never costs the others a vote (a two-process system keeps its survivor). */
  private onShutdown(): void {
    if (this.role !== 'member' || this.others().length === 0)
      return this.becomeGone(new ShutdownError('shut down'), false);
    if (this.departing) return;
    this.departing = true;
    this.departSinceMs = this.now;
    this.leaving.add(processKey(this.self));
    this.failQueued(new ShutdownError('this process is leaving the system'));
    for (const m of this.others())
      this.links.sendReliable(m, { kind: 'leaveSystem', viewId: this.view!.id }, this.now, this.out);
    if (this.isLeader()) this.leaderTick();
  }

  /** A leaver whose every peer is leaving too (or silent): no view would be left to decide, nobody to wait for. */
  private leavingLast(): boolean {
    return this.departing && this.others().every((m) => this.leaving.has(processKey(m)) || this.isSilent(m));
  }

  /** A graceful leaver whose removal was decided (or took longer than leaveTimeoutMs) is done. */
  private finishDeparture(why: string): void {
    this.becomeGone(new ShutdownError(why), false);
  }

  private becomeGone(error: VsyncError, announce: boolean): void {
    if (this.role === 'gone') return;
    this.role = 'gone';
    if (announce) this.out.push({ type: 'excluded', error });
    this.failQueued(error);
    this.groups.clear();
  }

  private failQueued(error: VsyncError): void {
    for (const requestId of this.queries.clear()) this.out.push({ type: 'requestFailed', requestId, error });
    this.owed.clear();
    for (const requestId of this.stabilityWaits.keys())
      this.out.push({ type: 'requestFailed', requestId, error });
    this.stabilityWaits.clear();
    for (const requestId of this.groupRequests.keys())
      this.out.push({ type: 'requestFailed', requestId, error });
    this.groupRequests.clear();
    for (const [name, queue] of this.sendQueues) {
      // Queued query requests were failed with the query table above; admitted multicasts are done already.
      for (const q of queue.slice(this.admission.count(name)))
        if (q.queryId === undefined) this.out.push({ type: 'requestFailed', requestId: q.requestId, error });
    }
    this.sendQueues.clear();
    this.admission.clear();
  }

  /** Asks every other seed at once: any member answers (systemLive) and passes the request to its leader, so a first
   *  seed hears of a running system within one retry if any seed it can reach belongs to one. */
  private tryJoin(): void {
    this.lastRequestMs = this.now;
    for (const seed of new Set(this.config.seeds)) {
      if (seed !== this.self.address)
        this.links.sendUnreliable(seed, { kind: 'joinRequest', joiner: this.self }, this.out);
    }
  }

  // ---------------------------------------------------------------- ticks

  private onTick(): void {
    if (this.role === 'joining') {
      if (this.mayFoundNow()) return this.found();
      this.links.tick(this.now, this.out);
      if (this.now - this.lastRequestMs >= this.config.joinRetryMs) this.tryJoin();
      return;
    }
    if (this.role !== 'member') return;
    if (this.departing && this.now - this.departSinceMs >= this.config.leaveTimeoutMs)
      return this.finishDeparture(
        `left without a decided view after leaveTimeoutMs (${this.config.leaveTimeoutMs})`,
      );
    if (this.leavingLast()) return this.finishDeparture('left together with every other member');
    // Before anything is retransmitted: a process outside the primary partition sends nothing more. A proposal of its
    // own that reached an acceptor after it left could still be decided, seating a process that is gone in a view.
    if (this.checkMajority()) return;
    this.links.tick(this.now, this.out);
    this.heartbeat();
    this.endQueries(this.queries.tick(this.now));
    if (this.now - this.lastRequestMs >= this.config.joinRetryMs) this.sendRequestsToLeader();
    if (this.attempt || this.isLeader()) this.leaderTick();
    for (const [name, epoch] of this.groups) {
      epoch.tick();
      this.drain(name);
    }
    this.collectLinks();
  }

  private heartbeat(): void {
    if (this.now - this.lastHeartbeatMs < this.config.heartbeatIntervalMs) return;
    this.lastHeartbeatMs = this.now;
    const viewId = this.view!.id;
    for (const m of this.others()) this.links.sendUnreliable(m, { kind: 'heartbeat', viewId }, this.out);
  }

  /** A process that cannot hear a majority of its view's membership service is outside the primary partition: no
   *  decision can be made with it, and any view it could still learn of would come from a side it cannot hear. It
   *  leaves, installing nothing, and rejoins as a new incarnation. Itself counts if it is a service member. */
  private checkMajority(): boolean {
    const view = this.view!;
    const service = this.serviceMembers;
    const heard = service.filter((m) => this.isSelf(m) || !this.timedOut(m)).length;
    if (heard >= serviceQuorumOf(service.length)) return false;
    this.becomeGone(
      new MinorityPartitionError(
        `hears ${heard} of the ${service.length} membership service members of view ${view.id}`,
      ),
      true,
    );
    return true;
  }

  private collectLinks(): void {
    const keep = (p: ProcessId): boolean => this.isMember(p) || this.pendingJoins.has(processKey(p));
    this.links.collectIdle(keep, 4 * this.config.failureTimeoutMs, this.now);
  }

  // ---------------------------------------------------------------- receiving

  private onReceive(message: WireMessage): void {
    if (this.role === 'idle' || this.role === 'gone') return;
    const from = message.from;
    if (from.incarnation < (this.minIncarnation.get(from.address) ?? 0) && !isPlanted('excludedNotFenced')) {
      this.tellNotMember(from);
      return;
    }
    for (const received of this.links.receive(message, this.now)) {
      const body = this.wholeBody(from, received);
      if (body === null) continue;
      if (!this.mayAccept(from, body)) {
        this.counted.refusedMessages += 1;
        continue;
      }
      if (this.role === 'joining') this.stepJoining(from, body);
      else if (this.role === 'member') this.stepMember(from, body);
    }
  }

  /** Whether `from` is entitled to send `body` to this process in its current role (gms/entitlement.ts). */
  private mayAccept(from: ProcessId, body: WireBody): boolean {
    if (this.role === 'member') return memberMayAccept(from, body, this.entitlementView);
    return joinerMayAccept(from, body, this.entitlementView);
  }

  /** Buffers records parts (returning null) and joins them to the flushOk, propose or commit they precede. */
  private wholeBody(from: ProcessId, body: WireBody): WireBody | null {
    if (body.kind === 'recordsPart') {
      if (this.role === 'member' && this.isMember(from)) this.parts.add(from, body);
      return null;
    }
    if (body.kind === 'flushOk' || body.kind === 'propose' || body.kind === 'commit')
      return this.parts.complete(from, body);
    return body;
  }

  /** Sends a flushOk, propose or commit reliably, its records split ahead of it when they exceed one part. */
  private sendCarrier(to: ProcessId, carrier: { ahead: WireBody[]; body: RecordCarrier }): void {
    for (const part of carrier.ahead) this.sendToMember(to, part);
    this.sendToMember(to, carrier.body);
  }

  /** Parts of at most MAX_RECORDS_PART_BYTES (or maxPayloadBytes if smaller): a lost or late part is retransmitted
   *  alone, and a receiver acknowledges each as it arrives, instead of one frame-sized message resent whole. */
  private split(body: RecordCarrier): { ahead: WireBody[]; body: RecordCarrier } {
    return splitCarrier(body, Math.min(MAX_RECORDS_PART_BYTES, this.config.maxPayloadBytes));
  }

  /** The dead get no messages delivered and are told, now and then, that they are out. */
  private tellNotMember(p: ProcessId): void {
    const last = this.notMemberSentMs.get(p.address) ?? -Infinity;
    if (!this.view || this.now - last < this.config.heartbeatIntervalMs) return;
    this.notMemberSentMs.set(p.address, this.now);
    this.links.sendUnreliable(p, { kind: 'notMember', viewId: this.view.id }, this.out);
  }

  private stepJoining(from: ProcessId, body: WireBody): void {
    if (body.kind === 'commit' && body.value.members.some((m) => this.isSelf(m))) {
      this.role = 'member';
      this.installFresh(body.value);
    } else if (body.kind === 'systemLive') {
      // A running system answered (or a joiner that heard of one): this process joins it and never founds another.
      if (body.viewId !== NO_SYSTEM) this.seenViewId = Math.max(this.seenViewId, body.viewId);
      else if (this.config.seeds.includes(from.address)) this.seedsWithoutSystem.add(from.address);
    } else if (body.kind === 'joinRequest' || body.kind === 'probe') {
      // Passes on what it knows: "no system" only if no running system ever answered it, so a first seed restarting
      // with the whole system may found it, but not one cut off from a system these joiners have heard of.
      this.links.sendUnreliable(from, { kind: 'systemLive', viewId: this.seenViewId }, this.out);
    } else if (body.kind === 'refound') {
      this.startRefound();
    } else if (body.kind === 'data' || body.kind === 'groupAck' || body.kind === 'orderRequest') {
      this.bufferFuture(from, body);
    } else if (body.kind === 'notMember') {
      // It was added to a view whose commit never reached it, then removed as silent: this identity is spent.
      this.becomeGone(
        new ExcludedError(`view ${body.viewId} removed it before it could install its first view`),
        true,
      );
    }
  }

  private stepMember(from: ProcessId, body: WireBody): void {
    switch (body.kind) {
      case 'heartbeat':
        return this.onHeartbeat(from, body.viewId);
      case 'notMember':
        // A graceful leaver whose removal commit was lost hears it this way instead.
        if (body.viewId > this.view!.id && this.departing)
          this.finishDeparture(`left the system by view ${body.viewId}`);
        else if (body.viewId > this.view!.id)
          this.becomeGone(new ExcludedError(`view ${body.viewId} left it out`), true);
        return;
      case 'leaveSystem':
        if (this.isMember(from)) this.leaving.add(processKey(from));
        return;
      case 'flush':
        return this.onFlush(from, body);
      case 'propose':
        return this.onPropose(from, body);
      case 'commit':
        return this.onCommit(body.value);
      case 'data':
        return this.onData(from, body);
      case 'groupAck':
        return this.onGroupAck(from, body);
      case 'orderRequest':
        return this.onOrderRequest(from, body);
      case 'orderGrant':
        return this.onOrderGrant(from, body);
      case 'safeAccept':
        return this.safe.receiveAccept(from, body);
      case 'linkAck':
        return;
      case 'p2p':
        return this.onP2p(from, body);
      case 'groupProof':
        return this.onGroupProof(from, body);
      case 'groupRefused':
        return this.onGroupRefused(from, body);
      case 'queryReply':
        if (this.isMember(from))
          this.endQueries(this.queries.reply(from, body.queryId, body.outcome, body.payload));
        return;
      case 'suspect':
        return this.onSuspect(body);
      // Answers go to whoever runs the attempt, even if it no longer looks like the leader: a started change that
      // everyone froze for must be finished (or abandoned by a higher ballot), never left hanging.
      case 'flushOk':
        return this.onFlushOk(from, body);
      case 'proposeOk':
        return this.onProposeOk(from, body);
      case 'nack':
        return this.onNack(body.promised);
      case 'systemLive':
      case 'refound':
        return;
      case 'probe':
        return this.links.sendUnreliable(from, { kind: 'systemLive', viewId: this.view!.id }, this.out);
      case 'joinRequest':
        // Whoever asks is told that a system runs here, so a restarted first seed joins instead of founding.
        this.links.sendUnreliable(from, { kind: 'systemLive', viewId: this.view!.id }, this.out);
        return this.isLeader() ? this.stepLeader(from, body) : this.stepFollower(body);
      default:
        return this.isLeader() ? this.stepLeader(from, body) : this.stepFollower(body);
    }
  }

  private onHeartbeat(from: ProcessId, viewId: number): void {
    const view = this.view!;
    // A member one view behind missed the commit (its leader died mid-send): hand it over.
    if (viewId === view.id - 1 && this.isMember(from)) this.sendCatchUp(from);
  }

  private sendCatchUp(to: ProcessId): void {
    const key = processKey(to);
    if (this.now - (this.catchUpSentMs.get(key) ?? -Infinity) < this.config.retransmitIntervalMs) return;
    this.catchUpSentMs.set(key, this.now);
    this.sendCarrier(to, this.split({ kind: 'commit', value: this.view! }));
  }

  // ---------------------------------------------------------------- membership: follower and leader roles

  /** Requests meant for the leader that reached someone else are passed along towards the oldest member. */
  private stepFollower(body: WireBody): void {
    // A sponsor resends its own requests to the current leader: a forwarded one would seem to come from the forwarder.
    if (body.kind === 'groupChange' && body.sponsored) return;
    if (body.kind === 'joinRequest' || body.kind === 'groupChange') {
      this.links.sendUnreliable(this.leader(), body, this.out);
    }
  }

  private stepLeader(from: ProcessId, body: WireBody): void {
    switch (body.kind) {
      case 'joinRequest':
        return this.onJoinRequest(body.joiner);
      case 'groupChange':
        if (groupChangeRefusal(body, from, this.view!.groups) !== null) return this.refuseJoin(body);
        this.pendingGroupChanges.set(`${processKey(body.member)}|${body.group}`, body);
        return this.leaderTick();
      default:
        return;
    }
  }

  /** Any member adopts a reported suspicion, so a member that some cannot hear is removed even if the leader (or the
   *  suspect itself) can: false suspicions end in exclusion, never in a stalled group. */
  private onSuspect(body: Body<'suspect'>): void {
    if (body.viewId !== this.view!.id) return;
    for (const s of body.suspects)
      if (this.isMember(s) && !this.isSelf(s)) {
        this.reportedSuspects.add(processKey(s));
        this.countSuspicion(s);
      }
    if (this.isLeader()) this.leaderTick();
    else this.links.sendUnreliable(this.leader(), body, this.out);
  }

  private onJoinRequest(joiner: ProcessId): void {
    if (
      joiner.incarnation < (this.minIncarnation.get(joiner.address) ?? 0) &&
      !isPlanted('excludedNotFenced')
    )
      return;
    if (this.isMember(joiner)) {
      // It joined, but the commit never reached it (the previous leader died): send the view again.
      this.links.sendReliable(
        joiner,
        { kind: 'commit', value: { ...this.view!, flush: [] } },
        this.now,
        this.out,
      );
      return;
    }
    const sitting = this.view!.members.find((m) => m.address === joiner.address);
    if (sitting && sitting.incarnation >= joiner.incarnation) return;
    // A joiner that restarted while waiting is one process: only its newest incarnation may join.
    for (const [key, p] of this.pendingJoins) {
      if (p.address !== joiner.address) continue;
      if (p.incarnation > joiner.incarnation) return;
      this.pendingJoins.delete(key);
    }
    if (this.pendingJoins.size >= this.config.maxPendingRequests) return;
    this.pendingJoins.set(processKey(joiner), joiner);
    this.leaderTick();
  }

  private leaderTick(): void {
    if (this.attempt) return this.advanceAttempt();
    if (this.now < this.nextAttemptMs || !this.hasPendingChanges()) return;
    this.startAttempt();
  }

  private hasPendingChanges(): boolean {
    const view = this.view!;
    if (this.pendingJoins.size > 0 || this.pendingGroupChanges.size > 0 || this.leaving.size > 0) return true;
    // Members froze for some ballot long ago and no view came of it: run a change, if only to unfreeze them.
    if (this.promised && this.now - this.promisedAtMs >= 2 * this.config.viewChangeTimeoutMs) return true;
    return view.members.some((m) => !this.isSelf(m) && this.isSuspected(m));
  }

  private startAttempt(): void {
    const ballot: Ballot = { round: this.maxRound + 1, leader: this.self };
    this.attempt = new ViewChangeAttempt(ballot, this.view!, this.now);
    for (const m of this.others()) {
      this.links.sendReliable(m, { kind: 'flush', viewId: this.view!.id, ballot }, this.now, this.out);
    }
    this.onFlush(this.self, { kind: 'flush', viewId: this.view!.id, ballot });
  }

  private onFlushOk(from: ProcessId, body: Body<'flushOk'>): void {
    if (!this.attempt || body.viewId !== this.view!.id || !sameBallot(body.ballot, this.attempt.ballot))
      return;
    this.attempt.recordAnswer({ from, accepted: body.accepted, records: body.records });
    this.advanceAttempt();
  }

  private advanceAttempt(): void {
    if (this.leavingLast()) return this.finishDeparture('left together with every other member');
    const attempt = this.attempt!;
    const timeout = this.config.viewChangeTimeoutMs;
    // A graceful leaver is waited for like anyone: it answers, and its report keeps its last messages.
    if (attempt.readyToPropose((m) => this.isSelf(m) || !this.isSilent(m))) {
      this.propose(attempt);
    } else if (this.now - attempt.startedMs >= 2 * timeout) {
      // Stalled (answers or accepts lost with their senders): try again with a higher ballot.
      this.attempt = null;
      this.leaderTick();
    }
  }

  private propose(attempt: ViewChangeAttempt): void {
    const accepted = isPlanted('newLeaderIgnoresAccepted') ? null : attempt.previouslyAccepted();
    const value = accepted ?? this.buildValue(attempt);
    attempt.startProposal(value);
    const body: Body<'propose'> = {
      kind: 'propose',
      viewId: attempt.current.id,
      ballot: attempt.ballot,
      value,
    };
    const carrier = this.split(body);
    for (const a of attempt.answers.values()) if (!this.isSelf(a.from)) this.sendCarrier(a.from, carrier);
    this.onPropose(this.self, body);
  }

  private buildValue(attempt: ViewChangeAttempt): ViewValue {
    const view = attempt.current;
    const suspects = new Set(
      view.members
        .filter((m) => !this.isSelf(m) && this.isSuspected(m) && !this.leaving.has(processKey(m)))
        .map(processKey),
    );
    const joiners = [...this.pendingJoins.values()].filter((j) => !this.isMember(j));
    const changes = [...this.pendingGroupChanges.values()];
    return buildNextView({
      current: view,
      responders: new Set(attempt.answers.keys()),
      suspects,
      leaving: this.leaving,
      joiners,
      groupChanges: changes,
      reports: [...attempt.answers.values()]
        .filter((a) => !isPlanted('flushLeaderReportOnly') || this.isSelf(a.from))
        .map((a) => a.records),
    });
  }

  private onProposeOk(from: ProcessId, body: Body<'proposeOk'>): void {
    const attempt = this.attempt;
    if (!attempt || body.viewId !== this.view!.id || !sameBallot(body.ballot, attempt.ballot)) return;
    if (attempt.recordAccept(from)) this.commit(attempt.value!);
  }

  private commit(value: ViewValue): void {
    const old = this.view!;
    const targets = [
      ...old.members,
      ...value.members.filter((m) => !old.members.some((o) => sameProcess(o, m))),
    ];
    const forMembers = this.split({ kind: 'commit', value });
    const forJoiners: Body<'commit'> = { kind: 'commit', value: { ...value, flush: [] } };
    for (const m of targets) {
      if (this.isSelf(m)) continue;
      if (old.members.some((o) => sameProcess(o, m))) this.sendCarrier(m, forMembers);
      else this.links.sendReliable(m, forJoiners, this.now, this.out);
    }
    this.install(value);
  }

  private onNack(promised: Ballot): void {
    this.maxRound = Math.max(this.maxRound, promised.round);
    if (!this.attempt || compareBallot(promised, this.attempt.ballot) <= 0) return;
    this.yieldAttempt();
  }

  /** Somebody holds a higher ballot: stand back, and retry later only if still the leader then. */
  private yieldAttempt(): void {
    this.attempt = null;
    const rank = this.view!.members.findIndex((m) => this.isSelf(m));
    this.nextAttemptMs = this.now + this.config.viewChangeTimeoutMs * (1 + rank);
  }

  // ---------------------------------------------------------------- membership: participant

  private onFlush(from: ProcessId, body: Body<'flush'>): void {
    const view = this.view!;
    if (body.viewId < view.id) return this.sendCatchUpIfNext(from, body.viewId);
    if (body.viewId > view.id || !this.isMember(from)) return;
    this.maxRound = Math.max(this.maxRound, body.ballot.round);
    // A leader some member reported as suspect is being removed by the next one: promising it a higher ballot would
    // only abort that removal, again and again (a leader that cannot reach one member retries forever). Ignoring a
    // flush is always safe; the suspect learns of its removal from the commit.
    if (this.reportedSuspects.has(processKey(from))) return;
    if (!this.promise(from, body.ballot)) return;
    this.flushStartedMs ??= this.now;
    if (this.attempt && !sameBallot(this.attempt.ballot, body.ballot)) this.yieldAttempt();
    for (const epoch of this.groups.values()) epoch.freeze();
    const records = [...this.groups.values()].flatMap((e) => e.heldRecords());
    const answer: Body<'flushOk'> = {
      kind: 'flushOk',
      viewId: view.id,
      ballot: body.ballot,
      accepted: this.accepted,
      records,
    };
    if (this.isSelf(from)) this.onFlushOk(from, answer);
    else this.sendCarrier(from, this.split(answer));
  }

  /**
   * The ballot rule shared by flush and propose: a participant never goes back
   * on a promise to a higher ballot; it tells the lower one (nack) so that
   * leader can retry with a higher round. Returns whether it promised.
   */
  private promise(from: ProcessId, ballot: Body<'flush'>['ballot']): boolean {
    if (this.promised && compareBallot(ballot, this.promised) < 0) {
      this.links.sendReliable(
        from,
        { kind: 'nack', viewId: this.view!.id, promised: this.promised },
        this.now,
        this.out,
      );
      return false;
    }
    this.promised = ballot;
    this.promisedAtMs = this.now;
    return true;
  }

  private sendCatchUpIfNext(to: ProcessId, theirViewId: number): void {
    if (theirViewId === this.view!.id - 1 && this.isMember(to)) this.sendCatchUp(to);
  }

  private onPropose(from: ProcessId, body: Body<'propose'>): void {
    const view = this.view!;
    if (body.viewId < view.id) return this.sendCatchUpIfNext(from, body.viewId);
    if (body.viewId > view.id || body.value.id !== view.id + 1) return;
    if (!this.promise(from, body.ballot)) return;
    this.accepted = { ballot: body.ballot, value: body.value };
    for (const epoch of this.groups.values()) epoch.freeze();
    const ok: Body<'proposeOk'> = { kind: 'proposeOk', viewId: view.id, ballot: body.ballot };
    if (this.isSelf(from)) this.onProposeOk(from, ok);
    else this.links.sendReliable(from, ok, this.now, this.out);
  }

  private onCommit(value: ViewValue): void {
    const view = this.view!;
    if (value.id <= view.id) return;
    if (value.id === view.id + 1) {
      this.install(value);
      const next = this.futureCommit;
      this.futureCommit = null;
      if (next && this.role === 'member') this.onCommit(next);
      return;
    }
    if (!value.members.some((m) => this.isSelf(m))) {
      this.leaveView(value);
    } else if (!this.futureCommit || this.futureCommit.id < value.id) {
      this.futureCommit = value;
    }
  }

  // ---------------------------------------------------------------- installing views

  /** Installs the next view as an old member: deliver the decided flush set, then the new views. */
  private install(value: ViewValue): void {
    const old = this.view!;
    assert(value.id === old.id + 1, `installing view ${value.id} after ${old.id}`);
    if (!value.members.some((m) => this.isSelf(m))) return this.leaveView(value);
    const closing = [...this.groups];
    const finish = (): void => {
      for (const [name, epoch] of closing)
        epoch.finish(value.flush.filter((r) => r.group === name && r.epoch === old.id));
    };
    if (!isPlanted('viewBeforeFlushDelivery')) finish();
    this.countViewChange();
    for (const gone of old.members.filter((m) => !value.members.some((n) => sameProcess(n, m))))
      this.forget(gone, value);
    this.enterView(value, old);
    if (isPlanted('viewBeforeFlushDelivery')) finish();
  }

  /** A decided view without this process: the end of a graceful leave, or an exclusion. */
  private leaveView(value: ViewValue): void {
    if (this.departing) this.finishDeparture(`left the system in view ${value.id}`);
    else this.becomeGone(new ExcludedError(`view ${value.id} left it out`), true);
  }

  /** Installs a view as a newcomer (founder or joiner): nothing to flush. */
  private installFresh(value: ViewValue): void {
    this.enterView(value, null);
  }

  private enterView(value: ViewValue, old: ViewValue | null): void {
    this.view = value;
    if (this.installLog.length >= INSTALL_LOG_VIEWS) this.installLog.shift();
    this.installLog.push(value);
    this.out.push({ type: 'systemView', view: value });
    for (const key of this.memberSinceMs.keys())
      if (!value.members.some((m) => processKey(m) === key)) this.memberSinceMs.delete(key);
    for (const m of value.members)
      if (!this.memberSinceMs.has(processKey(m))) this.memberSinceMs.set(processKey(m), this.now);
    this.promised = null;
    this.accepted = null;
    this.attempt = null;
    this.nextAttemptMs = this.now;
    this.reportedSuspects.clear();
    this.suspectedInView.clear();
    this.flushStartedMs = undefined;
    // Rate-limit bookkeeping only matters for current members and recent strangers; keep it from growing forever.
    for (const key of this.catchUpSentMs.keys())
      if (!value.members.some((m) => processKey(m) === key)) this.catchUpSentMs.delete(key);
    if (this.notMemberSentMs.size > this.config.maxPendingRequests) this.notMemberSentMs.clear();
    for (const key of this.leaving)
      if (!value.members.some((m) => processKey(m) === key)) this.leaving.delete(key);
    for (const m of value.members) this.pendingJoins.delete(processKey(m));
    this.parts.retain((key) => value.members.some((m) => processKey(m) === key));
    this.pruneGroupChanges(value);
    this.openGroups(value, old);
    this.retainQueries(value);
    this.completeGroupRequests();
    this.replayFuture();
    for (const name of this.groups.keys()) this.drain(name);
  }

  private forget(gone: ProcessId, next: ViewValue): void {
    const floor = Math.max(this.minIncarnation.get(gone.address) ?? 0, gone.incarnation + 1);
    this.minIncarnation.set(gone.address, floor);
    this.links.drop(gone);
    if (!next.members.some((m) => m.address === gone.address))
      this.out.push({ type: 'disconnect', address: gone.address });
  }

  private pruneGroupChanges(value: ViewValue): void {
    for (const [key, c] of this.pendingGroupChanges) {
      const g = value.groups.find((x) => x.name === c.group);
      const present = !!g && g.members.some((m) => sameProcess(m, c.member));
      // An unsponsored join that lost the founding of a secured group to another is refused, not retried for ever.
      const refused = !!g && !admitsChange(c, g.secured === true, g.members.length);
      if (refused && !present && this.isLeader()) this.refuseJoin(c);
      if (present === c.join || refused || !value.members.some((m) => sameProcess(m, c.member)))
        this.pendingGroupChanges.delete(key);
    }
  }

  /** Opens the new epoch of every group this process is in, and reports changed group views to the application. */
  private openGroups(value: ViewValue, old: ViewValue | null): void {
    this.groups.clear();
    for (const g of value.groups) {
      if (!g.members.some((m) => this.isSelf(m))) continue;
      const effects = {
        deliver: (r: DataRecord, groupViewId: number) => this.deliver(r, groupViewId),
        send: (to: ProcessId, body: WireBody) => this.sendToMember(to, body),
        outboxFilled: (epoch: GroupEpoch) => void this.filledOutboxes.push(epoch),
      };
      const packBytes = Math.min(MAX_PACK_BYTES, this.config.maxPayloadBytes);
      this.groups.set(
        g.name,
        new GroupEpoch(g.name, value.id, g.viewId, g.members, this.self, effects, packBytes),
      );
      this.safe.opened(g.name, value.id, g.members, g.viewId);
      const before = old?.groups.find((x) => x.name === g.name);
      const wasIn = !!before && before.members.some((m) => this.isSelf(m));
      if (!wasIn || before!.viewId !== g.viewId)
        this.out.push({ type: 'view', group: g.name, view: this.groupView(g, before, value) });
    }
    this.safe.retain(new Set(this.groups.keys()));
    for (const [name, queue] of this.sendQueues) {
      if (this.groups.has(name)) continue;
      for (const q of queue.slice(this.admission.count(name))) {
        if (q.queryId !== undefined) this.queries.forget(q.queryId);
        this.out.push({ type: 'requestFailed', requestId: q.requestId, error: new NotAMemberError(name) });
      }
      this.sendQueues.delete(name);
      this.admission.forget(name);
    }
  }

  private groupView(
    g: ViewValue['groups'][number],
    before: ViewValue['groups'][number] | undefined,
    value: ViewValue,
  ): View {
    const prior = before?.members ?? [];
    const has = (list: readonly ProcessId[], p: ProcessId): boolean => list.some((m) => sameProcess(m, p));
    const joined = g.members.filter((m) => !has(prior, m));
    const departed = prior.filter((m) => !has(g.members, m));
    const failed = departed.filter((m) => has(value.failed, m));
    const left = departed.filter((m) => !has(value.failed, m));
    return new View(g.groupViewId, g.members, joined, left, failed, g.viewId);
  }

  private completeGroupRequests(): void {
    for (const [requestId, r] of this.groupRequests) {
      if (this.groups.has(r.group) === r.join) {
        this.groupRequests.delete(requestId);
        this.out.push({ type: 'requestDone', requestId });
      }
    }
  }

  // ---------------------------------------------------------------- multicast

  private onData(from: ProcessId, body: Body<'data'>): void {
    const first = body.records[0];
    if (first === undefined || !sameProcess(first.sender, from)) return;
    if (first.epoch > this.view!.id) return this.bufferFuture(from, body);
    if (first.epoch !== this.view!.id) return;
    const epoch = this.groups.get(first.group);
    if (epoch === undefined) return;
    epoch.receivePack(body.records, this.config);
  }

  private onGroupAck(from: ProcessId, body: Body<'groupAck'>): void {
    if (body.epoch > this.view!.id) return this.bufferFuture(from, body);
    if (body.epoch !== this.view!.id) return;
    const epoch = this.groups.get(body.group);
    if (!epoch) return;
    epoch.receiveAck(from, body.received);
    this.drain(body.group);
  }

  private onOrderRequest(from: ProcessId, body: Body<'orderRequest'>): void {
    if (body.epoch > this.view!.id) return this.bufferFuture(from, body);
    if (body.epoch === this.view!.id) this.groups.get(body.group)?.receiveOrderRequest(from, body.count);
  }

  /** Granted numbers let the queued total-order records go. */
  private onOrderGrant(from: ProcessId, body: Body<'orderGrant'>): void {
    const epoch = body.epoch === this.view!.id ? this.groups.get(body.group) : undefined;
    if (!epoch) return;
    epoch.receiveOrderGrant(from, body.first, body.count);
    this.drain(body.group);
  }

  /** Messages of a view not installed here yet wait for it, within byte bounds per sender and in total: a peer that
   *  announces a view that never comes cannot pin memory. What does not fit is dropped and counted. */
  private bufferFuture(from: ProcessId, body: FutureBody): void {
    const bytes = bodySizeBytes(body);
    const peerBytes = (this.futureBytesByPeer.get(from.address) ?? 0) + bytes;
    if (
      this.future.length >= this.config.linkBufferMessages ||
      peerBytes > this.config.futureBufferBytesPerPeer ||
      this.futureBytes + bytes > this.config.futureBufferBytes
    ) {
      this.counted.droppedBufferedMessages += 1;
      return;
    }
    this.future.push({ from, body });
    this.futureBytes += bytes;
    this.futureBytesByPeer.set(from.address, peerBytes);
  }

  private replayFuture(): void {
    const pending = this.future.splice(0, this.future.length);
    this.futureBytes = 0;
    this.futureBytesByPeer.clear();
    for (const m of pending) {
      if (this.role !== 'member') return;
      if (m.body.kind === 'data') this.onData(m.from, m.body);
      else if (m.body.kind === 'groupAck') this.onGroupAck(m.from, m.body);
      else this.onOrderRequest(m.from, m.body);
    }
  }

  private deliver(r: DataRecord, groupViewId: number): void {
    // A safe record has its place in the total order now; it is delivered once a quorum logged it.
    if (r.ordering === 'safe') return this.safe.ordered(r);
    if (r.queryId !== 0) this.owed.add(r.sender, r.queryId, r.group);
    this.emitDelivery(r, groupViewId);
  }

  private emitDelivery(r: DataRecord, groupViewId: number): void {
    this.out.push({
      type: 'deliver',
      group: r.group,
      viewId: groupViewId,
      sender: r.sender,
      ordering: r.ordering,
      payload: r.payload,
      queryId: r.queryId,
    });
  }

  private sendToMember(to: ProcessId, body: WireBody): void {
    if (!this.links.sendReliable(to, body, this.now, this.out)) this.reportSuspect(to);
  }

  /** Queues a multicast for the send window, or fails it; the caller drains the queue once for all it enqueued. */
  private enqueueMulticast(group: string, m: QueuedMulticast): void {
    const problem = this.checkMulticast(group, m.ordering, m.payload);
    if (problem) return this.fail(m.requestId, problem);
    let queue = this.sendQueues.get(group);
    if (queue === undefined) {
      queue = [];
      this.sendQueues.set(group, queue);
    }
    if (queue.length >= this.config.sendQueueMessages) {
      return this.fail(m.requestId, new SendQueueFullError(group, this.config.sendQueueMessages));
    }
    queue.push(m);
  }

  private checkMulticast(group: string, ordering: Ordering, payload: Uint8Array): VsyncError | null {
    if (this.role === 'gone') return new ShutdownError('no longer a member of the system');
    if (this.departing) return new ShutdownError('this process is leaving the system');
    if (ordering !== 'fifo' && ordering !== 'total' && ordering !== 'safe')
      return new RequestError(`ordering must be "fifo", "total" or "safe", got ${String(ordering)}`);
    if (!(payload instanceof Uint8Array)) return new RequestError('payload must be a Uint8Array');
    if (payload.length > this.config.maxPayloadBytes) {
      return new RequestError(
        `payload of ${payload.length} bytes exceeds maxPayloadBytes (${this.config.maxPayloadBytes})`,
      );
    }
    if (!this.groups.has(group)) return new NotAMemberError(String(group));
    return null;
  }

  /** Moves queued multicasts into the send window while it has room (flow control), then admits those that have
   *  room but wait for a group sequence number (SendAdmission): their requests are done, their room is held. */
  private drain(group: string): void {
    const queue = this.sendQueues.get(group);
    const epoch = this.groups.get(group);
    if (!queue || !epoch) return;
    const ignored = isPlanted('sendWindowIgnored');
    const window = ignored ? Infinity : this.config.sendWindowMessages;
    const windowBytes = ignored ? Infinity : this.config.sendWindowBytes;
    epoch.requestNumbers(totalRecordsAhead(queue, this.config.sendWindowMessages - epoch.inFlight));
    while (queue.length > 0 && !epoch.frozen) {
      const head = queue[0];
      // An admitted head holds its room already; the admitted ones are the head of the queue.
      const admitted = this.admission.count(group) > 0;
      if (!admitted && !epoch.hasRoomFor(head.payload.length, window, windowBytes)) break;
      // A total-order record leaves only with its group sequence number; FIFO records behind it wait with it.
      if (head.ordering !== 'fifo' && !epoch.canNumber) break;
      // Safe records wait here while too many of the group's are still short of their quorum.
      if (head.ordering === 'safe' && this.safe.waiting(group) >= this.config.safeWaitingMessages) break;
      queue.shift();
      epoch.send(head.ordering, head.payload, head.queryId ?? 0);
      if (admitted) {
        this.admission.left(group, head.payload.length);
        if (this.admission.count(group) === 0 && this.leavingGroup(group) && this.role === 'member')
          this.sendRequestsToLeader();
      }
      // A query's request is done when its answers are; it asked exactly the members of this epoch.
      else if (head.queryId !== undefined) {
        this.out.push({ type: 'querySent', requestId: head.queryId });
        this.endQueries(this.queries.sent(head.queryId, epoch.members));
      } else if (head.settled !== true) this.out.push({ type: 'requestDone', requestId: head.requestId });
    }
    if (!epoch.frozen && !this.leavingGroup(group)) this.admit(group, queue, epoch, window, windowBytes);
  }

  /** Whether this member asked to leave the group and has not left yet. */
  private leavingGroup(group: string): boolean {
    for (const r of this.groupRequests.values()) if (r.group === group && !r.join) return true;
    return false;
  }

  /** Admits queued plain multicasts (not queries, not safe) that have room in the window but cannot leave yet. */
  private admit(
    group: string,
    queue: readonly QueuedMulticast[],
    epoch: GroupEpoch,
    window: number,
    windowBytes: number,
  ): void {
    for (let i = this.admission.count(group); i < queue.length; i++) {
      const next = queue[i];
      if (next.queryId !== undefined || next.ordering === 'safe') return;
      const reserved = this.admission.count(group);
      const reservedBytes = this.admission.bytes(group);
      if (!epoch.hasRoomFor(next.payload.length, window, windowBytes, reserved, reservedBytes)) return;
      this.admission.admit(group, next.payload.length);
      if (next.settled !== true) this.out.push({ type: 'requestDone', requestId: next.requestId });
    }
  }

  // ---------------------------------------------------------------- queries and point-to-point

  private onQuery(input: QueryInput): void {
    const problem =
      checkQueryShape(input.want, input.timeoutMs, input.onTimeout, this.config.maxQueryTimeoutMs) ??
      ('to' in input.target
        ? this.checkP2p(input.group, input.target.to, input.payload)
        : this.checkMulticast(input.group, input.target.ordering, input.payload));
    if (problem) return this.fail(input.requestId, problem);
    if (this.queries.full || this.queries.has(input.requestId)) {
      const why = `more than maxPendingQueries (${this.config.maxPendingQueries}) queries pending`;
      return this.fail(input.requestId, new RequestError(why));
    }
    const { requestId: queryId, group, want, timeoutMs, onTimeout } = input;
    this.queries.add({ queryId, group, want, timeoutMs, onTimeout, nowMs: this.now });
    if ('to' in input.target) return this.sendP2p(group, input.target.to, queryId, input.payload);
    const ordering = isPlanted('orderedQueryUnordered') ? 'fifo' : input.target.ordering;
    this.enqueueMulticast(group, { requestId: queryId, ordering, payload: input.payload, queryId });
    this.drain(group);
  }

  private onP2pSend(group: string, to: ProcessId, requestId: number, payload: Uint8Array): void {
    const problem = this.checkP2p(group, to, payload);
    if (problem) return this.fail(requestId, problem);
    this.sendP2p(group, to, 0, payload);
    this.out.push({ type: 'requestDone', requestId });
  }

  /** A p2p message may come from any process of the system, member of the group or not (a GroupClient); its target
   *  must be a member of the group in the installed view. */
  private checkP2p(group: string, to: ProcessId, payload: Uint8Array): VsyncError | null {
    if (this.role === 'gone' || this.departing) return new ShutdownError('no longer a member of the system');
    if (this.role !== 'member')
      return new RequestError('this process is not in the system yet; await a join first');
    if (!(payload instanceof Uint8Array)) return new RequestError('payload must be a Uint8Array');
    if (payload.length > this.config.maxPayloadBytes)
      return new RequestError(
        `payload of ${payload.length} bytes exceeds maxPayloadBytes (${this.config.maxPayloadBytes})`,
      );
    const members = this.view!.groups.find((g) => g.name === group)?.members ?? [];
    if (!to || !members.some((m) => sameProcess(m, to)))
      return new RequestError(
        `the p2p target is not a member of group "${String(group)}" in view ${this.view!.id}`,
      );
    return null;
  }

  private sendP2p(group: string, to: ProcessId, queryId: number, payload: Uint8Array): void {
    const body: Body<'p2p'> = { kind: 'p2p', group, queryId, payload };
    if (this.isSelf(to)) this.onP2p(this.self, body);
    else this.sendToMember(to, body);
    if (queryId !== 0) this.endQueries(this.queries.sent(queryId, [to]));
  }

  /** Delivered on receipt (reliable, FIFO per link), in the group's current view; a member of the system that is not
   *  in the group answers a p2p query with an abort, so the querier learns at once. */
  private onP2p(from: ProcessId, body: Body<'p2p'>): void {
    if (!this.isMember(from)) return;
    const epoch = this.groups.get(body.group);
    if (epoch === undefined) {
      if (body.queryId === 0) return;
      const reason = new TextEncoder().encode(
        `${processKey(this.self)} is not a member of group "${body.group}"`,
      );
      return this.sendReply(from, body.group, body.queryId, 'abort', reason);
    }
    if (body.queryId !== 0) this.owed.add(from, body.queryId, body.group);
    const { group, queryId, payload } = body;
    const viewId = epoch.groupViewId;
    this.out.push({ type: 'deliver', group, viewId, sender: from, ordering: 'p2p', payload, queryId });
  }

  /** The application's answer to a delivered request: sent only if it is owed (once per delivery) and the querier is
   *  still in the system; anything else is ignored. */
  private onReplyInput(
    querier: ProcessId,
    queryId: number,
    outcome: ReplyOutcome,
    payload: Uint8Array,
  ): void {
    if (this.role !== 'member' || !(payload instanceof Uint8Array)) return;
    const group = this.owed.take(querier, queryId);
    if (group === undefined) return;
    if (payload.length > this.config.maxPayloadBytes) {
      // Too large for a frame: the querier learns why instead of timing out.
      const why = `a reply of ${payload.length} bytes exceeds maxPayloadBytes (${this.config.maxPayloadBytes})`;
      return this.sendReply(querier, group, queryId, 'abort', new TextEncoder().encode(why));
    }
    this.sendReply(querier, group, queryId, outcome, payload);
  }

  private sendReply(
    to: ProcessId,
    group: string,
    queryId: number,
    outcome: ReplyOutcome,
    payload: Uint8Array,
  ): void {
    if (this.isSelf(to)) return this.endQueries(this.queries.reply(to, queryId, outcome, payload));
    if (this.isMember(to)) this.sendToMember(to, { kind: 'queryReply', group, queryId, outcome, payload });
  }

  /** At every view: members that left a group stop being expected by its queries; debts to departed queriers go. */
  private retainQueries(value: ViewValue): void {
    this.owed.retain((p) => value.members.some((m) => sameProcess(m, p)));
    for (const group of this.queries.groups()) {
      const members = value.groups.find((g) => g.name === group)?.members ?? [];
      this.endQueries(this.queries.retain(group, members));
    }
  }

  private endQueries(ends: readonly QueryEnd[]): void {
    for (const end of ends) {
      if (end.kind === 'done') {
        const { queryId: requestId, replies, silent } = end;
        this.out.push({ type: 'queryDone', requestId, replies, silent });
      } else if (end.kind === 'failed') this.fail(end.queryId, end.error);
      else this.declareFailed(end.silent);
    }
  }

  /** onTimeout 'declareFailed': the silent members are reported to the membership service like any suspicion, so
   *  the next view removes them (a false suspicion ends in exclusion, and the member rejoins as a new incarnation). */
  private declareFailed(silent: readonly ProcessId[]): void {
    const suspects = silent.filter((s) => this.isMember(s) && !this.isSelf(s));
    if (suspects.length === 0) return;
    for (const s of suspects) this.reportSuspect(s);
    if (this.isLeader()) return this.leaderTick();
    this.links.sendUnreliable(this.leader(), { kind: 'suspect', viewId: this.view!.id, suspects }, this.out);
  }

  // ---------------------------------------------------------------- group join / leave requests

  private onGroupRequest(group: string, requestId: number, join: boolean): void {
    if (this.role === 'gone' || this.departing)
      return this.fail(requestId, new ShutdownError('no longer a member of the system'));
    if (typeof group !== 'string' || group.length === 0 || group.length > MAX_GROUP_NAME_CHARS) {
      return this.fail(
        requestId,
        new RequestError(`group name must be 1..${MAX_GROUP_NAME_CHARS} characters`),
      );
    }
    if (this.groupRequests.size >= this.config.maxPendingRequests) {
      return this.fail(
        requestId,
        new RequestError(
          `more than maxPendingRequests (${this.config.maxPendingRequests}) joins/leaves pending`,
        ),
      );
    }
    if (!join && !this.groups.has(group)) return this.fail(requestId, new NotAMemberError(group));
    if (join && !this.groups.has(group) && this.groups.size >= this.config.maxGroups) {
      return this.fail(requestId, new RequestError(`already in maxGroups (${this.config.maxGroups}) groups`));
    }
    if (this.groups.has(group) === join) return void this.out.push({ type: 'requestDone', requestId });
    this.groupRequests.set(requestId, { group, join });
    if (this.role === 'member') this.sendRequestsToLeader();
  }

  /** Resent until done: the leader may die with the request, and a successor must hear it again. */
  private sendRequestsToLeader(): void {
    this.lastRequestMs = this.now;
    const leader = this.leader();
    const changes = new Map<string, boolean>();
    for (const r of this.groupRequests.values()) changes.set(r.group, r.join);
    for (const [group, join] of changes) {
      // A member leaves only once its admitted multicasts are in the window: the leave's view change then delivers
      // them, as it does every multicast sent before it (drain asks again when the last one leaves).
      if (!join && this.admission.count(group) > 0) continue;
      this.requestGroupChange(group, join, leader);
    }
    const suspects = this.view!.members.filter((m) => !this.isSelf(m) && this.timedOut(m));
    for (const s of suspects) this.countSuspicion(s);
    if (suspects.length > 0 && !this.isSelf(leader)) {
      this.links.sendUnreliable(leader, { kind: 'suspect', viewId: this.view!.id, suspects }, this.out);
    }
  }

  // ---------------------------------------------------------------- secured groups (gms/group-admission.ts)

  /** A join to a secured group that has members goes as a proof to its oldest member, which sponsors it. */
  private requestGroupChange(group: string, join: boolean, leader: ProcessId): void {
    const keyed = join && this.guard.holdsKey(group);
    const running = this.view!.groups.find((g) => g.name === group && g.members.length > 0);
    if (keyed && running !== undefined && running.secured !== true)
      return this.failJoins(group, 'it runs open in this system, but this process holds a key for it');
    if (keyed && running !== undefined) {
      const proof = this.guard.proof(group, this.self);
      return this.links.sendUnreliable(running.members[0], { kind: 'groupProof', group, proof }, this.out);
    }
    const body: Body<'groupChange'> = {
      kind: 'groupChange',
      member: this.self,
      group,
      join,
      secured: keyed,
      sponsored: false,
    };
    if (!this.isSelf(leader)) return this.links.sendUnreliable(leader, body, this.out);
    if (groupChangeRefusal(body, this.self, this.view!.groups) !== null) return this.refuseJoin(body);
    this.pendingGroupChanges.set(`${processKey(this.self)}|${group}`, body);
  }

  /** A member of a secured group checks a joiner's proof with its own key and asks the leader on its behalf. */
  private onGroupProof(from: ProcessId, body: Body<'groupProof'>): void {
    const g = this.view!.groups.find((x) => x.name === body.group);
    if (g?.secured !== true || !g.members.some((m) => this.isSelf(m)) || !this.isMember(from)) return;
    if (g.members.some((m) => sameProcess(m, from))) return;
    if (!this.guard.verify(body.group, from, body.proof)) {
      this.counted.refusedMessages += 1;
      const refused: Body<'groupRefused'> = { kind: 'groupRefused', group: body.group, proof: true };
      return this.links.sendUnreliable(from, refused, this.out);
    }
    const sponsored: Body<'groupChange'> = {
      kind: 'groupChange',
      member: from,
      group: body.group,
      join: true,
      secured: true,
      sponsored: true,
    };
    if (!this.isLeader()) return this.links.sendUnreliable(this.leader(), sponsored, this.out);
    this.pendingGroupChanges.set(`${processKey(from)}|${body.group}`, sponsored);
    this.leaderTick();
  }

  private refuseJoin(change: GroupChange): void {
    this.counted.refusedMessages += 1;
    // A keyed leader refused only lost the founding of the group to another: its retry sends a proof instead.
    if (this.isSelf(change.member) && this.guard.holdsKey(change.group)) return;
    if (this.isSelf(change.member)) return this.failJoins(change.group, this.refusal(change.group));
    const refused: Body<'groupRefused'> = { kind: 'groupRefused', group: change.group, proof: false };
    if (this.isMember(change.member)) this.links.sendUnreliable(change.member, refused, this.out);
  }

  private refusal(group: string): string {
    return this.guard.holdsKey(group)
      ? "its members refused this process's proof (a different key)"
      : 'it is secured and this process holds no key for it';
  }

  /** A key holder takes only a refusal of its proof, from a member of the group that checked it. The leader's
   *  refusal of an unsponsored join means to a key holder only that it asked on an older view, before another founded
   *  the group (often the leader itself, a member of it): its retry sends a proof. A process without the key takes the
   *  leader's refusal, or one from a member of the group. */
  private onGroupRefused(from: ProcessId, body: Body<'groupRefused'>): void {
    const g = this.view!.groups.find((x) => x.name === body.group);
    const byMember = !!g && g.members.some((m) => sameProcess(m, from));
    const keyed = this.guard.holdsKey(body.group) && !isPlanted('keyedJoinTakesLeaderRefusal');
    if (keyed ? !body.proof || !byMember : !byMember && !sameProcess(from, this.leader())) return;
    this.failJoins(body.group, this.refusal(body.group));
  }

  private failJoins(group: string, why: string): void {
    for (const [requestId, r] of this.groupRequests) {
      if (r.group !== group || !r.join) continue;
      this.groupRequests.delete(requestId);
      this.fail(requestId, new GroupAccessError(group, why));
    }
  }

  private reportSuspect(p: ProcessId): void {
    if (!this.isMember(p) || this.isSelf(p)) return;
    this.reportedSuspects.add(processKey(p));
    this.countSuspicion(p);
  }

  private fail(requestId: number, error: VsyncError): void {
    this.out.push({ type: 'requestFailed', requestId, error });
  }

  // ---------------------------------------------------------------- metrics (read-only figures)

  /** Figures for monitoring since this core started; nothing in the protocol reads them. */
  metrics(): CoreMetrics {
    let sendQueueMessages = 0;
    for (const queue of this.sendQueues.values()) sendQueueMessages += queue.length;
    return {
      ...this.counted,
      droppedBufferedMessages: this.counted.droppedBufferedMessages + this.links.droppedOutOfOrderMessages,
      retransmittedMessages: this.links.retransmittedMessages,
      sendQueueMessages,
    };
  }

  private countSuspicion(p: ProcessId): void {
    const key = processKey(p);
    if (this.suspectedInView.has(key)) return;
    this.suspectedInView.add(key);
    this.counted.suspicions += 1;
  }

  private countViewChange(): void {
    this.counted.viewChanges += 1;
    if (this.flushStartedMs === undefined) return;
    this.counted.lastFlushMs = this.now - this.flushStartedMs;
    this.counted.flushMsTotal += this.counted.lastFlushMs;
  }

  // ---------------------------------------------------------------- helpers

  /** The oldest member this process does not suspect. Service members are the oldest, and while this process hears a
   *  majority of them (checkMajority) some of them are not timed out, so the leader is a service member unless
   *  suspicions reported by others ruled those out too; a learner that leads is still safe, as only service votes
   *  decide. */
  private leader(): ProcessId {
    // A graceful leaver leaves the lead to the next member, unless nobody else is left to take it.
    const leader =
      this.view!.members.find((m) => (this.isSelf(m) ? !this.departing : !this.isSuspected(m))) ?? this.self;
    assert(this.isMember(leader), 'a member always finds a leader, at worst itself');
    return leader;
  }

  private isLeader(): boolean {
    return this.isSelf(this.leader());
  }

  private isSuspected(p: ProcessId): boolean {
    const key = processKey(p);
    return this.reportedSuspects.has(key) || this.leaving.has(key) || this.timedOut(p);
  }

  /** Suspected for silence (here or reported by another member), as opposed to leaving gracefully. */
  private isSilent(p: ProcessId): boolean {
    return this.reportedSuspects.has(processKey(p)) || this.timedOut(p);
  }

  private timedOut(p: ProcessId): boolean {
    const heard = Math.max(
      this.links.lastHeardMs(p) ?? -Infinity,
      this.memberSinceMs.get(processKey(p)) ?? this.now,
    );
    return this.now - heard > this.config.failureTimeoutMs;
  }

  private isSelf(p: ProcessId): boolean {
    return sameProcess(p, this.self);
  }

  private isMember(p: ProcessId): boolean {
    return !!this.view && this.view.members.some((m) => sameProcess(m, p));
  }

  private others(): ProcessId[] {
    return this.view ? this.view.members.filter((m) => !this.isSelf(m)) : [];
  }
}

/** Service members a process must hear to stay in the primary partition: a strict majority (see serviceQuorum). */
function serviceQuorumOf(serviceMembers: number): number {
  return plantedQuorum(serviceMembers) ?? majorityOf(serviceMembers);
}

/** Total-order records among the first `room` queued multicasts: those the send window lets go next, which need
 *  their group sequence numbers. */
function totalRecordsAhead(queue: readonly QueuedMulticast[], room: number): number {
  let count = 0;
  const end = Math.min(queue.length, Math.max(room, 1));
  for (let i = 0; i < end; i++) if (queue[i].ordering !== 'fifo') count++;
  return count;
}
