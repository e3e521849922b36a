import { afterEach, describe, expect, it } from 'vitest';
import { processKey } from '../protocol';
import { Group, VsyncProcess } from '../runtime';
import { DhtClient } from './dht-client';
import { DhtMember } from './dht-member';
import { DhtFullError } from './errors';
import { Placement } from './placement';

const FAST = { core: { heartbeatIntervalMs: 20, failureTimeoutMs: 400 }, shutdownLingerMs: 20 };
const processes: VsyncProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.shutdown().catch(() => undefined)));
});

const count = (entries: Iterable<readonly [string, unknown]>): number => [...entries].length;

async function member(seed?: string, maxEntries?: number): Promise<{ group: Group; dht: DhtMember }> {
  const process = new VsyncProcess({
    ...FAST,
    seeds: seed ? [seed] : undefined,
    founder: seed === undefined,
  });
  processes.push(process);
  const group = new Group('kv', { process });
  const dht = new DhtMember(group, { replication: 2, maxEntries, aggregates: { count } });
  await group.join();
  return { group, dht };
}

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(test()).toBe(true);
}

describe('DhtMember and DhtClient on loopback', () => {
  it('stores one-hop and ordered writes at their owners, keeps them through a join and a leave, counts keys once', async () => {
    const first = await member();
    const seed = first.group.process.self.address;
    const members = [first, await member(seed), await member(seed)];
    const outsider = new VsyncProcess({ ...FAST, seeds: [seed] });
    processes.push(outsider);
    await outsider.start();
    await until(() => outsider.systemView?.groups.find((g) => g.name === 'kv')?.members.length === 3);
    const client = new DhtClient('kv', outsider);
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    await client.putMany(keys.map((k) => [k, `v-${k}`]));
    await client.orderedPut([
      ['o1', 'a'],
      ['o2', 'b'],
    ]);
    expect(await client.getMany(['k0', 'k299', 'nothing'])).toEqual(['v-k0', 'v-k299', undefined]);
    expect(await client.orderedGet(['o1', 'o2'])).toEqual(['a', 'b']);
    const sum = (parts: unknown[]) => parts.reduce<number>((s, p) => s + (p as number), 0);
    expect(await client.aggregate('count', [], sum)).toBe(302);

    members.push(await member(seed));
    await members[1].group.close();
    const live = [members[0], members[2], members[3]];
    await until(() => live.every((m) => m.dht.shard.filled && m.group.view?.members.length === 3));
    const placement = new Placement(
      live.map((m) => processKey(m.group.process.self)),
      2,
    );
    for (const m of live)
      for (const e of m.dht.shard.entries())
        expect(placement.isOwner(processKey(m.group.process.self), e.key)).toBe(true);
    expect(live.reduce((s, m) => s + m.dht.shard.size, 0)).toBe(302 * 2);
    expect(await client.getMany(keys)).toEqual(keys.map((k) => `v-${k}`));
    expect(await client.aggregate('count', [], sum)).toBe(302);
  }, 30_000);

  it('refuses a put at a full member with DhtFullError naming the bound', async () => {
    const only = await member(undefined, 3);
    const client = new DhtClient('kv', only.group.process, { group: only.group, replication: 2 });
    await client.putMany([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    await expect(client.put('d', '4')).rejects.toThrow(DhtFullError);
    await expect(client.put('d', '4')).rejects.toThrow(/maxEntries \(3\)/);
    expect(await client.get('c')).toBe('3');
  }, 20_000);
});
