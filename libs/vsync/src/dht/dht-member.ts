import { type ProcessId, processKey, type View } from '../protocol';
import type { Group } from '../runtime';
import { DHT_HANDLERS, encodeReply, entriesOf, flattenEntries, keysOf, opOf } from './dht-codec';
import { boundsOf, type DhtOptions, handlerBaseOf, positiveMs } from './dht-options';
import {
  type AggregateMap,
  DhtShard,
  type ShardEffect,
  type ShardInput,
  type ShardMessage,
  type ShardReply,
} from './dht-shard';
import type { DhtBounds } from './dht-types';

type Request = Extract<ShardInput, { request: number }>;
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'request'> : never) : never;

/**
 * Serves one member's shard of a DHT over its group: the thin shell around the pure DhtShard. It registers the
 * DHT's handlers (one-hop put and get as p2p queries, the move as p2p queries sent in order, ordered operations as orderedQuery),
 * feeds the group's views in, and performs what the shard decides. Create it before `group.join()`.
 */
export class DhtMember {
  private current: DhtShard | null = null;
  private readonly bounds: DhtBounds;
  private readonly aggregates: ReadonlyMap<string, AggregateMap>;
  private readonly base: number;
  private readonly processes = new Map<string, ProcessId>();
  private readonly pending = new Map<number, (reply: ShardReply) => void>();
  /** Move messages per target member, sent in order (see drain). */
  private readonly outboxes = new Map<string, ShardMessage[]>();
  private readonly sending = new Set<string>();
  private readonly moveTimeoutMs: number;
  private readonly moveRetryMs: number;
  private nextRequest = 1;

  constructor(
    readonly group: Group,
    options: DhtOptions = {},
  ) {
    this.base = handlerBaseOf(options.handlerBase);
    this.bounds = boundsOf(options);
    this.aggregates = new Map(Object.entries(options.aggregates ?? {}));
    this.moveTimeoutMs = positiveMs('moveTimeoutMs', options.moveTimeoutMs ?? 5_000);
    this.moveRetryMs = positiveMs('moveRetryMs', options.moveRetryMs ?? 20);
    group.onView((view) => this.onView(view));
    const on = (id: number, fn: (...args: unknown[]) => unknown): void =>
      void group.handle(this.base + id, fn);
    on(DHT_HANDLERS.put, (...flat) => this.ask({ type: 'put', entries: entriesOf(flat) }));
    on(DHT_HANDLERS.get, (...keys) => this.ask({ type: 'get', keys: keysOf(keys) }));
    on(DHT_HANDLERS.ordered, (...args) => this.ask({ type: 'ordered', op: opOf(args) }));
    on(DHT_HANDLERS.handover, (viewId, ...flat) =>
      this.feedAnswered({
        type: 'handover',
        from: this.sender(),
        viewId: viewId as number,
        entries: entriesOf(flat),
      }),
    );
    on(DHT_HANDLERS.done, (viewId) =>
      this.feed({ type: 'done', from: this.sender(), viewId: viewId as number }),
    );
  }

  /** This incarnation's shard (a process excluded and back as a new incarnation starts an empty one). */
  get shard(): DhtShard {
    const self = processKey(this.group.process.self);
    if (this.current?.self !== self) this.current = new DhtShard(self, this.bounds, this.aggregates);
    return this.current;
  }

  private sender(): string {
    return processKey(this.group.delivery!.sender);
  }

  private onView(view: View): void {
    for (const m of view.members) this.processes.set(processKey(m), m);
    const members = view.members.map(processKey);
    this.feed({ type: 'view', viewId: view.systemViewId, members, joined: view.joined.map(processKey) });
    for (const key of [...this.processes.keys()]) if (!members.includes(key)) this.processes.delete(key);
  }

  /** Feeds a request and answers with its reply: at once when the shard answers at once (the usual case), else
   *  once it does (a read waiting for the move). */
  private ask(body: RequestBody): unknown {
    const request = this.nextRequest++;
    let answer: ShardReply | undefined;
    this.pending.set(request, (reply) => (answer = reply));
    this.feed({ ...body, request } as Request);
    if (answer !== undefined) return encodeReply(answer);
    return new Promise((resolve) => this.pending.set(request, (reply) => resolve(encodeReply(reply))));
  }

  /** A move message: fed, then answered with null (its sender waits for the answer before sending the next). */
  private feedAnswered(input: ShardInput): null {
    this.feed(input);
    return null;
  }

  private feed(input: ShardInput): void {
    for (const effect of this.shard.step(input)) this.perform(effect);
  }

  private perform(effect: ShardEffect): void {
    if (effect.type === 'reply') {
      const resolve = this.pending.get(effect.request);
      this.pending.delete(effect.request);
      return resolve?.(effect.reply);
    }
    this.outboxOf(effect.to).push(effect.message);
    this.drain(effect.to);
  }

  private outboxOf(to: string): ShardMessage[] {
    let box = this.outboxes.get(to);
    if (box === undefined) this.outboxes.set(to, (box = []));
    return box;
  }

  /**
   * Sends a member's queued move messages one at a time, each as a p2p query: the core drops a plain p2p send that
   * reaches a joiner before its view does, while a query is refused and can be sent again. One at a time keeps the
   * FIFO order a `done` relies on (everything before it arrived). A target that left is dropped with its queue: its
   * keys have other owners, to which the shard hands them at the view change that removed it.
   */
  private drain(to: string): void {
    const box = this.outboxes.get(to);
    const target = this.processes.get(to);
    if (box === undefined || this.sending.has(to)) return;
    if (target === undefined || box.length === 0) return void this.outboxes.delete(to);
    this.sending.add(to);
    const message = box[0];
    const args =
      message.kind === 'done' ? [message.viewId] : [message.viewId, ...flattenEntries(message.entries)];
    const handler = this.base + (message.kind === 'done' ? DHT_HANDLERS.done : DHT_HANDLERS.handover);
    const options = { timeoutMs: this.moveTimeoutMs };
    const next = (sent: boolean): void => {
      this.sending.delete(to);
      if (sent) box.shift();
      if (sent) this.drain(to);
      else setTimeout(() => this.drain(to), this.moveRetryMs).unref();
    };
    this.group.p2pQuery(target, handler, ...args, options).then(
      () => next(true),
      () => next(false),
    );
  }
}
