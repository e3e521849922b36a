/**
 * Five member processes on loopback multicast concurrently with orderedSend; one is killed with SIGKILL mid-stream.
 * The survivors must install the same new view without it, deliver every survivor's messages, and their logs must
 * satisfy view agreement, view synchrony, FIFO, total order and integrity.
 *
 * With a membership service of three in the five: two learners killed at once leave the service deciding on, while
 * two of the three service members killed leave the three live processes unable to decide (a minority partition).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkInvariants, type LogRecord } from './vsync/invariants';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'test/vsync/member.ts';
const GROUP = 'sigkill';
const MEMBERS = 5;
const MESSAGES_PER_MEMBER = 150;
/** A small send window paces every sender by stability, so the streams are still flowing at the kill. */
const SEND_WINDOW_MESSAGES = 8;
/** The victim is killed once it has delivered this many messages, i.e. mid-stream. */
const KILL_AFTER_DELIVERIES = 60;

let members: MemberProcess[] = [];
const deliveries = (m: MemberProcess): number => m.events.filter((e) => e.event === 'deliver').length;
const views = (m: MemberProcess): MemberEvent[] => m.events.filter((e) => e.event === 'view');
const holds = (view: MemberEvent, id: string): boolean => (view.members as string[]).includes(id);

/** The first view a member installed after one that held `id` and which no longer holds it. */
function viewAfterLoss(m: MemberProcess, id: string): MemberEvent | undefined {
  const all = views(m);
  const lastWith = all.findLastIndex((v) => holds(v, id));
  return lastWith < 0 ? undefined : all.slice(lastWith + 1).find((v) => !holds(v, id));
}

afterEach(async () => {
  await Promise.all(members.map((m) => m.stop(0)));
  members = [];
});

async function startCluster(): Promise<Map<string, string>> {
  const founder = new MemberProcess('m0', PROGRAM, {
    group: GROUP,
    sendWindowMessages: SEND_WINDOW_MESSAGES,
  });
  members.push(founder);
  const ready = await founder.next((e) => e.event === 'ready');
  for (let i = 1; i < MEMBERS; i += 1)
    members.push(
      new MemberProcess(`m${i}`, PROGRAM, {
        group: GROUP,
        seeds: [ready.address],
        sendWindowMessages: SEND_WINDOW_MESSAGES,
      }),
    );
  const identities = new Map<string, string>();
  for (const m of members) identities.set(m.name, (await m.next((e) => e.event === 'ready')).id as string);
  founder.command({ cmd: 'join' });
  await founder.next((e) => e.event === 'joined');
  for (const m of members.slice(1)) m.command({ cmd: 'join' });
  await Promise.all(
    members.map((m) => m.until(() => views(m).some((v) => (v.members as string[]).length === MEMBERS))),
  );
  return identities;
}

describe('vsync under SIGKILL (5 real processes)', () => {
  it.each([
    ['a member', 3],
    ['the oldest member (membership leader)', 0],
  ])(
    'after killing %s, survivors agree on the new view and their logs satisfy the invariants',
    async (_who, victimIndex) => {
      const identities = await startCluster();
      const victim = members[victimIndex];
      const survivors = members.filter((m) => m !== victim);
      for (const m of members) m.command({ cmd: 'send', count: MESSAGES_PER_MEMBER, ordering: 'total' });

      await victim.until(() => deliveries(victim) >= KILL_AFTER_DELIVERIES);
      victim.kill('SIGKILL');
      const sentAtKill = victim.events.filter((e) => e.event === 'sent').length;
      const victimId = identities.get(victim.name)!;

      const allFromSurvivors = MESSAGES_PER_MEMBER * survivors.length;
      const fromSurvivors = (m: MemberProcess): number =>
        m.events.filter((e) => e.event === 'deliver' && e.from !== victim.name).length;
      await Promise.all(
        survivors.map((m) =>
          m.until(() => fromSurvivors(m) >= allFromSurvivors && viewAfterLoss(m, victimId) !== undefined),
        ),
      );

      // The same new view, without the victim and naming it as failed, on every survivor.
      const firstViewWithout = survivors.map((m) => viewAfterLoss(m, victimId)!);
      expect(new Set(firstViewWithout.map((v) => `${v.id}:${(v.members as string[]).join(',')}`)).size).toBe(
        1,
      );
      expect(firstViewWithout[0].members).toHaveLength(MEMBERS - 1);
      expect(firstViewWithout[0].failed).toEqual([victimId]);

      // The kill landed mid-stream: the victim had not finished sending.
      expect(sentAtKill).toBeLessThan(MESSAGES_PER_MEMBER);

      const sent = new Map<string, number>();
      for (const m of members) sent.set(m.name, m.events.filter((e) => e.event === 'sent').length);
      for (const m of survivors) expect(sent.get(m.name)).toBe(MESSAGES_PER_MEMBER);
      // The victim may have handed messages to the library that it had not yet reported as sent.
      sent.set(victim.name, MESSAGES_PER_MEMBER);

      const fromVictim = survivors.map(
        (m) => m.events.filter((e) => e.event === 'deliver' && e.from === victim.name).length,
      );
      console.info(
        `victim reported ${sentAtKill} sent at the kill; survivors delivered [${fromVictim}] of its messages; new view ${firstViewWithout[0].id}`,
      );
      const logs = new Map(
        members.map((m) => [
          m.name,
          m.events.filter((e) => e.event === 'view' || e.event === 'deliver') as unknown as LogRecord[],
        ]),
      );
      const violations = checkInvariants(logs, { identities, sent, survivors: survivors.map((m) => m.name) });
      expect(violations).toEqual([]);
      expect(survivors.flatMap((m) => m.events.filter((e) => e.event === 'error'))).toEqual([]);

      for (const m of survivors) m.command({ cmd: 'exit' });
      await Promise.all(survivors.map((m) => m.stop(5_000)));
    },
  );
});

