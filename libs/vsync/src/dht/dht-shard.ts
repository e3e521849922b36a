import { isPlanted } from '../protocol/testing/planted-bugs';
import { type DhtBounds, type DhtEntry, type DhtValue, newer, sizeOf, type Version } from './dht-types';
import { Placement } from './placement';

/** An operation delivered in the group's total order (orderedQuery to every member). */
export type OrderedOp =
  | {
      readonly kind: 'put';
      readonly entries: ReadonlyArray<{ readonly key: string; readonly value: DhtValue }>;
      readonly writer: string;
    }
  | { readonly kind: 'get'; readonly keys: readonly string[] }
  | { readonly kind: 'aggregate'; readonly name: string; readonly args: readonly unknown[] };

export type ShardInput =
  | {
      readonly type: 'view';
      readonly viewId: number;
      readonly members: readonly string[];
      readonly joined: readonly string[];
    }
  | { readonly type: 'put'; readonly request: number; readonly entries: readonly DhtEntry[] }
  | { readonly type: 'get'; readonly request: number; readonly keys: readonly string[] }
  | {
      readonly type: 'handover';
      readonly from: string;
      readonly viewId: number;
      readonly entries: readonly DhtEntry[];
    }
  | { readonly type: 'done'; readonly from: string; readonly viewId: number }
  | { readonly type: 'ordered'; readonly request: number; readonly op: OrderedOp };

export type ReadValue = { readonly value: DhtValue; readonly version: Version } | null;

export type ShardReply =
  | { readonly kind: 'stored'; readonly fingerprint: number }
  | { readonly kind: 'notOwner'; readonly fingerprint: number; readonly key: string }
  | { readonly kind: 'full'; readonly bound: 'maxEntries' | 'maxStoredBytes'; readonly limit: number }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'busy'; readonly limit: number }
  | { readonly kind: 'values'; readonly values: readonly ReadValue[]; readonly owned: readonly boolean[] }
  | { readonly kind: 'applied' }
  | { readonly kind: 'partial'; readonly value: unknown };

export type ShardMessage =
  | { readonly kind: 'handover'; readonly viewId: number; readonly entries: readonly DhtEntry[] }
  | { readonly kind: 'done'; readonly viewId: number };

export type ShardEffect =
  | { readonly type: 'send'; readonly to: string; readonly message: ShardMessage }
  | { readonly type: 'reply'; readonly request: number; readonly reply: ShardReply };

/** A registered aggregate's per-shard part: runs over the entries this member is the primary owner of. */
export type AggregateMap = (entries: Iterable<readonly [string, DhtValue]>, ...args: unknown[]) => unknown;

interface Stored {
  readonly value: DhtValue;
  readonly version: Version;
  readonly bytes: number;
}

/** Wait for a `done` marker of at least view `atLeast` from each of `from` still in the view. */
interface Gate {
  readonly atLeast: number;
  readonly from: readonly string[];
}

type Waiting = Extract<ShardInput, { type: 'get' } | { type: 'ordered' }>;

/**
 * One member's shard of the DHT as a pure state machine: `step(input) -> effects`, no I/O, no clock.
 *
 * The move at a view change: every member that held a key in the previous view sends it to each owner of the new
 * view that was not an owner before, then drops the keys it no longer owns. After its handover it announces `done`
 * for the view to every member, but only once it holds everything it owned in the previous view itself (its own
 * fill of that view completed), so a `done` vouches for everything behind it on the FIFO link. A member's fill of a
 * view completes when every member of the view that was also in the previous one announced `done` for it (or left).
 * Until then reads and ordered operations wait at the member (they are answered in arrival order once it is
 * complete), so a read at a new owner never misses a key on its way; one-hop puts are applied at once, and the
 * version rule (see Version) makes the late handover of an older value harmless. An entry that reaches a member
 * which no longer owns it, or owns it along with members that could miss it, is forwarded to them.
 */
