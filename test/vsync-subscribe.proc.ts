/**
 * Subscriptions across real OS processes: three members of a `results`-like group (test/vsync/member.ts) and a
 * subscriber outside it (test/vsync/subscribe/subscriber.ts) receiving the group's deliveries through a GroupClient
 * representative. Two members stream FIFO messages; mid-stream the subscriber's representative is SIGKILLed. The
 * subscriber must go on receiving through another member, never receive a message twice, and report as gaps exactly
 * the messages a survivor delivered that it did not receive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const MEMBER = 'test/vsync/member.ts';
const SUBSCRIBER = 'test/vsync/subscribe/subscriber.ts';
const GROUP = 'results';
const PER_SENDER = 400;
const KILL_AFTER = 200;

let processes: MemberProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.map((p) => p.stop(0)));
  processes = [];
});

const keyOf = (e: MemberEvent): string => `${String(e.from)}#${String(e.seq)}`;
const delivered = (m: MemberProcess): MemberEvent[] =>
  m.events.filter((e) => e.event === 'deliver' && e.group === GROUP);

async function threeMembers(): Promise<{ members: MemberProcess[]; addresses: string[] }> {
  const first = new MemberProcess('m0', MEMBER, { group: GROUP });
  processes.push(first);
  const seed = (await first.next((e) => e.event === 'ready')).address as string;
  const members = [first];
  for (const name of ['m1', 'm2'])
    members.push(new MemberProcess(name, MEMBER, { group: GROUP, seeds: [seed] }));
  processes.push(...members.slice(1));
  const addresses = await Promise.all(
    members.map(async (m) => (await m.next((e) => e.event === 'ready')).address as string),
  );
  members.forEach((m) => m.command({ cmd: 'join', group: GROUP }));
  await Promise.all(
    members.map((m) =>
      m.until(() => m.events.some((e) => e.event === 'view' && (e.members as string[]).length === 3)),
    ),
  );
  return { members, addresses };
}

describe('vsync subscriptions through a GroupClient (4 real processes, the representative SIGKILLed)', () => {
  it('keeps receiving through another member, drops doubles and reports gaps exactly', async () => {
    const { members, addresses } = await threeMembers();
    const subscriber = new MemberProcess('subscriber', SUBSCRIBER, { seeds: [addresses[0]], group: GROUP });
    processes.push(subscriber);
    const rep = (await subscriber.next((e) => e.event === 'started')).rep as string;
    const victim = members[addresses.indexOf(rep)];
    expect(victim).toBeDefined();
    const survivors = members.filter((m) => m !== victim);
    // The senders are the survivors: everything they send is delivered by every survivor.
    for (const sender of survivors)
      sender.command({ cmd: 'send', group: GROUP, count: PER_SENDER, ordering: 'fifo', intervalMs: 2 });
    const received = (): MemberEvent[] => subscriber.events.filter((e) => e.event === 'msg');
    await subscriber.until(() => received().length >= KILL_AFTER);
    victim.kill('SIGKILL');
    const receivedAtKill = received().length;

    await Promise.all(survivors.map((s) => s.next((e) => e.event === 'sendDone')));
    const expected = 2 * PER_SENDER;
    await survivors[0].until(() => delivered(survivors[0]).length >= expected);
    const gaps = (): MemberEvent[] => subscriber.events.filter((e) => e.event === 'gap');
    const accounted = (): number => received().length + gaps().reduce((n, g) => n + Number(g.count ?? 0), 0);
    await subscriber.until(() => accounted() >= expected);

    const keys = received().map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    const survivorKeys = new Set(delivered(survivors[0]).map(keyOf));
    expect(survivorKeys.size).toBe(expected);
    const missing = [...survivorKeys].filter((k) => !keys.includes(k));
    expect(gaps().filter((g) => g.count === undefined)).toEqual([]);
    expect(gaps().reduce((n, g) => n + Number(g.count), 0)).toBe(missing.length);
    expect(keys.every((k) => survivorKeys.has(k))).toBe(true);
    // FIFO per sender, through the failover too.
    for (const name of ['m0', 'm1', 'm2']) {
      const seqs = received()
        .filter((e) => e.from === name)
        .map((e) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    subscriber.command({ cmd: 'stats' });
    const stats = await subscriber.next((e) => e.event === 'stats');
    expect(stats.failovers).toBeGreaterThanOrEqual(1);
    expect(stats.rep).not.toBe(rep);
    console.info(
      `killed representative ${rep} after ${receivedAtKill} messages; received ${keys.length} of ${expected}, ` +
        `missing ${missing.length}, doubles dropped ${String(stats.doubles)}, failovers ${String(stats.failovers)}`,
    );
  });
});
