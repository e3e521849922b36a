/**
 * The public Group API across three real processes, each running two groups on one shared process runtime:
 * join and views (ranks, joined/left), FIFO send, orderedSend keeping a replicated variable identical everywhere,
 * and a leave that changes one group's view but not the other's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'test/vsync/member.ts';
const GROUPS = ['alpha', 'beta'];
const COUNT = 30;
const members: MemberProcess[] = [];

const of = (m: MemberProcess, event: string, group: string): MemberEvent[] =>
  m.events.filter((e) => e.event === event && e.group === group);
const lastView = (m: MemberProcess, group: string): MemberEvent | undefined => of(m, 'view', group).at(-1);

afterAll(async () => {
  await Promise.all(members.map((m) => m.stop(0)));
});

async function startThree(): Promise<string[]> {
  const founder = new MemberProcess('p0', PROGRAM, { groups: GROUPS });
  members.push(founder);
  const { address } = await founder.next((e) => e.event === 'ready');
  members.push(new MemberProcess('p1', PROGRAM, { groups: GROUPS, seeds: [address] }));
  members.push(new MemberProcess('p2', PROGRAM, { groups: GROUPS, seeds: [address] }));
  const ids: string[] = [];
  for (const m of members) ids.push((await m.next((e) => e.event === 'ready')).id as string);
  for (const m of members) {
    for (const group of GROUPS) {
      m.command({ cmd: 'join', group });
      await m.next((e) => e.event === 'joined' && e.group === group);
    }
  }
  return ids;
}

describe('Group API across 3 processes sharing one runtime per process', () => {
  it('joins, multicasts with send and orderedSend, and leaves one group', async () => {
    const ids = await startThree();
    for (const group of GROUPS) {
      await Promise.all(
        members.map((m) =>
          m.until(() => (lastView(m, group)?.members as string[] | undefined)?.length === 3),
        ),
      );
      const views = members.map((m) => lastView(m, group)!);
      expect(new Set(views.map((v) => `${v.id}:${(v.members as string[]).join(',')}`)).size).toBe(1);
      // Members are ranked oldest first, and each member finds itself at its own rank.
      expect(views[0].members).toEqual(ids);
      expect(views.map((v) => v.rank)).toEqual([0, 1, 2]);
    }

    for (const m of members) {
      m.command({ cmd: 'send', group: 'alpha', count: COUNT, ordering: 'fifo' });
      m.command({ cmd: 'update', group: 'beta', count: COUNT, key: 'Harry' });
    }
    await Promise.all(
      members.map((m) =>
        m.until(
          () =>
            of(m, 'deliver', 'alpha').length === 3 * COUNT && of(m, 'update', 'beta').length === 3 * COUNT,
        ),
      ),
    );
    for (const m of members) {
      for (const sender of members) {
        const seqs = of(m, 'deliver', 'alpha')
          .filter((e) => e.from === sender.name)
          .map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: COUNT }, (_, i) => i));
      }
    }
    const histories = members.map((m) => of(m, 'update', 'beta').map((e) => `${e.sender}=${e.value}`));
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);

    const leaver = members[2];
    leaver.command({ cmd: 'leave', group: 'beta' });
    await leaver.next((e) => e.event === 'left' && e.group === 'beta');
    const stayers = members.slice(0, 2);
    await Promise.all(
      stayers.map((m) => m.until(() => (lastView(m, 'beta')?.members as string[]).length === 2)),
    );
    for (const m of stayers) {
      expect(lastView(m, 'beta')!.left).toEqual([ids[2]]);
      expect(lastView(m, 'alpha')!.members).toEqual(ids);
    }
    expect(members.flatMap((m) => m.events.filter((e) => e.event === 'error'))).toEqual([]);

    for (const m of members) m.command({ cmd: 'exit' });
    await Promise.all(members.map((m) => m.stop(5_000)));
  });
});
