/**
 * The DHT across real OS processes: three members (bench/dht/member.ts, replication 2) and this test process as a
 * client outside the group (DhtClient over its own VsyncProcess). After a first batch of puts, the client keeps
 * writing new keys and overwriting old ones and reads back keys whose last write was acknowledged, while one member
 * is SIGKILLed and a fourth joins: every read must return the last acknowledged value (reads during the move wait at
 * a new owner until its fill completes), and at the end every acknowledged key is readable with its last value and
 * held by exactly two members, both its owners.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DhtClient, Placement, VsyncProcess } from '@gridcloud/vsync';
import { MemberProcess } from './vsync/member-process';

const MEMBER = 'bench/dht/member.ts';
const FIRST_KEYS = 300;

let processes: MemberProcess[] = [];
let client: VsyncProcess | undefined;
afterEach(async () => {
  await client?.shutdown().catch(() => undefined);
  await Promise.all(processes.map((p) => p.stop(0)));
  processes = [];
});

function member(name: string, options: Record<string, unknown>): MemberProcess {
  const m = new MemberProcess(name, MEMBER, { replication: 2, ...options });
  processes.push(m);
  return m;
}

const hasView = (m: MemberProcess, test: (members: string[]) => boolean, from = 0) =>
  m.next((e) => e.event === 'filled' && test(members(m, e.id as number)), from);

function members(m: MemberProcess, viewId: number): string[] {
  return (m.events.find((e) => e.event === 'view' && e.id === viewId)?.members as string[]) ?? [];
}

describe('vsync DHT (3 member processes, one SIGKILLed, one joining)', () => {
  it('loses no acknowledged key and reads the last acknowledged value during the move', async () => {
    const first = member('d0', { founder: true });
    const seed = (await first.next((e) => e.event === 'ready')).address as string;
    const group = [first, member('d1', { seeds: [seed] }), member('d2', { seeds: [seed] })];
    await Promise.all(group.map((m) => hasView(m, (ms) => ms.length === 3)));
    client = new VsyncProcess({ seeds: [seed], shutdownLingerMs: 20 });
    await client.start();
    const dht = new DhtClient('dht', client, { replication: 2, timeoutMs: 1_000, maxAttempts: 200 });
    while (client.systemView?.groups.find((g) => g.name === 'dht')?.members.length !== 3)
      await new Promise((resolve) => setTimeout(resolve, 20));

    const acked = new Map<string, string>();
    const firstKeys = Array.from({ length: FIRST_KEYS }, (_, i) => [`key-${i}`, `v0-${i}`] as const);
    await dht.putMany(firstKeys);
    for (const [k, v] of firstKeys) acked.set(k, v);

    // The workload: one write (a new key or an overwrite), then a read of an acknowledged key, until stopped.
    const wrong: string[] = [];
    let reads = 0;
    let stop = false;
    const workload = (async () => {
      for (let i = 0; !stop; i++) {
        const key = i % 3 === 0 ? `key-${i % FIRST_KEYS}` : `new-${i}`;
        const value = `v1-${i}`;
        await dht.put(key, value);
        acked.set(key, value);
        const probe = `key-${(i * 7) % FIRST_KEYS}`;
        const expected = acked.get(probe);
        const got = await dht.get(probe);
        reads++;
        if (got !== expected)
          wrong.push(`${probe}: read ${String(got)}, last acknowledged ${String(expected)}`);
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const victim = group[1];
    victim.kill('SIGKILL');
    const from = first.events.length;
    const joiner = member('d3', { seeds: [seed] });
    await hasView(joiner, (ms) => ms.length === 3 && !ms.includes(keyOf(victim)));
    const survivors = [group[0], group[2], joiner];
    await Promise.all(
      survivors.map((m) =>
        hasView(m, (ms) => ms.length === 3 && !ms.includes(keyOf(victim)), m === first ? from : 0),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await workload;

    expect(wrong).toEqual([]);
    expect(reads).toBeGreaterThan(20);
    const keys = [...acked.keys()];
    expect(await dht.getMany(keys)).toEqual(keys.map((k) => acked.get(k)));

    // Every key at exactly its two owners: none lost, none left behind at a former owner.
    const holders = new Map<string, string[]>();
    for (const m of survivors) {
      const at = m.events.length;
      m.command({ cmd: 'shard' });
      const shard = await m.next((e) => e.event === 'shard', at);
      for (const key of shard.keys as string[]) holders.set(key, [...(holders.get(key) ?? []), keyOf(m)]);
    }
    const placement = new Placement(survivors.map(keyOf), 2);
    for (const key of keys) expect(holders.get(key)?.sort()).toEqual(placement.ownersOf(key).sort());
  }, 90_000);
});

function keyOf(m: MemberProcess): string {
  return m.events.find((e) => e.event === 'ready')!.key as string;
}
