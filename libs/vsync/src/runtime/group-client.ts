import {
  type ProcessId,
  processKey,
  QueryTimeoutError,
  type QueryWant,
  RequestError,
  sameProcess,
  type TimeoutAction,
} from '../protocol';
import { ClientSendStream } from './group-client-send-stream';
import type { PollAnswer } from './group-client-relay-wire';
import { type SubscribedMessage, type SubscribeOptions, Subscription } from './group-client-subscription';
import { NoRepresentativeError } from './errors/no-representative-error';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { decodeReplyValue, encodeCall, splitQueryArguments } from './query-call';
import type { VsyncProcess } from './vsync-process';
import type { VsyncSecret } from '../security';

/** The handler id a representative serves GroupClient calls on (p2p queries only); applications cannot register it. */
export const CLIENT_RELAY_HANDLER_ID = 0xffff_fffe;

export type RelayedOperation = 'send' | 'orderedSend' | 'query' | 'orderedQuery' | 'sequencedSend' | 'poll';
const OPERATIONS: readonly RelayedOperation[] = [
  'send',
  'orderedSend',
  'query',
  'orderedQuery',
  'sequencedSend',
  'poll',
];

export interface GroupClientOptions {
  /** Time a representative gets beyond the call's own timeoutMs before the client tries another (default 2,000). */
  readonly failoverMarginMs?: number;
  /** Representatives tried per call, at most (default 3). */
  readonly maxAttempts?: number;
  /** How long a call waits for this process to see the group in a system view (default 10,000). */
  readonly viewWaitMs?: number;
  /** The secret of a secured group (Group.setSecure): the client's calls and their answers are sealed with it. */
  readonly groupSecret?: VsyncSecret;
  /** Sends waiting for a representative's answer, at most; past it send() rejects (default 1,024). */
  readonly maxQueuedSends?: number;
  /** Answered sends relayed again after a failover, in case their representative crashed before any survivor
   *  received them; members drop the ones they delivered (default 256). */
  readonly failoverReplayCount?: number;
}

/** The group operations a representative performs for a client; Group implements them. */
export interface RelayTarget {
  send(handlerId: number, ...args: unknown[]): Promise<void>;
  orderedSend(handlerId: number, ...args: unknown[]): Promise<void>;
  query(want: QueryWant, handlerId: number, ...args: unknown[]): Promise<unknown[]>;
  orderedQuery(want: QueryWant, handlerId: number, ...args: unknown[]): Promise<unknown[]>;
  sequencedSend(client: string, seq: number, handlerId: number, args: unknown[]): Promise<void>;
  /** One poll of a subscribed client (GroupClient.subscribe), answered from this member's relay log. */
  pollSubscription(request: unknown): Promise<PollAnswer>;
}

/**
 * Calls a group without joining it: each call goes point to point to one member (the representative), which issues
 * the multicast or query on the client's behalf and answers with the result. The representative is kept while it
 * answers; when it fails (it leaves the system view, or stays silent past the call's timeout plus failoverMarginMs)
 * the client tries the next member. A query is answered exactly as if the representative had asked it.
 * `send` is FIFO and exactly once per client across failovers (ClientSendStream, ClientSequences): sends are numbered,
 * re-sent in order through the next representative, and members drop numbers they delivered. Whatever a member
 * joining later did not see is outside that table: a joiner may deliver a repeat sent just after it joined.
 * `orderedSend` through a client stays at-least-once (make it idempotent); queries are read-only by nature.
 * `subscribe` receives the group's multicasts as a member delivers them, relayed by a representative (Subscription).
 */
export class GroupClient {
  private current: ProcessId | undefined;
  private readonly failoverMarginMs: number;
  private readonly maxAttempts: number;
  private readonly viewWaitMs: number;
  private readonly sends: ClientSendStream;

