import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  decodeMessage,
  encodeMessageParts,
  ProcessCore,
  type CoreInput,
  type BatchedMulticast,
  type CoreMetrics,
  EMPTY_CORE_METRICS,
  type CoreOutput,
  type Ordering,
  type ProcessId,
  type QueryReply,
  type QueryTarget,
  type QueryWant,
  type ReplyOutcome,
  type TimeoutAction,
  type VsyncError,
  type WireMessage,
  type ViewValue,
  type DataRecord,
  InvariantError,
  toLogEntry,
} from '../protocol';
import { TcpTransport, type OutgoingMessage } from '../transport';
import type { VsyncSecret } from '../security';
import { DuplicateGroupError } from './errors/duplicate-group-error';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { PayloadTooLargeError } from './errors/payload-too-large-error';
import { ProcessClosedError } from './errors/process-closed-error';
import { TooManyPendingRequestsError } from './errors/too-many-pending-requests-error';
import type { Delivery, GroupEndpoint } from './group-endpoint';
import { GroupSecurity } from './group-security';
import {
  resolveProcessOptions,
  type ResolvedProcessOptions,
  type VsyncProcessOptions,
} from './process-options';
import { notify } from './notify';
import type { RuntimeStats } from './runtime-stats';
import { toSystemView, type SystemView } from './system-view';
import { SafeLogFile } from './safe-log/safe-log-file';
import { PendingMulticasts } from './pending-multicasts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RequestInput = Extract<CoreInput, { requestId: number }>;
interface PendingRequest {
  readonly type: RequestInput['type'];
  readonly group: string;
  /** Called with the answers for a query, with nothing for every other request. */
  resolve(replies?: readonly QueryReply[]): void;
  reject(error: Error): void;
}
/** Multicasts to one group issued in the same event-loop turn, fed to the core as one input at its end. */
interface MulticastBatch {
  readonly group: string;
  readonly multicasts: BatchedMulticast[];
  /** Whether every multicast of the batch so far was settled at once (the core admits it when fed). */
  atOnce: boolean;
  /** Payload bytes of the batch so far. */
  bytes: number;
}

/** What a multicast settled at once returns: resolved already, shared by all of them. */
const SETTLED: Promise<void> = Promise.resolve();

/** Inputs fed while the core's outputs are being carried out (e.g. a handler that sends) wait at most this deep. */
const MAX_REENTRANT_INPUTS = 1_000_000;

/**
 * The runtime shell of one vsync process: it owns a ProcessCore, a TCP transport and the tick timer, feeds the core
 * its inputs one at a time and carries out its outputs in order. Every protocol rule lives in the core; this class
 * only moves bytes, keeps time and hands deliveries and views to the groups attached to it. Several groups share
 * one process: one membership service connection, one failure detector, one set of sockets.
 */
export class VsyncProcess {
  private readonly options: ResolvedProcessOptions;
  private secretInUse: VsyncSecret | undefined;
  private readonly transport: TcpTransport;
  /** Keys of the secured groups: payloads sealed and opened here, join proofs for the core. */
  private readonly security = new GroupSecurity();
  private readonly groups = new Map<string, GroupEndpoint>();
  private readonly joined = new Set<string>();
  /** Groups an exclusion took this process out of and whose re-join has not completed yet. */
  private readonly rejoining = new Set<string>();
  private readonly pending = new Map<number, PendingRequest>();
  /** Multicasts waiting for the core to take them into the send window (the hot path keeps them out of `pending`). */
  private readonly multicasts = new PendingMulticasts();
  /** Logged safeSend: one log per group, opened before the group is joined. */
  private readonly safeLogs = new Map<string, SafeLogFile>();
  /** Per group: safe records delivered here since the log was opened, and log records a checkpoint dropped. */
  private readonly safeDelivered = new Map<string, number>();
  private readonly safeTruncated = new Map<string, number>();
  private readonly inputs: CoreInput[] = [];
  private batch: MulticastBatch | undefined;
  private readonly feedBatchSoon = (): void => this.feedBatch();
  private readonly errorListeners: Array<(error: Error) => void> = [];
  private readonly systemViewListeners: Array<(view: SystemView) => void> = [];
  private lastSystemView: SystemView | undefined;
  private core: ProcessCore | undefined;
  private identity: ProcessId | undefined;
  private seeds: readonly string[] = [];
  private starting: Promise<void> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private draining = false;
  private state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  /** Numbers requests; a multicast settled at once takes its number negated, so a failure of it is told apart. */
  private nextRequestId = 1;
  /** Multicasts issued before the process ran, still waiting for start() to settle. */
  private waitingForStart = 0;
  private counters = { deliveries: 0, views: 0, decodeFailures: 0, sendFailures: 0, exclusions: 0 };
  /** Core figures of the incarnations this process ran before the current one, so totals survive a rejoin. */
  private pastCores: CoreMetrics = EMPTY_CORE_METRICS;

