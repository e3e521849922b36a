import {
  DEFAULT_DHT_BOUNDS,
  DhtShard,
  type OrderedOp,
  Placement,
  type ShardEffect,
  type ShardInput,
  type ShardReply,
} from '../../dht';
import { type CoreOutput, processKey, type View } from '../../protocol';
import { Cluster, type SimNode } from '../cluster';
import { Prng } from '../prng';
import { checkDht } from './dht-checks';
import { DhtHistory } from './dht-history';

export { DHT_INVARIANTS } from './dht-checks';

export interface DhtRunResult {
  readonly seed: number;
  readonly violations: string[];
  readonly stats: {
    acked: number;
    reads: number;
    orderedOps: number;
    aggregates: number;
    crashes: number;
    moves: number;
    withinTolerance: boolean;
  };
}

const GROUP = 'dht';
const REPLICATION = 2;
const FAULTS_END_MS = 6_000;
const WORKLOAD_END_MS = 7_500;
const RUN_END_MS = 11_000;
const ONE_HOP_KEYS = 24;
const ORDERED_KEYS = 8;
const RETRY_MS = 40;
const OWNER_TIMEOUT_MS = 400;
const MAX_ATTEMPTS = 40;
const BOUNDS = { ...DEFAULT_DHT_BOUNDS, replication: REPLICATION, maxHandoverBatchBytes: 256 };
/** Each member's part of the 'keys' aggregate: the keys it is primary for (the check needs them, not a count). */
const AGGREGATES = new Map([
  ['keys', (entries: Iterable<readonly [string, unknown]>) => [...entries].map(([k]) => k)],
]);

/**
 * The DHT under the simulator's faults: 3 to 5 processes run a DhtShard each in group `dht` (replication 2) on real
 * ProcessCores (views, total order), members join and crash (one at a time, once the previous move finished: what
 * replication 2 survives), one-hop puts and gets go from any process to the owners it computes from its own view,
 * ordered puts, gets and aggregates go in the group's total order. The shards' own messages (handover, done, one-hop
 * requests and replies) travel on seeded FIFO links with delays. Checked after the run: DHT_INVARIANTS.
 */
export function runDhtSeed(seed: number): DhtRunResult {
  return new DhtRun(seed).run();
}

type Pending =
  | {
      readonly kind: 'oneHop';
      readonly client: string;
      readonly owner: string;
      readonly onReply: (r: ShardReply, viewId: number) => void;
    }
  | { readonly kind: 'ordered'; readonly op: string; readonly member: string };

interface OrderedRecord {
  readonly op: OrderedOp;
  readonly issuedAt: number;
  expected: readonly string[] | null;
  readonly parts: Map<string, ShardReply>;
}

class DhtRun {
  private readonly prng: Prng;
  private readonly c: Cluster;
  private readonly history = new DhtHistory();
  private readonly shards = new Map<string, DhtShard>();
  private readonly pending = new Map<number, Pending>();
  private readonly ordered = new Map<string, OrderedRecord>();
  private readonly lastArrival = new Map<string, number>();
  private readonly seenViews = new Set<number>();
  private readonly stats = {
    acked: 0,
    reads: 0,
    orderedOps: 0,
    aggregates: 0,
    crashes: 0,
    moves: 0,
    withinTolerance: true,
  };
  private nextRequest = 1;
  private clock = 0;

  constructor(private readonly seed: number) {
    this.prng = new Prng(seed * 104_729 + 17);
    this.c = new Cluster({ seed: seed + 500_000, nodes: 3 + (seed % 3), restartAfterExclusionMs: 300 });
    this.c.network.faults = {
      lossRate: this.prng.pick([0, 0.005, 0.01]),
      duplicateRate: this.prng.pick([0, 0.02]),
      baseDelayMs: 1,
      jitterMs: this.prng.pick([1, 5, 10]),
    };
    this.c.onOutput = (n, o) => this.onOutput(n, o);
  }

  run(): DhtRunResult {
    const c = this.c;
    for (const n of c.nodes) c.at(this.prng.int(0, 50), () => c.start(n.index));
    for (let t = 400; t < WORKLOAD_END_MS; t += 100) c.at(t, () => this.ensureJoined());
    for (let t = 700; t < WORKLOAD_END_MS; t += 20) c.at(t, () => this.act());
    const crashes = this.prng.int(1, 2);
    for (let i = 0; i < crashes; i++)
      c.at(this.prng.int(1_500, FAULTS_END_MS - 1_000), () => this.crashWhenMoved(0));
    c.at(
      FAULTS_END_MS,
      () => (c.network.faults = { lossRate: 0, duplicateRate: 0, baseDelayMs: 1, jitterMs: 1 }),
    );
    c.runUntil(RUN_END_MS);
    const live = this.c.nodes
      .filter((n) => n.alive && n.groups.has(GROUP))
      .map((n) => this.shards.get(n.key)!);
    this.stats.withinTolerance = this.history.overlappingRemovals === 0;
    const violations = checkDht(this.history, live, this.stats.withinTolerance);
    return { seed: this.seed, violations, stats: this.stats };
  }