  constructor(
    readonly group: string,
    readonly process: VsyncProcess,
    options: GroupClientOptions = {},
  ) {
    if (typeof group !== 'string' || group.length === 0)
      throw new VsyncOptionsError('group', 'a GroupClient needs a group name');
    this.failoverMarginMs = positive('failoverMarginMs', options.failoverMarginMs ?? 2_000);
    if (options.groupSecret !== undefined) process.secureGroup(group, options.groupSecret);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 3);
    this.viewWaitMs = positive('viewWaitMs', options.viewWaitMs ?? 10_000);
    const route = {
      group,
      maxAttempts: this.maxAttempts,
      choose: (tried: ReadonlySet<string>) => this.process.start().then(() => this.choose(tried)),
      relay: (rep: ProcessId, seq: number, handlerId: number, args: unknown[]) =>
        this.relaySend(rep, seq, handlerId, args),
      dropRepresentative: (rep: ProcessId) => this.drop(rep),
    };
    this.sends = new ClientSendStream(
      route,
      positive('maxQueuedSends', options.maxQueuedSends ?? 1_024),
      positive('failoverReplayCount', options.failoverReplayCount ?? 256),
    );
  }

  /** Failovers of the send stream, and answered sends it relayed again after them. */
  get sendFailovers(): { failovers: number; replayed: number } {
    return { failovers: this.sends.failovers, replayed: this.sends.replayed };
  }

  /** The members of the group in this process's system view (the client sees the group without joining it). */
  members(): readonly ProcessId[] {
    return this.process.systemView?.groups.find((g) => g.name === this.group)?.members ?? [];
  }

  /** The member calls currently go through, if one was chosen. */
  get representative(): ProcessId | undefined {
    return this.current;
  }

  /** FIFO, exactly once per client across representative failovers (see the class comment). */
  send(handlerId: number, ...args: unknown[]): Promise<void> {
    return this.sends.send(handlerId, args);
  }

  async orderedSend(handlerId: number, ...args: unknown[]): Promise<void> {
    await this.call('orderedSend', 1, handlerId, args);
  }

  /** As Group.query, asked by the representative: `query(want, id, ...args, { timeoutMs, onTimeout })`. */
  query<T = unknown>(want: QueryWant, handlerId: number, ...argsAndOptions: unknown[]): Promise<T[]> {
    return this.call('query', want, handlerId, argsAndOptions) as Promise<T[]>;
  }

  orderedQuery<T = unknown>(want: QueryWant, handlerId: number, ...argsAndOptions: unknown[]): Promise<T[]> {
    return this.call('orderedQuery', want, handlerId, argsAndOptions) as Promise<T[]>;
  }

  /** Receives every multicast the group delivers from now on, through a representative that relays its own
   *  deliveries; on its failure another member resumes where the subscription was, doubles dropped and what it could
   *  not fill reported as gaps (see Subscription). A secured group relays only to a client holding its secret. */
  subscribe(handler: (message: SubscribedMessage) => void, options: SubscribeOptions = {}): Subscription {
    if (typeof handler !== 'function') throw new VsyncOptionsError('subscribe', 'expects a handler function');
    if (options.pollWaitMs !== undefined) positive('pollWaitMs', options.pollWaitMs);
    const route = {
      group: this.group,
      members: () => this.members(),
      choose: (tried: ReadonlySet<string>) => this.process.start().then(() => this.choose(tried)),
      poll: async (rep: ProcessId, request: unknown, timeoutMs: number) => {
        const payload = encodeCall(CLIENT_RELAY_HANDLER_ID, ['poll', 0, [request], 1, 0, 'abort']);
        const answer = await this.ask(rep, payload, timeoutMs);
        return answer.ok ? (answer.value as PollAnswer) : undefined;
      },
      dropRepresentative: (rep: ProcessId) => this.drop(rep),
    };
    return new Subscription(route, handler, options, this.failoverMarginMs);
  }

  private async call(
    op: RelayedOperation,
    want: QueryWant,
    handlerId: number,
    given: unknown[],
  ): Promise<unknown> {
    await this.process.start();
    const { args, options } = op.endsWith('uery')
      ? splitQueryArguments(given)
      : { args: given, options: undefined };
    const timeoutMs = options?.timeoutMs ?? 0;
    const onTimeout: TimeoutAction = options?.onTimeout ?? 'abort';
    const payload = encodeCall(CLIENT_RELAY_HANDLER_ID, [op, handlerId, args, want, timeoutMs, onTimeout]);
    const tried = new Set<string>();
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const rep = await this.choose(tried);
      const answer = await this.ask(rep, payload, timeoutMs + this.failoverMarginMs);
      if (answer.ok) return answer.value;
      tried.add(processKey(rep));
      this.drop(rep);
    }
    throw new NoRepresentativeError(this.group, `${this.maxAttempts} representatives failed in turn`);
  }

  private async relaySend(rep: ProcessId, seq: number, handlerId: number, args: unknown[]): Promise<boolean> {
    const client = processKey(this.process.self);
    const payload = encodeCall(CLIENT_RELAY_HANDLER_ID, [
      'sequencedSend',
      handlerId,
      args,
      1,
      0,
      'abort',
      client,
      seq,
    ]);
    return (await this.ask(rep, payload, this.failoverMarginMs)).ok;
  }

  private drop(rep: ProcessId): void {
    if (this.current !== undefined && sameProcess(this.current, rep)) this.current = undefined;
  }

  /** One attempt through `rep`: its answer, or { ok: false } when the representative failed (not the call itself). */
  private async ask(
    rep: ProcessId,
    payload: Uint8Array,
    timeoutMs: number,
  ): Promise<{ ok: boolean; value?: unknown }> {
    try {
      const replies = await this.process.query(this.group, { to: rep }, payload, 1, timeoutMs, 'abort');
      // No reply at all: the representative left the group's view before answering.
      if (replies.length === 0) return { ok: false };
      return { ok: true, value: decodeReplyValue(replies[0].payload) };
    } catch (error) {
      const repGone = error instanceof RequestError && !this.members().some((m) => sameProcess(m, rep));
      if (error instanceof QueryTimeoutError || repGone) return { ok: false };
      throw error;
    }
  }

  /** Keeps the current representative while it is a member; otherwise one spread by this client's address. */
  private async choose(tried: ReadonlySet<string>): Promise<ProcessId> {
    const deadline = Date.now() + this.viewWaitMs;
    for (;;) {
      const members = this.members().filter((m) => !tried.has(processKey(m)));
      const kept = members.find((m) => this.current !== undefined && sameProcess(m, this.current));
      if (kept !== undefined) return kept;
      if (members.length > 0) {
        this.current = members[spread(this.process.self.address) % members.length];
        return this.current;
      }
      if (Date.now() >= deadline)
        throw new NoRepresentativeError(
          this.group,
          `no member to try within viewWaitMs (${this.viewWaitMs})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Runs one client call at the representative: checks what the client sent, then issues it on the group. */
export async function serveClientCall(target: RelayTarget, args: readonly unknown[]): Promise<unknown> {
  const [op, handlerId, callArgs, want, timeoutMs, onTimeout] = args;
  if (
    !OPERATIONS.includes(op as RelayedOperation) ||
    !Array.isArray(callArgs) ||
    typeof handlerId !== 'number'
  )
    throw new VsyncOptionsError(
      'GroupClient call',
      'expects [operation, handlerId, args, want, timeoutMs, onTimeout]',
    );
  if (op === 'poll') return target.pollSubscription(callArgs[0]);
  if (op === 'sequencedSend')
    return target.sequencedSend(String(args[6]), Number(args[7]), handlerId, callArgs).then(() => null);
  if (op === 'send') return target.send(handlerId, ...callArgs).then(() => null);
  if (op === 'orderedSend') return target.orderedSend(handlerId, ...callArgs).then(() => null);
  const options = { timeoutMs: timeoutMs as number, onTimeout: onTimeout as TimeoutAction };
  if (op === 'query') return target.query(want as QueryWant, handlerId, ...callArgs, options);
  return target.orderedQuery(want as QueryWant, handlerId, ...callArgs, options);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new VsyncOptionsError(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

/** FNV-1a over the address: clients spread over the members instead of all calling the oldest. */
function spread(address: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) hash = Math.imul(hash ^ address.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