  constructor(options: VsyncProcessOptions = {}) {
    this.options = resolveProcessOptions(options);
    this.transport = new TcpTransport(this.options.transport, (from, bytes) => this.onBytes(from, bytes));
  }

  /** Largest encoded payload a multicast may carry. */
  get maxPayloadBytes(): number {
    return this.options.core.maxPayloadBytes!;
  }

  /** This process's identity (advertised address and current incarnation); available after start(). */
  get self(): ProcessId {
    if (this.identity === undefined) throw new ProcessClosedError('read the identity before start()');
    return this.identity;
  }

  /** Binds the socket and starts the core; safe to call more than once. */
  start(): Promise<void> {
    this.starting ??= this.boot();
    return this.starting;
  }

  /** Registers the endpoint of a group; one endpoint per group name. */
  attach(group: string, endpoint: GroupEndpoint): void {
    if (this.groups.has(group)) throw new DuplicateGroupError(group);
    this.groups.set(group, endpoint);
  }

  detach(group: string, endpoint: GroupEndpoint): void {
    if (this.groups.get(group) === endpoint) this.groups.delete(group);
  }

  /** The latest installed system view (every process and every group's members), or undefined before joining. */
  get systemView(): SystemView | undefined {
    return this.lastSystemView;
  }

  /** Calls `listener` with every system view this process installs: who is alive and in which group. */
  onSystemView(listener: (view: SystemView) => void): void {
    this.systemViewListeners.push(listener);
  }

  /** Secures every link of this process with the system's shared secret, as the `secret` option does (Isis2's
   *  SetSecure); call it before start() or the first join, with the same secret on every process of the system. */
  setSecure(secret: VsyncSecret): void {
    if (this.state !== 'new' || this.starting !== undefined)
      throw new VsyncOptionsError('secret', 'setSecure must be called before the process starts');
    this.transport.useSecret(secret);
    this.secretInUse = secret;
  }

  /** The system secret this process's links are keyed with, if any; state transfer derives its own key from it. */
  get systemSecret(): VsyncSecret | undefined {
    return this.secretInUse ?? this.options.transport.secret;
  }

  /** Secures one group with its own secret (Group.setSecure): its payloads are sealed with a key derived from it, and
   *  the group is joined only with proof of it. Call it before this process joins or calls the group. */
  secureGroup(group: string, secret: VsyncSecret): void {
    if (this.joined.has(group) || this.rejoining.has(group))
      throw new VsyncOptionsError('groupSecret', `secure group "${group}" before joining it`);
    this.security.secure(group, secret);
  }

  /** The secret of a secured group, if this process holds one; its state transfer is keyed with it. */
  groupSecret(group: string): VsyncSecret | undefined {
    return this.security.secretOf(group);
  }

  /** Listens for process-wide errors, such as exclusion from the system after a minority partition. */
  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  async join(group: string): Promise<void> {
    await this.start();
    const dir = this.options.safeLogDir;
    if (dir !== undefined && !this.safeLogs.has(group))
      this.safeLogs.set(
        group,
        await SafeLogFile.open(SafeLogFile.pathOf(dir, group), this.options.maxSafeLogBytes),
      );
    return this.request({ type: 'join', group });
  }

  /** Checkpoint of a group's safeSend log: drops every record delivered here (those it held at open and those
   *  delivered since), keeping the ones still waiting for their quorum. Call it once the application's own state
   *  covers what it delivered: a later whole-group recovery replays only what followed. */
  async truncateSafeLog(group: string): Promise<void> {
    const log = this.safeLogs.get(group);
    if (log === undefined) return;
    const delivered = log.recovered.length + (this.safeDelivered.get(group) ?? 0);
    await log.dropFirst(delivered - (this.safeTruncated.get(group) ?? 0));
    this.safeTruncated.set(group, delivered);
  }

  /** A payload as the group's handlers see it: opened with the group's key when the group is secured (a logged
   *  safe record keeps the sealed bytes that travelled); undefined if it is not authentic. */
  openPayload(group: string, sender: ProcessId, payload: Uint8Array): Uint8Array | undefined {
    return this.security.open(group, sender, payload);
  }