export class DhtShard {
  private readonly store = new Map<string, Stored>();
  private storedBytes = 0;
  private placement: Placement | null = null;
  private currentViewId = 0;
  private readonly doneFrom = new Map<string, number>();
  private fill: Gate = { atLeast: 0, from: [] };
  private announce: Gate | null = null;
  private readonly waiting: Waiting[] = [];
  /** Handover and done messages sent in a view this member has not installed yet: handled once it has. */
  private readonly ahead: Array<Extract<ShardInput, { type: 'handover' | 'done' }>> = [];

  constructor(
    readonly self: string,
    private readonly bounds: DhtBounds,
    private readonly aggregates: ReadonlyMap<string, AggregateMap> = new Map(),
  ) {}

  get viewId(): number {
    return this.currentViewId;
  }

  /** Whether this member holds every key it owns in its current view (its fill completed). */
  get filled(): boolean {
    return this.placement !== null && this.satisfied(this.fill);
  }

  get size(): number {
    return this.store.size;
  }

  get bytes(): number {
    return this.storedBytes;
  }

  get waitingRequests(): number {
    return this.waiting.length;
  }

  get owners(): Placement | null {
    return this.placement;
  }

  /** The stored entries (for checks and checkpoints); no copy of the values. */
  *entries(): IterableIterator<DhtEntry> {
    for (const [key, s] of this.store) yield { key, value: s.value, version: s.version };
  }

  step(input: ShardInput): ShardEffect[] {
    const effects: ShardEffect[] = [];
    if ((input.type === 'handover' || input.type === 'done') && input.viewId > this.currentViewId) {
      if (this.ahead.length < this.bounds.maxWaitingRequests) this.ahead.push(input);
      return effects;
    }
    if (this.placement === null && input.type !== 'view') return this.beforeView(input, effects);
    switch (input.type) {
      case 'view':
        this.onView(input, effects);
        break;
      case 'put':
        effects.push({ type: 'reply', request: input.request, reply: this.put(input.entries) });
        break;
      case 'handover':
        this.onHandover(input.from, input.entries, effects);
        break;
      case 'done':
        this.doneFrom.set(input.from, Math.max(input.viewId, this.doneFrom.get(input.from) ?? 0));
        break;
      case 'get':
      case 'ordered':
        this.enqueue(input, effects);
        break;
    }
    this.progress(effects);
    return effects;
  }

  private beforeView(input: ShardInput, effects: ShardEffect[]): ShardEffect[] {
    if (input.type === 'ordered' || input.type === 'get' || input.type === 'put') {
      const key =
        input.type === 'ordered' ? '' : input.type === 'put' ? input.entries[0]?.key : input.keys[0];
      effects.push({
        type: 'reply',
        request: input.request,
        reply: { kind: 'notOwner', fingerprint: 0, key },
      });
    }
    return effects;
  }

  private onView(input: Extract<ShardInput, { type: 'view' }>, effects: ShardEffect[]): void {
    const fresh = this.placement === null || input.joined.includes(this.self);
    const old = fresh ? null : this.placement;
    const next = new Placement(input.members, this.bounds.replication);
    const from = input.members.filter((m) => m !== this.self && !input.joined.includes(m));
    // Announcing this view waits for this member's fill of the previous one; a joiner held nothing before.
    this.announce =
      old === null ? { atLeast: 0, from: [] } : { atLeast: this.fill.atLeast, from: this.fill.from };
    this.fill = { atLeast: input.viewId, from };
    this.placement = next;
    this.currentViewId = input.viewId;
    if (fresh) this.clear();
    if (old !== null) this.handOver(old, next, effects);
    const due = this.ahead.filter((m) => m.viewId <= input.viewId);
    this.ahead.splice(0, this.ahead.length, ...this.ahead.filter((m) => m.viewId > input.viewId));
    for (const held of due) this.step(held).forEach((e) => effects.push(e));
  }

  private handOver(old: Placement, next: Placement, effects: ShardEffect[]): void {
    const out = new Map<string, DhtEntry[]>();
    for (const [key, s] of this.store) {
      const owners = next.ownersOf(key);
      const before = old.ownersOf(key);
      for (const o of owners)
        if (o !== this.self && !before.includes(o) && !isPlanted('dhtHandoverLost'))
          pushTo(out, o, { key, value: s.value, version: s.version });
      if (!owners.includes(this.self)) this.remove(key);
    }
    for (const [to, entries] of out) this.sendEntries(to, entries, effects);
  }