describe('vsync membership service of three in a system of five (real processes)', () => {
  const SERVICE = { membershipServiceSize: 3 };

  /**
   * Starts the five one after the other, each joining the system and the group before the next starts, so system
   * seniority (which decides the service: the three oldest) is the start order. The group view alone would not tell:
   * a group lists members in the order they joined the group, not the system.
   */
  async function startInOrder(): Promise<Map<string, string>> {
    const identities = new Map<string, string>();
    let seed: string | undefined;
    for (let i = 0; i < MEMBERS; i += 1) {
      const m = new MemberProcess(`m${i}`, PROGRAM, {
        group: GROUP,
        sendWindowMessages: SEND_WINDOW_MESSAGES,
        ...SERVICE,
        ...(seed === undefined ? {} : { seeds: [seed] }),
      });
      members.push(m);
      const ready = await m.next((e) => e.event === 'ready');
      seed ??= ready.address as string;
      identities.set(m.name, ready.id as string);
      m.command({ cmd: 'join' });
      await m.next((e) => e.event === 'joined');
    }
    await Promise.all(
      members.map((m) => m.until(() => views(m).some((v) => (v.members as string[]).length === MEMBERS))),
    );
    return identities;
  }

  it('goes on without two learners killed at once: the three service members install the next view', async () => {
    const identities = await startInOrder();
    const ranked = [...members];
    const survivors = ranked.slice(0, 3);
    const victims = ranked.slice(3);
    for (const m of members) m.command({ cmd: 'send', count: MESSAGES_PER_MEMBER, ordering: 'total' });
    await victims[0].until(() => deliveries(victims[0]) >= KILL_AFTER_DELIVERIES);
    const viewsAtKill = new Map(survivors.map((m) => [m, views(m).length]));
    for (const v of victims) v.kill('SIGKILL');
    const victimIds = victims.map((v) => identities.get(v.name)!);
    // The first view installed after the kill that leaves out both victims (one change or two).
    const without = (m: MemberProcess): MemberEvent | undefined =>
      views(m)
        .slice(viewsAtKill.get(m))
        .find((v) => victimIds.every((id) => !holds(v, id)));
    await Promise.all(survivors.map((m) => m.until(() => without(m) !== undefined)));
    const first = survivors.map((m) => without(m)!);
    expect(new Set(first.map((v) => `${v.id}:${(v.members as string[]).join(',')}`)).size).toBe(1);
    expect(first[0].members).toEqual(survivors.map((m) => identities.get(m.name)));
    expect(survivors.flatMap((m) => m.events.filter((e) => e.event === 'error'))).toEqual([]);
  });

  it('stops deciding when two of the three service members die: the other processes leave as a minority', async () => {
    await startInOrder();
    const ranked = [...members];
    const rest = ranked.slice(2);
    const viewsAtKill = rest.map((m) => views(m).length);
    for (const victim of ranked.slice(0, 2)) victim.kill('SIGKILL');
    // Three of five processes live, but only one of the three service members: no view may be decided.
    await Promise.all(
      rest.map((m) =>
        m.until(() => m.events.some((e) => e.event === 'error' && e.name === 'MinorityPartitionError')),
      ),
    );
    rest.forEach((m, i) => expect(views(m).length).toBe(viewsAtKill[i]));
  });
});
