/**
 * Three real processes whose outgoing messages are dropped, duplicated and delayed (reordered) by the runtime's
 * seeded fault layer. Concurrent send and orderedSend traffic must still satisfy every invariant, and every
 * message must reach every member: the protocol's retransmission, not TCP, carries the guarantees.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkInvariants, type LogRecord } from './vsync/invariants';
import { MemberProcess } from './vsync/member-process';

const PROGRAM = 'test/vsync/member.ts';
const GROUPS = { fifo: 'lossy-fifo', total: 'lossy-total' } as const;
const COUNT = 100;
const members: MemberProcess[] = [];

afterAll(async () => {
  await Promise.all(members.map((m) => m.stop(0)));
});

const options = (seed: number): Record<string, unknown> => ({
  groups: Object.values(GROUPS),
  faults: { dropRate: 0.05, duplicateRate: 0.05, maxDelayMs: 3, seed },
});

describe('vsync over a lossy, duplicating, reordering network (3 real processes)', () => {
  it('keeps every invariant and delivers everything for send and orderedSend', async () => {
    const founder = new MemberProcess('f0', PROGRAM, options(1));
    members.push(founder);
    const { address } = await founder.next((e) => e.event === 'ready');
    for (const i of [1, 2])
      members.push(new MemberProcess(`f${i}`, PROGRAM, { ...options(i + 1), seeds: [address] }));
    const identities = new Map<string, string>();
    for (const m of members) identities.set(m.name, (await m.next((e) => e.event === 'ready')).id as string);
    for (const m of members) {
      for (const group of Object.values(GROUPS)) {
        m.command({ cmd: 'join', group });
        await m.next((e) => e.event === 'joined' && e.group === group);
      }
    }
    const lastSize = (m: MemberProcess, group: string): number =>
      (
        m.events.filter((e) => e.event === 'view' && e.group === group).at(-1)?.members as
          string[] | undefined
      )?.length ?? 0;
    await Promise.all(
      members.map((m) => m.until(() => Object.values(GROUPS).every((g) => lastSize(m, g) === 3))),
    );

    for (const m of members) {
      m.command({ cmd: 'send', group: GROUPS.fifo, count: COUNT, ordering: 'fifo' });
      m.command({ cmd: 'send', group: GROUPS.total, count: COUNT, ordering: 'total' });
    }
    const delivered = (m: MemberProcess, group: string): number =>
      m.events.filter((e) => e.event === 'deliver' && e.group === group).length;
    await Promise.all(
      members.map((m) => m.until(() => Object.values(GROUPS).every((g) => delivered(m, g) === 3 * COUNT))),
    );

    const sent = new Map(members.map((m) => [m.name, COUNT]));
    const names = members.map((m) => m.name);
    for (const group of Object.values(GROUPS)) {
      const logs = new Map(
        members.map((m) => [
          m.name,
          m.events.filter(
            (e) => e.group === group && (e.event === 'view' || e.event === 'deliver'),
          ) as unknown as LogRecord[],
        ]),
      );
      expect(checkInvariants(logs, { identities, sent, survivors: names })).toEqual([]);
    }
    expect(members.flatMap((m) => m.events.filter((e) => e.event === 'error'))).toEqual([]);
    // The faults really happened: every member's layer dropped, duplicated and delayed messages.
    for (const m of members) {
      m.command({ cmd: 'stats' });
      const { faults } = (await m.next((e) => e.event === 'stats')) as unknown as {
        faults: { dropped: number; duplicated: number; delayed: number };
      };
      expect(faults.dropped).toBeGreaterThan(0);
      expect(faults.duplicated).toBeGreaterThan(0);
      expect(faults.delayed).toBeGreaterThan(0);
    }
  });
});
