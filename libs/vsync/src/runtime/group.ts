import type { DeliveryOrdering, Ordering, ProcessId, QueryWant, View } from '../protocol';
import { HandlerError } from './errors/handler-error';
import { UndecodablePayloadError } from './errors/undecodable-payload-error';
import { UnknownHandlerError } from './errors/unknown-handler-error';
import { NotAMemberError } from '../protocol';
import { VsyncOptionsError } from './errors/vsync-options-error';
import {
  callPlainGroupCall,
  decodeGroupCall,
  encodeGroupCall,
  MAX_HANDLER_ID,
  plainCallHandlerId,
} from './group-payload';
import type { Delivery, GroupEndpoint } from './group-endpoint';
import type { VsyncProcessOptions } from './process-options';
import type { VsyncSecret } from '../security';
import { notify } from './notify';
import { CLIENT_RELAY_HANDLER_ID, serveClientCall } from './group-client';
import { CLIENT_SEQUENCED_HANDLER_ID, ClientSequences } from './group-client-sequences';
import { RELAY_LOG_HANDLER_ID, resolveRelayBounds, SubscriberRelay } from './group-client-relay';
import type { RelayBounds } from './group-client-relay-log';
import type { PollAnswer } from './group-client-relay-wire';
import { answerWith, ask, askGroup, encodeCall, QueryAnswer, replyValues } from './query-call';
import { VsyncProcess } from './vsync-process';
import { GroupStateTransfer, STATE_CONTROL_HANDLER_ID } from './state-transfer/group-state-transfer';
import type { CheckpointFile } from './state-transfer/checkpoint-files';
import { StateTransferError } from './state-transfer/state-transfer-error';
import type { StateTransferOptions } from './state-transfer/state-transfer-options';
import { SAFE_RECOVERY_HANDLER_ID, SafeRecovery, type SafeRecoveryOptions } from './safe-log/safe-recovery';
import { SafeRecoveryError } from './safe-log/safe-recovery-error';

/** A Group either shares a process runtime with other groups or gets one of its own from these options;
 *  `groupSecret` secures the group as setSecure does; `relay` bounds what this member relays to subscribed
 *  GroupClients (RelayBounds). */
export type GroupOptions = VsyncProcessOptions & {
  readonly process?: VsyncProcess;
  readonly groupSecret?: VsyncSecret;
  readonly relay?: Partial<RelayBounds>;
};
// Handlers receive whatever arguments the sender passed; their types are the application's contract.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => unknown;

/** How a handler receives its arguments. */
export interface HandlerOptions {
  /**
   * Byte arguments (Uint8Array) arrive as views into the received message instead of copies, one copy fewer for each
   * large argument. The handler must not change them: until the message is stable the same bytes may be sent again
   * to other members. A view kept after the call keeps the whole received message in memory. Default false.
   */
  readonly bytesAsViews?: boolean;
}

/** Who sent the message being delivered, in which view and with which ordering; set only inside a handler call. */
export interface DeliveryContext {
  readonly sender: ProcessId;
  readonly viewId: number;
  /** 'p2p' for a p2pSend or p2pQuery. */
  readonly ordering: DeliveryOrdering;
}

const MAX_GROUP_NAME_LENGTH = 255;

/**
 * A process group, used like the Isis2 Group: register handlers and a view callback, join, then send (FIFO per
 * sender) or orderedSend (one total order). Every member delivers the same messages in the same view, and sees a
 * new view only after all messages of the previous one.
 */
