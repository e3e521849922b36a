import { type ProcessId, processKey, type QueryReply } from '../protocol';
import { ALL, type Group, GroupClient, type VsyncProcess, VsyncOptionsError } from '../runtime';
import { decodeReplyValue, encodeCall } from '../runtime/query-call';
import { DHT_HANDLERS, decodeReply, flattenEntries, flattenOp } from './dht-codec';
import { handlerBaseOf } from './dht-options';
import type { OrderedOp, ReadValue, ShardReply } from './dht-shard';
import { DEFAULT_DHT_BOUNDS, type DhtEntry, type DhtValue } from './dht-types';
import { DhtFullError, DhtRequestError, DhtUnavailableError } from './errors';
import { Placement } from './placement';

export interface DhtClientOptions {
  /** Replicas per key: must equal the members' `replication` (default 2). */
  readonly replication?: number;
  readonly handlerBase?: number;
  /** Time one owner gets to answer one request (default 5,000 ms). */
  readonly timeoutMs?: number;
  /** Rounds of a one-hop operation before DhtUnavailableError (default 50). */
  readonly maxAttempts?: number;
  /** Pause between rounds while views settle (default 20 ms). */
  readonly retryDelayMs?: number;
  /** Keys per message to one owner (default 512): larger multi-key calls travel in several. */
  readonly maxKeysPerRequest?: number;
  /** The group, when this process is a member: ordered operations are then issued by it, not through a
   *  representative. */
  readonly group?: Group;
}

/**
 * Reads and writes a DHT from any process of the system, member of its group or not. One-hop operations go straight
 * to the owners, computed from the group's members in this process's system view (DhtClient learns the view the
 * membership service decided; it need not join): a put is acknowledged once every owner of each key stored it under
 * the placement the client used (each reply carries the owner's placement fingerprint), a get asks the primary. A
 * stale view shows as a refusal or a fingerprint mismatch and the client tries again. Ordered operations are
 * orderedQueries to every member (through a GroupClient representative when this process is not a member).
 */
export class DhtClient {
  private readonly base: number;
  private readonly replication: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxKeysPerRequest: number;
  private readonly ordered: Pick<Group, 'orderedQuery'>;
  private readonly self: string;
  private clock = 0;
  private cached: {
    members: readonly ProcessId[];
    placement: Placement;
    byKey: Map<string, ProcessId>;
  } | null = null;