  /** The group's safeSend log (logged mode, after join), holding what it recovered at open. */
  safeLog(group: string): SafeLogFile | undefined {
    return this.safeLogs.get(group);
  }

  /** Leaves one group; the process stays in the system and in its other groups. */
  leave(group: string): Promise<void> {
    return this.request({ type: 'leave', group });
  }

  /** Resolves once every message of the group this process sent or delivered so far is stable: received by every
   *  member (or delivered at every survivor by a view change). */
  flush(group: string): Promise<void> {
    return this.request({ type: 'flush', group });
  }

  /** Resolves once the core accepted the message into its send window (flow control), not when it is delivered. */
  multicast(group: string, ordering: Ordering, payload: Uint8Array): Promise<void> {
    const refused = this.tooLarge(group, payload);
    if (refused !== undefined) return Promise.reject(refused);
    // Once running, the request goes straight to the core: the hot path then costs one promise, not three. Not
    // while earlier multicasts still wait for start(): overtaking them would break the caller's FIFO order.
    if (this.state === 'running' && this.waitingForStart === 0)
      return this.requestMulticast(group, ordering, payload);
    this.waitingForStart += 1;
    const done = (): void => void (this.waitingForStart -= 1);
    return this.start().then(
      () => (done(), this.requestMulticast(group, ordering, payload)),
      (error: Error) => (done(), Promise.reject(error)),
    );
  }

  /** Asks `target` (every member of the group through a multicast, or one member p2p) and resolves with the counted
   *  answers, in the order the members were asked; see Group.query for the meaning of want and onTimeout. */
  query(
    group: string,
    target: QueryTarget,
    payload: Uint8Array,
    want: QueryWant,
    timeoutMs: number,
    onTimeout: TimeoutAction,
  ): Promise<readonly QueryReply[]> {
    const refused = this.tooLarge(group, payload);
    if (refused !== undefined) return Promise.reject(refused);
    return this.start().then(async () => {
      const sealed = this.security.seal(group, this.self, payload);
      const input = { type: 'query' as const, group, target, payload: sealed, want, timeoutMs, onTimeout };
      const replies = await this.submit<readonly QueryReply[]>(this.stamp(input));
      return replies.map((r) => this.openReply(group, r));
    });
  }

  /** Sends one message to one member of a group (this process need not be a member); resolves once it is handed to
   *  the reliable link to that member. */
  p2pSend(group: string, to: ProcessId, payload: Uint8Array): Promise<void> {
    const refused = this.tooLarge(group, payload);
    if (refused !== undefined) return Promise.reject(refused);
    return this.start().then(() => {
      const sealed = this.security.seal(group, this.self, payload);
      return this.submit<void>(this.stamp({ type: 'p2pSend', group, to, payload: sealed }));
    });
  }

  /** A payload beyond maxPayloadBytes once sealed (a secured group's payloads carry GROUP_SEAL_OVERHEAD_BYTES more). */
  private tooLarge(group: string, payload: Uint8Array): PayloadTooLargeError | undefined {
    const limit = this.maxPayloadBytes - this.security.overheadBytes(group);
    return payload.length > limit ? new PayloadTooLargeError(payload.length, limit) : undefined;
  }

  /** A value reply of a secured group is opened; one that is not authentic counts as a null reply (and is counted). */
  private openReply(group: string, reply: QueryReply): QueryReply {
    if (reply.outcome !== 'value') return reply;
    const payload = this.security.open(group, reply.from, reply.payload);
    if (payload === reply.payload) return reply;
    return payload === undefined
      ? { from: reply.from, outcome: 'null', payload: new Uint8Array(0) }
      : { ...reply, payload };
  }

  /** Answers a delivered query request (a Delivery with queryId > 0); only the first answer per delivery is sent.
   *  A value reply in a secured `group` is sealed; abort reasons travel as they are. */
  reply(
    querier: ProcessId,
    queryId: number,
    outcome: ReplyOutcome,
    payload: Uint8Array,
    group?: string,
  ): void {
    if (this.state !== 'running') return;
    const sealed =
      outcome === 'value' && group !== undefined ? this.security.seal(group, this.self, payload) : payload;
    this.feed({ type: 'reply', querier, queryId, outcome, payload: sealed, nowMs: now() });
  }