  private onOutput(n: SimNode, o: CoreOutput): void {
    if (o.type === 'view' && o.group === GROUP) return this.onView(n, o.view);
    if (o.type !== 'deliver' || o.group !== GROUP || o.ordering !== 'total') return;
    const id = idOf(o.payload);
    const record = this.ordered.get(id);
    const shard = this.shards.get(n.key);
    if (record === undefined || shard === undefined) return;
    if (!this.history.totalOrder.includes(id)) this.history.totalOrder.push(id);
    record.expected ??= shard.owners?.members ?? [];
    const request = this.nextRequest++;
    this.pending.set(request, { kind: 'ordered', op: id, member: n.key });
    this.feed(n.key, { type: 'ordered', request, op: record.op });
  }

  private shardOf(key: string): DhtShard {
    let shard = this.shards.get(key);
    if (shard === undefined) this.shards.set(key, (shard = new DhtShard(key, BOUNDS, AGGREGATES)));
    return shard;
  }

  private onView(n: SimNode, view: View): void {
    if (!this.seenViews.has(view.systemViewId)) {
      this.seenViews.add(view.systemViewId);
      this.stats.moves++;
      const removes = view.left.length + view.failed.length > 0;
      if (removes && this.moving()) this.history.overlappingRemovals++;
    }
    const members = view.members.map(processKey);
    this.feed(n.key, {
      type: 'view',
      viewId: view.systemViewId,
      members,
      joined: view.joined.map(processKey),
    });
  }

  /** Whether some live member has not finished the previous move. */
  private moving(): boolean {
    return this.c.nodes.some(
      (n) => n.alive && n.groups.has(GROUP) && this.shards.get(n.key)?.filled === false,
    );
  }

  /** Feeds a live incarnation's shard, made at its first input: a message may reach a joiner before its view does
   *  (the runtime retries a p2p send the core refused for that reason; the shard holds it until the view). */
  private feed(key: string, input: ShardInput): void {
    if (this.nodeOf(key) === undefined) return;
    const shard = this.shardOf(key);
    for (const effect of shard.step(input)) this.perform(key, shard.viewId, effect);
  }

  private perform(from: string, viewId: number, effect: ShardEffect): void {
    if (effect.type === 'send') {
      const m = effect.message;
      const input: ShardInput =
        m.kind === 'done'
          ? { type: 'done', from, viewId: m.viewId }
          : { type: 'handover', from, viewId: m.viewId, entries: m.entries };
      return this.link(from, effect.to, () => this.feed(effect.to, input));
    }
    const pending = this.pending.get(effect.request);
    this.pending.delete(effect.request);
    if (pending?.kind === 'oneHop')
      this.link(from, pending.client, () => pending.onReply(effect.reply, viewId));
    else if (pending?.kind === 'ordered') this.orderedReply(pending.op, pending.member, effect.reply);
  }

  /** A reliable FIFO link between two incarnations: delivered in order after a delay, unless the receiver is gone. */
  private link(from: string, to: string, deliver: () => void): void {
    const pair = `${from}>${to}`;
    const at = Math.max(this.c.now + 1 + this.prng.int(0, 8), this.lastArrival.get(pair) ?? 0);
    this.lastArrival.set(pair, at);
    this.c.at(at, () => this.nodeOf(to) !== undefined && deliver());
  }

  private nodeOf(key: string): SimNode | undefined {
    return this.c.nodes.find((n) => n.key === key && n.alive);
  }

  private act(): void {
    const up = this.c.nodes.filter((n) => n.alive && n.core!.state === 'member');
    if (up.length === 0) return;
    const client = this.prng.pick(up);
    const roll = this.prng.next();
    if (roll < 0.35) this.oneHopPut(client, `k${this.prng.int(0, ONE_HOP_KEYS - 1)}`, 0);
    else if (roll < 0.65) this.oneHopGet(client, `k${this.prng.int(0, ONE_HOP_KEYS - 1)}`, 0);
    else this.orderedOp(roll);
  }

  private placementAt(client: SimNode): Placement | null {
    const members = client.core?.systemView?.groups.find((g) => g.name === GROUP)?.members ?? [];
    return members.length === 0 ? null : new Placement(members.map(processKey), REPLICATION);
  }

  private oneHopPut(client: SimNode, key: string, attempt: number, t = ++this.clock): void {
    const placement = this.placementAt(client);
    if (!client.alive || attempt >= MAX_ATTEMPTS) return;
    const retry = (): void =>
      this.c.at(this.c.now + RETRY_MS, () => this.oneHopPut(client, key, attempt + 1, t));
    if (placement === null) return retry();
    const owners = placement.ownersOf(key);
    const stored = new Map<string, number>();
    let settled = false;
    const entries = [{ key, value: `${client.key}:${t}`, version: { t, w: client.key } }];
    for (const owner of owners)
      this.oneHop(client, owner, { type: 'put', request: 0, entries }, (reply, viewId) => {
        if (settled) return;
        if (reply.kind !== 'stored' || reply.fingerprint !== placement.fingerprint)
          return void ((settled = true), retry());
        stored.set(owner, viewId);
        if (stored.size < owners.length) return;
        settled = true;
        this.stats.acked++;
        this.history.acked.push({ key, t, ackedAt: this.c.now, viewId: Math.max(...stored.values()) });
      });
    this.c.at(this.c.now + OWNER_TIMEOUT_MS, () => !settled && ((settled = true), retry()));
  }