  constructor(
    readonly name: string,
    readonly process: VsyncProcess,
    options: DhtClientOptions = {},
  ) {
    this.base = handlerBaseOf(options.handlerBase);
    this.replication = positive('replication', options.replication ?? DEFAULT_DHT_BOUNDS.replication);
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5_000);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 50);
    this.retryDelayMs = positive('retryDelayMs', options.retryDelayMs ?? 20);
    this.maxKeysPerRequest = positive('maxKeysPerRequest', options.maxKeysPerRequest ?? 512);
    this.ordered = options.group ?? new GroupClient(name, process);
    this.self = processKey(process.self);
  }

  async get(key: string): Promise<DhtValue | undefined> {
    return (await this.getMany([key]))[0];
  }

  async put(key: string, value: DhtValue): Promise<void> {
    await this.putMany([[key, value]]);
  }

  /** Reads several keys, one message per primary owner (and per maxKeysPerRequest keys). */
  async getMany(keys: readonly string[]): Promise<Array<DhtValue | undefined>> {
    const found = new Map<string, ReadValue>();
    await this.rounds('get', keys, async (placement, left) => {
      const byPrimary = groupBy(left, (k) => placement.ownersOf(k).slice(0, 1));
      await Promise.all(
        [...byPrimary].map(async ([owner, ks]) => {
          const reply = await this.ask(owner, DHT_HANDLERS.get, ks);
          if (reply?.kind === 'values') ks.forEach((k, i) => found.set(k, reply.values[i]));
          else if (reply !== null) this.raise(owner, reply);
        }),
      );
      return left.filter((k) => !found.has(k));
    });
    return keys.map((k) => found.get(k)?.value);
  }

  /** Writes several entries: each goes to every owner of its key, one message per owner; acknowledged once every
   *  owner of every key stored it under one placement. */
  async putMany(entries: Iterable<readonly [string, DhtValue]>): Promise<void> {
    const byKey = new Map<string, DhtEntry>();
    for (const [key, value] of entries) byKey.set(key, { key, value, version: this.nextVersion() });
    await this.rounds('put', [...byKey.keys()], async (placement, left) => {
      const byOwner = groupBy(left, (k) => placement.ownersOf(k));
      const refused = new Set<string>();
      await Promise.all(
        [...byOwner].map(async ([owner, ks]) => {
          const reply = await this.ask(owner, DHT_HANDLERS.put, flattenEntries(ks.map((k) => byKey.get(k)!)));
          const stored = reply?.kind === 'stored' && reply.fingerprint === placement.fingerprint;
          if (!stored) for (const k of ks) refused.add(k);
          if (reply !== null && reply.kind !== 'stored') this.raise(owner, reply);
        }),
      );
      return left.filter((k) => refused.has(k));
    });
  }

  /** Writes several entries atomically in the group's total order: every owner applies all of them or none. */
  async orderedPut(entries: Iterable<readonly [string, DhtValue]>): Promise<void> {
    const list = [...entries].map(([key, value]) => ({ key, value }));
    const replies = await this.orderedOp({ kind: 'put', writer: this.self, entries: list });
    for (const reply of replies) if (reply.kind !== 'applied') this.refuse(reply);
  }

  /** Reads keys in the group's total order: the value of the last ordered put before this read. */
  async orderedGet(keys: readonly string[]): Promise<Array<DhtValue | undefined>> {
    const replies = await this.orderedOp({ kind: 'get', keys });
    for (const reply of replies) if (reply.kind !== 'values') this.refuse(reply);
    return keys.map((_, i) => {
      for (const r of replies) if (r.kind === 'values' && r.owned[i]) return r.values[i]?.value;
      return undefined;
    });
  }

  /** Runs the aggregate `name` on every member's primary keys (in the total order) and combines the parts. */
  async aggregate<T>(name: string, args: readonly unknown[], combine: (parts: unknown[]) => T): Promise<T> {
    const replies = await this.orderedOp({ kind: 'aggregate', name, args });
    return combine(replies.map((r) => (r.kind === 'partial' ? r.value : this.refuse(r))));
  }

  private async orderedOp(op: OrderedOp): Promise<ShardReply[]> {
    const options = { timeoutMs: this.timeoutMs };
    const raw = await this.ordered.orderedQuery(
      ALL,
      this.base + DHT_HANDLERS.ordered,
      ...flattenOp(op),
      options,
    );
    return raw.map(decodeReply);
  }

  /** Runs `round` with the current placement until it leaves no key, pausing between rounds. */
  private async rounds(
    what: string,
    keys: readonly string[],
    round: (placement: Placement, left: string[]) => Promise<string[]>,
  ): Promise<void> {
    let left = [...keys];
    for (let attempt = 1; left.length > 0; attempt++) {
      if (attempt > this.maxAttempts)
        throw new DhtUnavailableError(
          this.name,
          `${what} of ${left.length} keys not answered in ${this.maxAttempts} rounds`,
        );
      const placement = this.placement();
      if (placement.members.length > 0) left = await round(placement, left);
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  /** Asks one owner; null when it could not answer (it failed, left, or timed out): the round tries again. */
  private async ask(owner: string, handler: number, args: readonly unknown[]): Promise<ShardReply | null> {
    const to = this.cached?.byKey.get(owner);
    if (to === undefined) return null;
    const chunk = handler === DHT_HANDLERS.put ? this.maxKeysPerRequest * 4 : this.maxKeysPerRequest;
    if (args.length > chunk) return this.askInChunks(owner, handler, args, chunk);
    let replies: readonly QueryReply[];
    try {
      const payload = encodeCall(this.base + handler, args);
      replies = await this.process.query(this.name, { to }, payload, 1, this.timeoutMs, 'abort');
    } catch {
      return null;
    }
    const value = replies[0]?.outcome === 'value' ? decodeReplyValue(replies[0].payload) : undefined;
    return value === undefined ? null : decodeReply(value);
  }

  private async askInChunks(owner: string, handler: number, args: readonly unknown[], chunk: number) {
    const parts: unknown[][] = [];
    for (let i = 0; i < args.length; i += chunk) parts.push(args.slice(i, i + chunk));
    const replies = await Promise.all(parts.map((p) => this.ask(owner, handler, p)));
    if (replies.some((r) => r === null)) return null;
    if (replies.every((r) => r!.kind === 'values')) {
      const values = replies.flatMap((r) => (r as Extract<ShardReply, { kind: 'values' }>).values);
      return { kind: 'values' as const, values, owned: values.map(() => true) };
    }
    return replies.find((r) => r!.kind !== 'stored') ?? replies[0];
  }

  /** Refusals that retrying cannot cure become typed errors; the others (a stale view, a busy owner) retry. */
  private raise(owner: string, reply: ShardReply): never | void {
    if (reply.kind === 'full') throw new DhtFullError(owner, reply.bound, reply.limit);
    if (reply.kind === 'invalid') throw new DhtRequestError(reply.reason);
  }

  /** An ordered operation is answered by every member; any refusal fails it (it cannot be retried blindly: an
   *  ordered put some members applied would be applied twice). */
  private refuse(reply: ShardReply): never {
    this.raise('a member', reply);
    if (reply.kind === 'busy')
      throw new DhtUnavailableError(this.name, `a member held maxWaitingRequests (${reply.limit}) already`);
    throw new DhtRequestError(`a member answered an ordered operation with "${reply.kind}"`);
  }

  private placement(): Placement {
    const members = this.process.systemView?.groups.find((g) => g.name === this.name)?.members ?? [];
    if (this.cached?.members !== members) {
      const byKey = new Map(members.map((m) => [processKey(m), m]));
      this.cached = { members, placement: new Placement([...byKey.keys()], this.replication), byKey };
    }
    return this.cached.placement;
  }

  private nextVersion(): { t: number; w: string } {
    this.clock = Math.max(Date.now() * 1_000, this.clock + 1);
    return { t: this.clock, w: this.self };
  }
}

function groupBy(
  keys: readonly string[],
  ownersOf: (key: string) => readonly string[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of keys)
    for (const owner of ownersOf(key)) {
      const list = out.get(owner);
      if (list === undefined) out.set(owner, [key]);
      else list.push(key);
    }
  return out;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new VsyncOptionsError(name, `must be a positive integer, got ${String(value)}`);
  return value;
}