  private onHandover(from: string, entries: readonly DhtEntry[], effects: ShardEffect[]): void {
    const placement = this.placement!;
    const out = new Map<string, DhtEntry[]>();
    for (const e of entries) {
      const held = this.store.get(e.key);
      if (held !== undefined && !newer(e.version, held.version)) continue;
      const owners = placement.ownersOf(e.key);
      // Accepted data is never dropped: a handover is stored even past the bounds (puts are refused instead).
      if (owners.includes(this.self)) this.write(e.key, e.value, e.version);
      for (const o of owners) if (o !== this.self && o !== from) pushTo(out, o, e);
    }
    for (const [to, list] of out) this.sendEntries(to, list, effects);
  }

  private sendEntries(to: string, entries: readonly DhtEntry[], effects: ShardEffect[]): void {
    let batch: DhtEntry[] = [];
    let bytes = 0;
    for (const e of entries) {
      const size = sizeOf(e.key, e.value);
      if (batch.length > 0 && bytes + size > this.bounds.maxHandoverBatchBytes) {
        effects.push({
          type: 'send',
          to,
          message: { kind: 'handover', viewId: this.currentViewId, entries: batch },
        });
        batch = [];
        bytes = 0;
      }
      batch.push(e);
      bytes += size;
    }
    if (batch.length > 0)
      effects.push({
        type: 'send',
        to,
        message: { kind: 'handover', viewId: this.currentViewId, entries: batch },
      });
  }

  /** After any input: announce `done` once allowed, and answer what waited once the fill completed. */
  private progress(effects: ShardEffect[]): void {
    const placement = this.placement;
    if (placement === null) return;
    if (this.announce !== null && this.satisfied(this.announce)) {
      this.announce = null;
      for (const m of placement.members)
        if (m !== this.self)
          effects.push({ type: 'send', to: m, message: { kind: 'done', viewId: this.currentViewId } });
    }
    while (this.waiting.length > 0 && this.satisfied(this.fill)) this.answer(this.waiting.shift()!, effects);
  }

  private satisfied(gate: Gate): boolean {
    const placement = this.placement!;
    return gate.from.every((m) => !placement.includes(m) || (this.doneFrom.get(m) ?? 0) >= gate.atLeast);
  }

  private enqueue(input: Waiting, effects: ShardEffect[]): void {
    if (this.waiting.length === 0 && this.satisfied(this.fill)) return this.answer(input, effects);
    // Ordered operations are never refused (a refusal at one member only would break an ordered put's atomicity):
    // their number is bounded by the group's own bound on requests awaiting answers (core.maxOwedReplies).
    if (input.type === 'get' && this.waiting.length >= this.bounds.maxWaitingRequests) {
      const reply: ShardReply = { kind: 'busy', limit: this.bounds.maxWaitingRequests };
      return void effects.push({ type: 'reply', request: input.request, reply });
    }
    this.waiting.push(input);
  }

  private answer(input: Waiting, effects: ShardEffect[]): void {
    const reply = input.type === 'get' ? this.get(input.keys) : this.ordered(input.op);
    effects.push({ type: 'reply', request: input.request, reply });
  }

  /** One pass checks every entry (valid, owned here, room for it), then all are applied: a put is stored whole or
   *  refused whole. */
  private put(entries: readonly DhtEntry[]): ShardReply {
    const placement = this.placement!;
    let count = this.store.size;
    let bytes = this.storedBytes;
    for (const e of entries) {
      const invalid = this.invalidEntry(e.key, e.value);
      if (invalid !== null) return invalid;
      if (!placement.isOwner(this.self, e.key))
        return { kind: 'notOwner', fingerprint: placement.fingerprint, key: e.key };
      const held = this.store.get(e.key);
      if (held === undefined) count++;
      bytes += sizeOf(e.key, e.value) - (held?.bytes ?? 0);
    }
    if (count > this.bounds.maxEntries && count > this.store.size)
      return { kind: 'full', bound: 'maxEntries', limit: this.bounds.maxEntries };
    if (bytes > this.bounds.maxStoredBytes && bytes > this.storedBytes)
      return { kind: 'full', bound: 'maxStoredBytes', limit: this.bounds.maxStoredBytes };
    for (const e of entries) {
      const held = this.store.get(e.key);
      if (held === undefined || newer(e.version, held.version)) this.write(e.key, e.value, e.version);
    }
    return { kind: 'stored', fingerprint: placement.fingerprint };
  }