  /** Leaves the system gracefully (this process takes part in the view change that removes it, so its departure
   *  costs the others no vote), lets the last messages drain, then closes sockets and timers. */
  async shutdown(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (this.state === 'running') {
      this.state = 'closing';
      this.feed({ type: 'shutdown', nowMs: now() });
      await this.departed();
      await new Promise((resolve) => setTimeout(resolve, this.options.shutdownLingerMs));
    }
    this.state = 'closed';
    clearInterval(this.ticker);
    await Promise.all([...this.safeLogs.values()].map((log) => log.close()));
    this.rejectAll(new ProcessClosedError('complete the request'));
    await this.transport.close();
  }

  /** Resolves once the core left the system: the view without it was decided, or its leaveTimeoutMs ran out. */
  private departed(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.core === undefined || this.core.state === 'gone') resolve();
        else setTimeout(check, this.core.config.tickIntervalMs);
      };
      check();
    });
  }

  stats(): RuntimeStats {
    return {
      ...this.counters,
      faults: { ...(this.options.faults?.counts ?? { dropped: 0, duplicated: 0, delayed: 0 }) },
      incarnation: this.identity?.incarnation ?? 0,
      transport: this.transport.stats(),
      core: this.coreMetrics(),
      groupSecurity: this.security.stats(),
    };
  }

  /** Cumulative core figures over every incarnation; the queue depth and last flush are the current core's. */
  private coreMetrics(): CoreMetrics {
    const current = this.core?.metrics() ?? EMPTY_CORE_METRICS;
    const past = this.pastCores;
    return {
      suspicions: past.suspicions + current.suspicions,
      retransmittedMessages: past.retransmittedMessages + current.retransmittedMessages,
      viewChanges: past.viewChanges + current.viewChanges,
      flushMsTotal: past.flushMsTotal + current.flushMsTotal,
      lastFlushMs: current.viewChanges > 0 ? current.lastFlushMs : past.lastFlushMs,
      sendQueueMessages: current.sendQueueMessages,
      refusedMessages: past.refusedMessages + current.refusedMessages,
      droppedBufferedMessages: past.droppedBufferedMessages + current.droppedBufferedMessages,
    };
  }

  private async boot(): Promise<void> {
    if (this.state !== 'new') throw new ProcessClosedError('start');
    const address = await this.transport.start();
    this.seeds = this.options.seeds ?? [address];
    this.state = 'running';
    this.startCore(this.options.incarnation, this.options.founder);
    const tickIntervalMs = this.core!.config.tickIntervalMs;
    this.ticker = setInterval(() => this.feed({ type: 'tick', nowMs: now() }), tickIntervalMs);
  }

  private startCore(incarnation: number, founder: boolean | undefined): void {
    const address = this.transport.address;
    // An excluded identity never returns: each new core runs a strictly higher incarnation.
    assert.ok(incarnation > (this.identity?.incarnation ?? 0), 'incarnation must grow');
    this.identity = { address, incarnation };
    if (this.core !== undefined) this.pastCores = this.coreMetrics();
    // Left unset, the core decides: the first seed founds only if no other seed answers for a running system.
    const safeSendLogged = this.options.safeLogDir !== undefined;
    const config = { ...this.options.core, safeSendLogged, self: this.identity, seeds: this.seeds, founder };
    this.core = new ProcessCore(config, this.security);
    this.feed({ type: 'start', nowMs: now() });
  }

  private request(input: DistributiveOmit<RequestInput, 'requestId' | 'nowMs'>): Promise<void> {
    return this.submit<void>(this.stamp(input));
  }

  private stamp(input: DistributiveOmit<RequestInput, 'requestId' | 'nowMs'>): RequestInput {
    return { ...input, requestId: this.nextRequestId++, nowMs: now() } as RequestInput;
  }

  /** The hot path. Multicasts issued in one event-loop turn are fed to the core together at its end (a microtask),
   *  so they leave as one packed data message per member; any other input feeds the batch first, keeping order.
   *  A multicast the core will take into its window when the batch is fed (admitsAtOnce: no backlog, room for the
   *  whole batch so far) is settled at once, with a promise shared by all such sends: no promise, settlers or
   *  lookup of its own. Nothing can come between: the batch is fed before any other input, and nothing else runs
   *  first, the feeding microtask having been queued before the caller can await. */
  private requestMulticast(group: string, ordering: Ordering, payload: Uint8Array): Promise<void> {
    const refused = this.refusal('multicast', group);
    if (refused !== undefined) return Promise.reject(refused);
    if (this.batch !== undefined && this.batch.group !== group) this.feedBatch();
    if (this.batch === undefined) {
      this.batch = { group, multicasts: [], atOnce: true, bytes: 0 };
      queueMicrotask(this.feedBatchSoon);
    }
    const batch = this.batch;
    const sealed = this.security.seal(group, this.self, payload);
    batch.atOnce &&= this.core!.admitsAtOnce(
      group,
      ordering,
      sealed.length,
      batch.multicasts.length,
      batch.bytes,
    );
    batch.bytes += sealed.length;
    if (batch.atOnce) {
      batch.multicasts.push({ requestId: -this.nextRequestId++, ordering, payload: sealed, settled: true });
      return SETTLED;
    }
    const requestId = this.nextRequestId++;
    return new Promise<void>((resolve, reject) => {
      this.multicasts.add(requestId, resolve, reject);
      batch.multicasts.push({ requestId, ordering, payload: sealed });
    });
  }

  private feedBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    this.feed({ type: 'multicastBatch', group: batch.group, multicasts: batch.multicasts, nowMs: now() });
  }

  private submit<T>(full: RequestInput): Promise<T> {
    const refused = this.refusal(full.type, full.group);
    if (refused !== undefined) return Promise.reject(refused);
    return new Promise<T>((resolve, reject) => {
      const settle = resolve as (replies?: readonly QueryReply[]) => void;
      this.pending.set(full.requestId, { type: full.type, group: full.group, resolve: settle, reject });
      this.feed(full);
    });
  }

  private refusal(type: string, group: string): Error | undefined {
    if (this.state !== 'running') return new ProcessClosedError(`${type} in group '${group}'`);
    if (this.pending.size + this.multicasts.size >= this.options.maxPendingRequests)
      return new TooManyPendingRequestsError(this.options.maxPendingRequests);
    return undefined;
  }

  /** Returns false for bytes that do not decode and 'wrongSender' for a message naming a sender other than the peer
   *  its connection was bound to at the handshake: the transport then closes that connection and counts it. */
  private onBytes(fromAddress: string, bytes: Uint8Array): boolean | 'wrongSender' {
    let message: WireMessage;
    try {
      message = decodeMessage(bytes);
    } catch {
      // Undecodable bytes from a peer are its problem, never ours: count and drop (the core sees nothing).
      this.counters.decodeFailures += 1;
      return false;
    }
    if (message.from.address !== fromAddress) return 'wrongSender';
    this.feed({ type: 'receive', fromAddress, message, nowMs: now() });
    return true;
  }

  /** Steps the core with one input at a time; inputs arriving while outputs are carried out wait their turn. */
  private feed(input: CoreInput): void {
    if (this.batch !== undefined && input.type !== 'multicastBatch') this.feedBatch();
    if (this.state === 'closed' || this.core === undefined) return;
    if (this.inputs.length >= MAX_REENTRANT_INPUTS)
      throw new Error('vsync runtime input queue overflow: a handler is feeding inputs in a loop');
    this.inputs.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.inputs.shift(); next !== undefined; next = this.inputs.shift()) {
        for (const output of this.core.step(next)) this.perform(output);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Reports an installed system view to its observers. It is current from here on: deliveries before this output
   *  belonged to the previous view, deliveries after it to this one, at every member alike. */
  private observeSystemView(value: ViewValue): void {
    const view = toSystemView(value);
    this.lastSystemView = view;
    for (const listener of this.systemViewListeners) {
      try {
        listener(view);
      } catch (error) {
        this.report(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private perform(output: CoreOutput): void {
    switch (output.type) {
      case 'send':
        return this.send(output.toAddress, output.message);
      case 'deliver':
        return this.deliver(output);
      case 'systemView':
        return this.observeSystemView(output.view);
      case 'view':
        this.counters.views += 1;
        return this.groups.get(output.group)?.installView(output.view);
      case 'requestDone':
        return this.settle(output.requestId, undefined);
      case 'querySent':
        return;
      case 'queryDone':
        return this.settle(output.requestId, undefined, output.replies);
      case 'requestFailed':
        return this.settle(output.requestId, output.error);
      case 'persist':
        return this.persist(output.group, output.token, output.records);
      case 'disconnect':
        return this.transport.disconnect(output.address);
      case 'excluded':
        return this.onExcluded(output.error);
    }
  }

  private deliver(delivery: Delivery): void {
    const payload = this.security.open(delivery.group, delivery.sender, delivery.payload);
    if (payload === undefined) {
      // Not authentic (counted): never delivered; a query request is answered with an abort so nothing is owed.
      if (delivery.queryId === 0) return;
      const reason = new TextEncoder().encode(`not sealed with the key of group "${delivery.group}"`);
      return this.reply(delivery.sender, delivery.queryId, 'abort', reason);
    }
    this.counters.deliveries += 1;
    if (delivery.ordering === 'safe')
      this.safeDelivered.set(delivery.group, (this.safeDelivered.get(delivery.group) ?? 0) + 1);
    const endpoint = this.groups.get(delivery.group);
    endpoint?.deliver(payload === delivery.payload ? delivery : { ...delivery, payload });
  }

  /** Appends safe records to the group's log; the core hears `persisted` once they are on disk, and only the core
   *  that asked (a rejoined incarnation counts its tokens afresh). A failed append is reported and never
   *  acknowledged: this member stops accepting, it never claims a record its log lacks. */
  private persist(group: string, token: number, records: readonly DataRecord[]): void {
    const log = this.safeLogs.get(group);
    const core = this.core;
    if (log === undefined) return this.report(new Error(`safe records of '${group}' but no log open for it`));
    log.append(records.map(toLogEntry)).then(
      () => this.core === core && this.feed({ type: 'persisted', token, nowMs: now() }),
      (error: Error) => this.groups.get(group)?.fail(error),
    );
  }

  private send(toAddress: string, message: WireMessage): void {
    const bytes = encodeMessageParts(message);
    if (this.options.faults === undefined) return this.transmit(toAddress, bytes);
    this.options.faults.apply(toAddress, () => this.state !== 'closed' && this.transmit(toAddress, bytes));
  }

  private transmit(toAddress: string, bytes: OutgoingMessage): void {
    try {
      if (!this.transport.send(toAddress, bytes)) this.counters.sendFailures += 1;
    } catch (error) {
      // A message the transport cannot carry is lost like any other; the core retransmits or suspects the peer.
      this.counters.sendFailures += 1;
      this.report(error as Error);
    }
  }

  private settle(requestId: number, error: VsyncError | undefined, replies?: readonly QueryReply[]): void {
    // A multicast settled at once was admitted when its batch was fed (admitsAtOnce), so only a failure comes back
    // for it: that breaks the promise it was given, and is reported rather than lost.
    if (requestId < 0) {
      if (error !== undefined)
        this.report(new InvariantError(`a multicast settled at once then failed: ${error.message}`));
      return;
    }
    if (this.multicasts.settle(requestId, error)) return;
    const request = this.pending.get(requestId);
    if (request === undefined) return;
    this.pending.delete(requestId);
    if (error !== undefined) return request.reject(error);
    if (request.type === 'join') this.joined.add(request.group);
    if (request.type === 'leave') this.joined.delete(request.group);
    this.rejoining.delete(request.group);
    request.resolve(replies);
  }

  /** The core says this incarnation is out: tell the application, then rejoin as a new incarnation if configured. */
  private onExcluded(error: VsyncError): void {
    this.counters.exclusions += 1;
    const rejoining = this.options.rejoinOnExclusion && this.state === 'running';
    // Before the refusals: a group loading its state learns that it loads again, not that the load failed.
    for (const endpoint of this.groups.values()) endpoint.excluded?.(rejoining);
    this.rejectAll(error);
    this.report(error);
    if (!rejoining) return;
    // An incarnation excluded again before its re-joins completed must not forget those groups (seen with a
    // flapping link): they are re-joined along with the ones it had joined.
    const groups = [...new Set([...this.joined, ...this.rejoining])];
    this.joined.clear();
    for (const group of groups) this.rejoining.add(group);
    this.startCore(this.self.incarnation + 1, false);
    for (const group of groups) {
      this.request({ type: 'join', group }).catch((failure: Error) => this.groups.get(group)?.fail(failure));
    }
  }

  private rejectAll(error: Error): void {
    // Multicasts still waiting for the end of the turn are refused with the rest, never sent later.
    this.batch = undefined;
    const requests = [...this.pending.values()];
    this.pending.clear();
    this.multicasts.rejectAll(error);
    for (const request of requests) request.reject(error);
  }

  /** Process-wide errors go to the process's listeners and to every group's onError; with no listener anywhere,
   *  to a process warning (notify), so no error is ever silent. */
  private report(error: Error): void {
    if (this.errorListeners.length > 0 || this.groups.size === 0) notify(this.errorListeners, error);
    for (const endpoint of this.groups.values()) endpoint.fail(error);
  }
}

/** The core's clock: monotonic milliseconds, immune to wall-clock steps. */
function now(): number {
  return Math.floor(performance.now());
}