export class Group implements GroupEndpoint {
  readonly process: VsyncProcess;
  private readonly ownsProcess: boolean;
  private readonly handlers = new Map<number, Handler>();
  /** The handlers registered with bytesAsViews. */
  private readonly viewHandlers = new Set<number>();
  private readonly takesViews = (handlerId: number): boolean => this.viewHandlers.has(handlerId);
  private readonly clientSequences = new ClientSequences();
  private readonly viewListeners: Array<(view: View) => void> = [];
  private readonly errorListeners: Array<(error: Error) => void> = [];
  private currentView: View | undefined;
  /** The delivery whose handler runs, and its context once asked for (see beginDelivery). */
  private delivering: Delivery | undefined;
  private context: DeliveryContext | undefined;
  /** The reply owed for the query request being delivered; set only inside its handler call. */
  private answer: QueryAnswer | undefined;
  private closed = false;
  /** Join with state transfer and checkpoint files, once stateTransfer() enabled them. */
  private transfer: GroupStateTransfer | undefined;
  /** Replay of the safeSend logs at join, once recoverSafeSends() enabled it. */
  private recovery: SafeRecovery | undefined;
  /** This member's deliveries relayed to the GroupClients subscribed through it. */
  private readonly relay: SubscriberRelay;

  constructor(
    readonly name: string,
    options: GroupOptions = {},
  ) {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_GROUP_NAME_LENGTH) {
      throw new VsyncOptionsError(
        'name',
        `a group name must be a string of 1..${MAX_GROUP_NAME_LENGTH} characters`,
      );
    }
    const { process: shared, groupSecret, relay, ...own } = options ?? {};
    if (shared !== undefined && Object.values(own).some((value) => value !== undefined)) {
      throw new VsyncOptionsError(
        'process',
        'pass either a shared VsyncProcess or options for a process of its own, not both',
      );
    }
    if (shared !== undefined && !(shared instanceof VsyncProcess))
      throw new VsyncOptionsError('process', 'must be a VsyncProcess');
    this.ownsProcess = shared === undefined;
    this.process = shared ?? new VsyncProcess(own);
    this.relay = new SubscriberRelay(resolveRelayBounds(relay, this.process.maxPayloadBytes), () =>
      this.announceRelay(),
    );
    this.process.attach(name, this);
    if (groupSecret !== undefined) this.setSecure(groupSecret);
  }

  /** Secures this group with a secret of its own (Isis2's g.SetSecure), the same at every member; call it before
   *  join(). Every payload is then sealed (AES-256-GCM, a key per sender derived from the secret with HKDF, replays
   *  refused), a process joins only by proving it holds the secret, and state transfer is keyed with it. */
  setSecure(secret: VsyncSecret): this {
    if (this.currentView !== undefined)
      throw new VsyncOptionsError('groupSecret', `secure group "${this.name}" before join()`);
    this.process.secureGroup(this.name, secret);
    return this;
  }

  /** The latest installed view, or undefined before join() completes. */
  get view(): View | undefined {
    return this.currentView;
  }

  /** Sender, view and ordering of the message being delivered; undefined outside a handler. */
  get delivery(): DeliveryContext | undefined {
    const d = this.delivering;
    if (this.context === undefined && d !== undefined)
      this.context = { sender: d.sender, viewId: d.viewId, ordering: d.ordering };
    return this.context;
  }

  /** A handler is about to run for `delivery`: its context is made only if the handler asks for it (most never
   *  do, and an object per delivery was a twentieth of what a receiver allocated). */
  private beginDelivery(delivery: Delivery): void {
    this.delivering = delivery;
    this.context = undefined;
  }

  private endDelivery(): void {
    this.delivering = undefined;
    this.context = undefined;
  }

  onView(listener: (view: View) => void): this {
    if (typeof listener !== 'function') throw new VsyncOptionsError('onView', 'expects a function');
    this.viewListeners.push(listener);
    return this;
  }

  /** Errors of this group: handler failures, unknown handlers, exclusion (MinorityPartitionError) with what to do. */
  onError(listener: (error: Error) => void): this {
    if (typeof listener !== 'function') throw new VsyncOptionsError('onError', 'expects a function');
    this.errorListeners.push(listener);
    return this;
  }

  /** Registers the handler called for messages sent with this id; register the same ids on every member before join(). */
  handle(handlerId: number, handler: Handler, options: HandlerOptions = {}): this {
    if (!Number.isInteger(handlerId) || handlerId < 0 || handlerId > MAX_HANDLER_ID)
      throw new VsyncOptionsError('handlerId', `${handlerId} is not an integer in 0..${MAX_HANDLER_ID}`);
    if (typeof handler !== 'function')
      throw new VsyncOptionsError('handler', `handler ${handlerId} must be a function`);
    if (handlerId === STATE_CONTROL_HANDLER_ID)
      throw new VsyncOptionsError('handlerId', `${handlerId} is reserved for state transfer`);
    if (
      handlerId === CLIENT_RELAY_HANDLER_ID ||
      handlerId === CLIENT_SEQUENCED_HANDLER_ID ||
      handlerId === RELAY_LOG_HANDLER_ID
    )
      throw new VsyncOptionsError('handlerId', `${handlerId} is reserved for GroupClient calls`);
    if (handlerId === SAFE_RECOVERY_HANDLER_ID)
      throw new VsyncOptionsError('handlerId', `${handlerId} is reserved for safeSend recovery`);
    if (this.handlers.has(handlerId))
      throw new VsyncOptionsError(
        'handlerId',
        `handler ${handlerId} is already registered in group '${this.name}'`,
      );
    const views = options.bytesAsViews;
    if (views !== undefined && typeof views !== 'boolean')
      throw new VsyncOptionsError('bytesAsViews', `handler ${handlerId}: must be true or false`);
    this.handlers.set(handlerId, handler);
    if (views === true) this.viewHandlers.add(handlerId);
    return this;
  }

  /** Enables join with state transfer (and checkpoint files) before join(): a joiner's join() resolves once it
   *  loaded the state of the view it joined in, and messages of that view wait for it. See StateTransferOptions. */
  stateTransfer(options: StateTransferOptions): this {
    if (this.transfer !== undefined || this.currentView !== undefined)
      throw new VsyncOptionsError('stateTransfer', 'call it once, before join()');
    const sink = {
      deliverNow: (d: Delivery) => this.deliverNow(d),
      viewNow: (v: View) => this.viewNow(v),
      fail: (e: Error) => this.fail(e),
    };
    this.transfer = new GroupStateTransfer(this.name, this.process, options, sink);
    return this;
  }

  /** Writes a checkpoint file of this member's state now (stateTransfer's checkpointDir must be set). */
  async saveCheckpoint(): Promise<CheckpointFile | undefined> {
    if (this.transfer === undefined)
      throw new StateTransferError('call stateTransfer() before saveCheckpoint()');
    return this.transfer.saveCheckpoint();
  }

  /** After a crash of the whole group, before join() (safeLogDir set on every member): join() then waits until
   *  `members` members are in the view, reads every member's safeSend log, and replays the merged history (every
   *  safeSend delivered before the crash, in the order it was delivered; delivery context ordering 'safe', viewId 0)
   *  through the handlers before any new safe message. Every member must call it, with the same `members`. */
  recoverSafeSends(options: SafeRecoveryOptions): this {
    if (this.recovery !== undefined || this.currentView !== undefined)
      throw new VsyncOptionsError('recoverSafeSends', 'call it once, before join()');
    if (!Number.isInteger(options?.members) || options.members < 1)
      throw new VsyncOptionsError('recoverSafeSends', 'members must be an integer >= 1');
    const sink = {
      deliverNow: (d: Delivery) => this.deliverNow(d),
      memberCount: () => this.currentView?.members.length ?? 0,
      fail: (e: Error) => this.fail(e),
    };
    this.recovery = new SafeRecovery(this.name, this.process, options, sink);
    return this;
  }

  /** Checkpoint of the safeSend log (safeLogDir): drops the records this member delivered, once the application's
   *  own state covers them; the log's bound (maxSafeLogBytes) is kept this way. */
  truncateSafeLog(): Promise<void> {
    return this.process.truncateSafeLog(this.name);
  }

  /** How many safeSends recoverSafeSends replayed (0 before it ran). */
  get recoveredSafeSends(): number {
    return this.recovery?.recoveredCount ?? 0;
  }

  /** Joins the group; resolves once this member is in an installed view (and, with state transfer, holds the state;
   *  with recoverSafeSends, once the recovered safeSends were replayed). */
  async join(): Promise<void> {
    await this.process.join(this.name);
    if (this.recovery !== undefined && this.process.safeLog(this.name) === undefined)
      throw new SafeRecoveryError('recoverSafeSends needs the safeLogDir option on the process');
    await this.transfer?.ready();
    await this.recovery?.run();
  }

  leave(): Promise<void> {
    return this.process.leave(this.name);
  }

  /** Multicasts with FIFO order per sender; resolves when the message entered the send window. */
  send(handlerId: number, ...args: unknown[]): Promise<void> {
    return this.multicast('fifo', handlerId, args);
  }

  /** Multicasts in one total order shared by all members (consistent with FIFO); resolves when the message holds
   *  its place in the send window, where it may still wait for its group sequence number. */
  orderedSend(handlerId: number, ...args: unknown[]): Promise<void> {
    return this.multicast('total', handlerId, args);
  }

  /** Multicasts in a total order among safeSends that is also durable: every member delivers it only once a quorum
   *  of the members (a majority, or core.safeSendAcceptors) accepted it, each having logged it to disk and fsynced
   *  first when safeLogDir is set. Resolves when it entered the send window. Not ordered against orderedSend. */
  safeSend(handlerId: number, ...args: unknown[]): Promise<void> {
    return this.multicast('safe', handlerId, args);
  }

  /** Resolves once every message this member sent (into the send window: await the sends first) or delivered in this
   *  group is stable, i.e. received by every member, as Isis2's g.Flush(): after it, no crash can lose them. */
  flush(): Promise<void> {
    return this.process.flush(this.name);
  }

  /** Asks every member (itself included) and resolves with their reply values, oldest member first:
   *  `query(want, id, ...args, { timeoutMs, onTimeout })`, want a count, ALL or MAJORITY. The request is a FIFO
   *  multicast; it completes once `want` members answered or every member still in the view did (a member that fails
   *  leaves the expected set at the view change). Null replies count but carry no value; an abortReply rejects with
   *  QueryAbortedError; on timeout, 'abort' rejects with QueryTimeoutError, 'nullReply' resolves with what arrived,
   *  'declareFailed' reports the silent members to the membership service and completes once they are removed. */
  query<T = unknown>(want: QueryWant, handlerId: number, ...argsAndOptions: unknown[]): Promise<T[]> {
    return askGroup<T>(this.process, this.name, { ordering: 'fifo' }, want, handlerId, argsAndOptions);
  }

  /** A query whose request is delivered in the total order of orderedSend: every member answers in the same state. */
  orderedQuery<T = unknown>(want: QueryWant, handlerId: number, ...argsAndOptions: unknown[]): Promise<T[]> {
    return askGroup<T>(this.process, this.name, { ordering: 'total' }, want, handlerId, argsAndOptions);
  }

  /** Sends to one member only (reliable, FIFO per pair of processes, not ordered with the multicasts). */
  async p2pSend(member: ProcessId, handlerId: number, ...args: unknown[]): Promise<void> {
    return this.process.p2pSend(this.name, member, encodeCall(handlerId, args));
  }

  /** Asks one member; resolves with its reply value, or rejects (QueryAbortedError, QueryTimeoutError, or
   *  NotAMemberError when the member left the group before it answered). */
  async p2pQuery<T = unknown>(
    member: ProcessId,
    handlerId: number,
    ...argsAndOptions: unknown[]
  ): Promise<T> {
    const replies = await ask(this.process, this.name, { to: member }, 1, handlerId, argsAndOptions);
    if (replies.length === 0)
      throw new NotAMemberError(`${this.name} (the queried member left before answering)`);
    // A nullReply answers without a value.
    return replyValues<T>(replies)[0];
  }

  /** Inside a query handler: answers with `value` (instead of the handler's return value). */
  reply(value?: unknown): void {
    this.owedAnswer('reply').value(value);
  }

  /** Inside a query handler: counts as an answer without a value. */
  nullReply(): void {
    this.owedAnswer('nullReply').nothing();
  }

  /** Inside a query handler: makes the whole query fail with QueryAbortedError naming this member and `reason`. */
  abortReply(reason: string): void {
    this.owedAnswer('abortReply').abort(reason);
  }

  /** Leaves the group: a group with a process of its own shuts it down (a graceful leave of everything), a group
   *  on a shared process leaves just this group. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transfer?.close();
    this.relay.close();
    if (this.ownsProcess) await this.process.shutdown();
    else if (this.currentView !== undefined) await this.leave().catch((error: Error) => this.fail(error));
    this.process.detach(this.name, this);
  }

  deliver(delivery: Delivery): void {
    this.relay.deliver(delivery);
    if (this.recovery?.hold(delivery)) return;
    if (this.transfer !== undefined) this.transfer.onDelivery(delivery);
    else this.deliverNow(delivery);
  }

  /** The hot path: a multicast to an application handler with arguments in the plain layout is decoded straight
   *  into the call; anything else (queries, reserved handlers, structured clone) takes deliverCall. */
  private deliverNow(delivery: Delivery): void {
    const handlerId = plainCallHandlerId(delivery.payload);
    // Reserved handler ids are never registered (handle() refuses them), so they miss here too.
    const handler = delivery.queryId === 0 && handlerId >= 0 ? this.handlers.get(handlerId) : undefined;
    if (handler === undefined) return this.deliverCall(delivery);
    this.beginDelivery(delivery);
    try {
      const views = this.viewHandlers.has(handlerId);
      this.guard('message', callPlainGroupCall(handler, delivery.payload, views, this.malformed));
    } catch (error) {
      this.fail(new HandlerError(this.name, `message ${handlerId}`, error));
    } finally {
      this.endDelivery();
    }
  }

  /** A plain call whose arguments do not decode: reported, its handler not called. */
  private readonly malformed = (reason: string): void => {
    this.endDelivery();
    this.fail(new UndecodablePayloadError(this.name, reason));
  };

  private deliverCall(delivery: Delivery): void {
    let call;
    try {
      call = decodeGroupCall(delivery.payload, this.takesViews);
    } catch (error) {
      return this.fail(new UndecodablePayloadError(this.name, (error as Error).message));
    }
    if (delivery.queryId !== 0) return this.answerQuery(delivery, call);
    if (call.handlerId === RELAY_LOG_HANDLER_ID) return this.relay.startLogging();
    if (call.handlerId === CLIENT_SEQUENCED_HANDLER_ID) {
      const inner = this.unwrapClientSend(call.args);
      if (inner === undefined) return;
      call = inner;
    }
    const handler = this.handlers.get(call.handlerId);
    if (handler === undefined) return this.fail(new UnknownHandlerError(this.name, call.handlerId));
    this.beginDelivery(delivery);
    try {
      this.guard('message', handler(...call.args));
    } catch (error) {
      this.fail(new HandlerError(this.name, `message ${call.handlerId}`, error));
    } finally {
      this.endDelivery();
    }
  }

  /** The client's call inside a sequenced send, or undefined for a repeat (dropped) or a malformed one (reported). */
  private unwrapClientSend(args: readonly unknown[]): { handlerId: number; args: unknown[] } | undefined {
    try {
      return this.clientSequences.accept(args);
    } catch (error) {
      this.fail(new UndecodablePayloadError(this.name, (error as Error).message));
      return undefined;
    }
  }

  /** A GroupClient's send, issued here as its representative: multicast once per (client, seq), see ClientSequences. */
  sequencedSend(client: string, seq: number, handlerId: number, args: unknown[]): Promise<void> {
    if (!this.clientSequences.isNew(client, seq)) return Promise.resolve();
    return this.multicast('fifo', CLIENT_SEQUENCED_HANDLER_ID, [client, seq, handlerId, args]);
  }

  /** A subscribed GroupClient's poll, served here as its representative (see SubscriberRelay). */
  pollSubscription(request: unknown): Promise<PollAnswer> {
    return this.relay.poll(request);
  }

  /** Asks every member to log deliveries for subscribers: this one serves a subscriber (see SubscriberRelay). */
  private announceRelay(): void {
    if (this.closed) return;
    this.multicast('fifo', RELAY_LOG_HANDLER_ID, []).catch((error: Error) => {
      if (!this.closed) this.fail(error);
    });
  }

  /** What this member relayed to subscribed GroupClients, and the subscribers it dropped, refused or forgot. */
  get relayStats(): SubscriberRelay['stats'] {
    return this.relay.stats;
  }

  installView(view: View): void {
    this.relay.installView(view.systemViewId);
    if (this.transfer !== undefined) this.transfer.onView(view);
    else this.viewNow(view);
  }

  private viewNow(view: View): void {
    this.currentView = view;
    for (const listener of this.viewListeners) {
      try {
        this.guard('view', listener(view));
      } catch (error) {
        this.fail(new HandlerError(this.name, 'view', error));
      }
    }
  }

  fail(error: Error): void {
    notify(this.errorListeners, error);
  }

  excluded(rejoining: boolean): void {
    this.transfer?.onExcluded(rejoining);
  }

  /** Runs the handler of a query request (or a GroupClient call) and sends its one answer. */
  private answerQuery(delivery: Delivery, call: { handlerId: number; args: unknown[] }): void {
    const answer = new QueryAnswer(this.process, delivery.sender, delivery.queryId, this.name);
    const relay = call.handlerId === CLIENT_RELAY_HANDLER_ID && delivery.ordering === 'p2p';
    const recovery = this.recovery;
    const handler = relay
      ? () => serveClientCall(this, call.args)
      : call.handlerId === SAFE_RECOVERY_HANDLER_ID && recovery !== undefined
        ? () => recovery.page(Number(call.args[0]))
        : this.handlers.get(call.handlerId);
    if (handler === undefined) {
      answer.abort(`group "${this.name}" has no handler ${call.handlerId} here`);
      return this.fail(new UnknownHandlerError(this.name, call.handlerId));
    }
    this.beginDelivery(delivery);
    this.answer = answer;
    const what = `query ${call.handlerId}`;
    try {
      answerWith(
        answer,
        () => handler(...call.args),
        (e) => this.fail(new HandlerError(this.name, what, e)),
      );
    } finally {
      this.endDelivery();
      this.answer = undefined;
    }
  }

  private owedAnswer(call: string): QueryAnswer {
    if (this.answer === undefined)
      throw new VsyncOptionsError(
        call,
        'is only valid inside the handler of a query request, before it returns',
      );
    return this.answer;
  }

  private multicast(ordering: Ordering, handlerId: number, args: unknown[]): Promise<void> {
    let payload: Uint8Array;
    try {
      payload = encodeGroupCall(handlerId, args);
    } catch (error) {
      return Promise.reject(
        new VsyncOptionsError(
          'arguments',
          `cannot encode the call to handler ${handlerId}: ${(error as Error).message}`,
        ),
      );
    }
    return this.process.multicast(this.name, ordering, payload);
  }

  /** An async handler's rejection is reported like a throw, not left unhandled. */
  private guard(what: string, result: unknown): void {
    if (result instanceof Promise)
      result.catch((error: unknown) => this.fail(new HandlerError(this.name, what, error)));
  }
}
