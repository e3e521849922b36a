import { describe, expect, it } from 'vitest';
import { DhtShard, type ShardEffect, type ShardInput, type ShardReply } from './dht-shard';
import { DEFAULT_DHT_BOUNDS, type DhtBounds } from './dht-types';
import { Placement } from './placement';

/** Shards wired by FIFO links that deliver only when told to, so a test can hold the move half-way. */
class Harness {
  readonly shards = new Map<string, DhtShard>();
  readonly links: Array<{ from: string; to: string; input: ShardInput }> = [];
  readonly replies = new Map<number, ShardReply>();
  private request = 0;

  constructor(private readonly bounds: DhtBounds = { ...DEFAULT_DHT_BOUNDS, replication: 2 }) {}

  view(viewId: number, members: string[], joined: string[]): void {
    for (const m of members) if (!this.shards.has(m)) this.shards.set(m, new DhtShard(m, this.bounds));
    for (const m of [...this.shards.keys()]) if (!members.includes(m)) this.shards.delete(m);
    for (const m of members) this.apply(m, { type: 'view', viewId, members, joined });
  }

  put(at: string, key: string, value: string, t: number): ShardReply | undefined {
    const request = ++this.request;
    this.apply(at, { type: 'put', request, entries: [{ key, value, version: { t, w: 'c' } }] });
    return this.replies.get(request);
  }

  get(at: string, key: string): number {
    const request = ++this.request;
    this.apply(at, { type: 'get', request, keys: [key] });
    return request;
  }

  deliverAll(): void {
    while (this.links.length > 0) {
      const { to, input } = this.links.shift()!;
      if (this.shards.has(to)) this.apply(to, input);
    }
  }

  apply(at: string, input: ShardInput): void {
    this.perform(at, this.shards.get(at)!.step(input));
  }

  private perform(from: string, effects: readonly ShardEffect[]): void {
    for (const e of effects) {
      if (e.type === 'reply') this.replies.set(e.request, e.reply);
      else if (e.message.kind === 'done')
        this.links.push({ from, to: e.to, input: { type: 'done', from, viewId: e.message.viewId } });
      else {
        const { viewId, entries } = e.message;
        this.links.push({ from, to: e.to, input: { type: 'handover', from, viewId, entries } });
      }
    }
  }
}

const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);

function putAll(h: Harness, members: string[]): void {
  const placement = new Placement(members, 2);
  for (const key of keys)
    for (const owner of placement.ownersOf(key))
      expect(h.put(owner, key, `v-${key}`, 1)?.kind).toBe('stored');
}

describe('Placement', () => {
  it('gives every key min(r, n) distinct owners, the same whatever order the members are listed in', () => {
    const a = new Placement(['a', 'b', 'c', 'd'], 2);
    const b = new Placement(['d', 'c', 'b', 'a'], 2);
    for (const key of keys) {
      expect(a.ownersOf(key)).toEqual(b.ownersOf(key));
      expect(new Set(a.ownersOf(key)).size).toBe(2);
    }
    expect(new Placement(['a'], 3).ownersOf('x')).toEqual(['a']);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('moves only the keys whose owners changed when a member joins', () => {
    const before = new Placement(['a', 'b', 'c'], 1);
    const after = new Placement(['a', 'b', 'c', 'd'], 1);
    const moved = keys.filter((k) => before.primaryOf(k) !== after.primaryOf(k));
    expect(moved.every((k) => after.primaryOf(k) === 'd')).toBe(true);
    expect(moved.length).toBeGreaterThan(20);
    expect(moved.length).toBeLessThan(100);
  });
});

describe('DhtShard', () => {
  it('moves every key to a joiner and drops it where it is no longer owned: none lost, none duplicated', () => {
    const h = new Harness();
    h.view(1, ['a', 'b', 'c'], ['a', 'b', 'c']);
    h.deliverAll();
    putAll(h, ['a', 'b', 'c']);
    h.view(2, ['a', 'b', 'c', 'd'], ['d']);
    h.deliverAll();
    const placement = new Placement(['a', 'b', 'c', 'd'], 2);
    for (const [name, shard] of h.shards) {
      expect(shard.filled).toBe(true);
      for (const e of shard.entries()) expect(placement.isOwner(name, e.key)).toBe(true);
    }
    const held = [...h.shards.values()].reduce((sum, s) => sum + s.size, 0);
    expect(held).toBe(keys.length * 2);
  });

  it('makes a read at a new owner wait for the move, then answers it with the moved value', () => {
    const h = new Harness();
    h.view(1, ['a', 'b'], ['a', 'b']);
    h.deliverAll();
    putAll(h, ['a', 'b']);
    h.view(2, ['a', 'c'], ['c']); // b fails: its keys' second owner is now c
    const key = keys.find((k) => new Placement(['a', 'c'], 2).primaryOf(k) === 'c')!;
    const read = h.get('c', key);
    expect(h.replies.has(read)).toBe(false);
    h.deliverAll();
    expect(h.replies.get(read)).toEqual({
      kind: 'values',
      values: [{ value: `v-${key}`, version: { t: 1, w: 'c' } }],
      owned: [true],
    });
  });

  it('refuses a put for a key it does not own, naming the key and its placement', () => {
    const h = new Harness();
    h.view(1, ['a', 'b', 'c'], ['a', 'b', 'c']);
    const key = keys.find((k) => !new Placement(['a', 'b', 'c'], 2).isOwner('a', k))!;
    expect(h.put('a', key, 'x', 1)).toMatchObject({ kind: 'notOwner', key });
  });

  it('refuses a put past maxEntries with the bound named, and keeps the last writer (higher version)', () => {
    const h = new Harness({ ...DEFAULT_DHT_BOUNDS, replication: 1, maxEntries: 2 });
    h.view(1, ['a'], ['a']);
    expect(h.put('a', 'k1', 'x', 1)?.kind).toBe('stored');
    expect(h.put('a', 'k2', 'x', 1)?.kind).toBe('stored');
    expect(h.put('a', 'k3', 'x', 1)).toEqual({ kind: 'full', bound: 'maxEntries', limit: 2 });
    expect(h.put('a', 'k1', 'old', 0)?.kind).toBe('stored');
    h.put('a', 'k1', 'new', 5);
    const read = h.get('a', 'k1');
    expect(h.replies.get(read)).toMatchObject({ values: [{ value: 'new' }] });
  });

  it('applies an ordered multi-key put at every owner with the same versions', () => {
    const h = new Harness();
    h.view(1, ['a', 'b', 'c'], ['a', 'b', 'c']);
    h.deliverAll();
    const op = {
      kind: 'put' as const,
      entries: keys.slice(0, 20).map((key) => ({ key, value: 'o' })),
      writer: 'w',
    };
    for (const m of ['a', 'b', 'c']) h.apply(m, { type: 'ordered', request: 100, op });
    const held = [...h.shards.values()].flatMap((s) => [...s.entries()]);
    expect(held.length).toBe(40);
    expect(new Set(held.map((e) => e.version.t))).toEqual(new Set([1]));
  });
});

describe('Placement.isOwner', () => {
  it('agrees with ownersOf for every member and key, ties included', () => {
    for (const members of [['a'], ['a', 'b'], ['a', 'b', 'c', 'd', 'e']])
      for (const r of [1, 2, 3]) {
        const placement = new Placement(members, r);
        for (const key of keys)
          for (const m of [...members, 'stranger'])
            expect(placement.isOwner(m, key)).toBe(placement.ownersOf(key).includes(m));
      }
  });
});