  private oneHopGet(client: SimNode, key: string, attempt: number): void {
    const placement = this.placementAt(client);
    if (placement === null || attempt >= MAX_ATTEMPTS) return;
    const issuedAt = this.c.now;
    this.oneHop(
      client,
      placement.primaryOf(key)!,
      { type: 'get', request: 0, keys: [key] },
      (reply, viewId) => {
        if (reply.kind !== 'values')
          return void this.c.at(this.c.now + RETRY_MS, () => this.oneHopGet(client, key, attempt + 1));
        this.stats.reads++;
        this.history.reads.push({ key, issuedAt, viewId, t: reply.values[0]?.version.t ?? null });
      },
    );
  }

  private oneHop(
    client: SimNode,
    owner: string,
    input: Extract<ShardInput, { type: 'put' } | { type: 'get' }>,
    onReply: (reply: ShardReply, viewId: number) => void,
  ): void {
    const request = this.nextRequest++;
    const clientKey = client.key;
    this.pending.set(request, { kind: 'oneHop', client: clientKey, owner, onReply });
    this.link(clientKey, owner, () => this.feed(owner, { ...input, request }));
  }

  /** An ordered put (1..3 keys), get or aggregate, multicast in total order by a member. */
  private orderedOp(roll: number): void {
    const members = this.c.nodes.filter((n) => n.alive && n.groups.has(GROUP));
    if (members.length === 0) return;
    const n = this.prng.pick(members);
    const id = `${n.key}/${GROUP}/total/${(n.issued.get(`${GROUP}|total`) ?? 0) + 1}`;
    const keys = Array.from({ length: this.prng.int(1, 3) }, () => `o${this.prng.int(0, ORDERED_KEYS - 1)}`);
    let op: OrderedOp;
    if (roll < 0.85) {
      const entries = [...new Set(keys)].map((key) => ({ key, value: id }));
      op = { kind: 'put', writer: n.key, entries };
      this.history.orderedPuts.set(
        id,
        entries.map((e) => [e.key, e.value] as const),
      );
    } else if (roll < 0.95) op = { kind: 'get', keys };
    else op = { kind: 'aggregate', name: 'keys', args: [] };
    // Registered before the multicast: the core may deliver a member's own message within the same step.
    this.ordered.set(id, { op, issuedAt: this.c.now, expected: null, parts: new Map() });
    this.stats.orderedOps++;
    this.c.multicast(n.index, GROUP, 'total');
  }

  private orderedReply(id: string, member: string, reply: ShardReply): void {
    const record = this.ordered.get(id)!;
    record.parts.set(member, reply);
    if (record.op.kind === 'get' && reply.kind === 'values')
      record.op.keys.forEach((key, i) => {
        if (reply.owned[i])
          this.history.orderedReads.push({ op: id, owner: member, key, value: reply.values[i] });
      });
    if (record.op.kind !== 'aggregate' || !record.expected!.every((m) => record.parts.has(m))) return;
    const parts = record.expected!.map((m) => {
      const part = record.parts.get(m)!;
      return part.kind === 'partial' ? (part.value as string[]) : [];
    });
    this.stats.aggregates++;
    this.history.aggregates.push({ op: id, issuedAt: record.issuedAt, parts });
  }

  private ensureJoined(): void {
    for (const n of this.c.nodes) {
      if (!n.alive || n.core!.state !== 'member' || n.groups.has(GROUP)) continue;
      if ([...n.requests.values()].some((r) => r.kind === 'join' && r.group === GROUP)) continue;
      if (this.prng.chance(0.5)) this.c.join(n.index, GROUP);
    }
  }

  /** Crashes a member once every member finished the last move and the system is settled (what replication 2
   *  survives), keeping a majority up; it restarts a while later and joins again. */
  private crashWhenMoved(attempt: number): void {
    const up = this.c.nodes.filter((n) => n.alive);
    const members = up.filter((n) => n.groups.has(GROUP));
    const ready =
      this.c.settled() &&
      !this.moving() &&
      members.length >= 2 &&
      up.length > Math.ceil(this.c.nodes.length / 2);
    if (!ready) {
      if (attempt < 40) this.c.at(this.c.now + 100, () => this.crashWhenMoved(attempt + 1));
      return;
    }
    const victim = this.prng.pick(members);
    this.stats.crashes++;
    this.c.crash(victim.index);
    this.c.at(this.c.now + this.prng.int(400, 1_500), () => this.c.start(victim.index));
  }
}

function idOf(payload: Uint8Array): string {
  const end = payload.indexOf(0);
  return new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
}