  private get(keys: readonly string[]): ShardReply {
    const placement = this.placement!;
    for (const key of keys)
      if (!placement.isOwner(this.self, key))
        return { kind: 'notOwner', fingerprint: placement.fingerprint, key };
    return { kind: 'values', values: keys.map((k) => this.read(k)), owned: keys.map(() => true) };
  }

  private ordered(op: OrderedOp): ShardReply {
    const placement = this.placement!;
    if (op.kind === 'get') {
      const owned = op.keys.map((k) => placement.isOwner(this.self, k));
      return { kind: 'values', values: op.keys.map((k, i) => (owned[i] ? this.read(k) : null)), owned };
    }
    if (op.kind === 'aggregate') return this.aggregate(op.name, op.args);
    // Every member validates alike, so an ordered multi-key put is applied by all its owners or by none.
    const invalid = this.invalid(op.entries);
    if (invalid !== null) return invalid;
    for (const { key, value } of op.entries) {
      if (!placement.isOwner(this.self, key)) continue;
      const t = (this.store.get(key)?.version.t ?? 0) + 1;
      this.write(key, value, { t, w: op.writer });
    }
    return { kind: 'applied' };
  }

  private aggregate(name: string, args: readonly unknown[]): ShardReply {
    const map = this.aggregates.get(name);
    if (map === undefined) return { kind: 'invalid', reason: `no aggregate named "${name}" is registered` };
    const placement = this.placement!;
    const self = this.self;
    const store = this.store;
    // Each key counts once over the group: only its primary owner contributes it.
    function* primaries(): IterableIterator<readonly [string, DhtValue]> {
      for (const [key, s] of store) if (placement.primaryOf(key) === self) yield [key, s.value];
    }
    return { kind: 'partial', value: map(primaries(), ...args) };
  }

  private read(key: string): ReadValue {
    const s = this.store.get(key);
    return s === undefined ? null : { value: s.value, version: s.version };
  }

  private invalid(entries: ReadonlyArray<{ key: string; value: DhtValue }>): ShardReply | null {
    for (const { key, value } of entries) {
      const invalid = this.invalidEntry(key, value);
      if (invalid !== null) return invalid;
    }
    return null;
  }

  private invalidEntry(key: string, value: DhtValue): ShardReply | null {
    if (typeof key !== 'string' || key.length * 3 > this.bounds.maxKeyBytes)
      return { kind: 'invalid', reason: `key longer than maxKeyBytes (${this.bounds.maxKeyBytes})` };
    const bytes = typeof value === 'string' ? value.length * 3 : value?.byteLength;
    if (bytes === undefined || bytes > this.bounds.maxValueBytes)
      return {
        kind: 'invalid',
        reason: `value of "${key}" is not a string or bytes of at most maxValueBytes (${this.bounds.maxValueBytes})`,
      };
    return null;
  }

  private write(key: string, value: DhtValue, version: Version): void {
    const bytes = sizeOf(key, value);
    this.storedBytes += bytes - (this.store.get(key)?.bytes ?? 0);
    this.store.set(key, { value, version, bytes });
  }

  private remove(key: string): void {
    this.storedBytes -= this.store.get(key)?.bytes ?? 0;
    this.store.delete(key);
  }

  private clear(): void {
    this.store.clear();
    this.storedBytes = 0;
  }
}

function pushTo(out: Map<string, DhtEntry[]>, to: string, entry: DhtEntry): void {
  const list = out.get(to);
  if (list === undefined) out.set(to, [entry]);
  else list.push(entry);
}
