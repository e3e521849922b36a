import { type ProcessId, processKey, type View } from '../protocol';
import type { Group } from '../runtime';
import { DHT_HANDLERS, encodeReply, entriesOf, flattenEntries, keysOf, opOf } from './dht-codec';
import { boundsOf, type DhtOptions, handlerBaseOf } from './dht-options';
import { type AggregateMap, DhtShard, type ShardEffect, type ShardInput, type ShardReply } from './dht-shard';
import type { DhtBounds } from './dht-types';

type Request = Extract<ShardInput, { request: number }>;
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'request'> : never) : never;

/**
 * Serves one member's shard of a DHT over its group: the thin shell around the pure DhtShard. It registers the
 * DHT's handlers (one-hop put and get as p2p queries, the move as p2p sends, ordered operations as orderedQuery),
 * feeds the group's views in, and performs what the shard decides. Create it before `group.join()`.
 */
export class DhtMember {
  private current: DhtShard | null = null;
  private readonly bounds: DhtBounds;
  private readonly aggregates: ReadonlyMap<string, AggregateMap>;
  private readonly base: number;
  private readonly processes = new Map<string, ProcessId>();
  private readonly pending = new Map<number, (reply: ShardReply) => void>();
  private nextRequest = 1;

  constructor(
    readonly group: Group,
    options: DhtOptions = {},
  ) {
    this.base = handlerBaseOf(options.handlerBase);
    this.bounds = boundsOf(options);
    this.aggregates = new Map(Object.entries(options.aggregates ?? {}));
    group.onView((view) => this.onView(view));
    const on = (id: number, fn: (...args: unknown[]) => unknown): void =>
      void group.handle(this.base + id, fn);
    on(DHT_HANDLERS.put, (...flat) => this.ask({ type: 'put', entries: entriesOf(flat) }));
    on(DHT_HANDLERS.get, (...keys) => this.ask({ type: 'get', keys: keysOf(keys) }));
    on(DHT_HANDLERS.ordered, (...args) => this.ask({ type: 'ordered', op: opOf(args) }));
    on(DHT_HANDLERS.handover, (viewId, ...flat) =>
      this.feed({
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
    this.feed({ type: 'view', viewId: view.id, members, joined: view.joined.map(processKey) });
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

  private feed(input: ShardInput): void {
    for (const effect of this.shard.step(input)) this.perform(effect);
  }

  private perform(effect: ShardEffect): void {
    if (effect.type === 'reply') {
      const resolve = this.pending.get(effect.request);
      this.pending.delete(effect.request);
      return resolve?.(effect.reply);
    }
    const to = this.processes.get(effect.to);
    if (to === undefined) return;
    const { message } = effect;
    const sent =
      message.kind === 'done'
        ? this.group.p2pSend(to, this.base + DHT_HANDLERS.done, message.viewId)
        : this.group.p2pSend(
            to,
            this.base + DHT_HANDLERS.handover,
            message.viewId,
            ...flattenEntries(message.entries),
          );
    // A target that left meanwhile is no loss (its keys have other owners); anything else is reported.
    sent.catch((error: Error) => {
      if (this.processes.has(effect.to)) this.group.fail(error);
    });
  }
}
