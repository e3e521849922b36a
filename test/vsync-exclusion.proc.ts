/**
 * A member frozen with SIGSTOP for longer than the failure timeout is excluded by the others (a false suspicion
 * ends in exclusion). When it resumes, the application hears of it through Group.onError with a typed error that
 * says what happens next, and the runtime rejoins as a new incarnation of the same address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'test/vsync/member.ts';
const members: MemberProcess[] = [];
const views = (m: MemberProcess): MemberEvent[] => m.events.filter((e) => e.event === 'view');
const lastMembers = (m: MemberProcess): string[] => (views(m).at(-1)?.members as string[] | undefined) ?? [];

afterAll(async () => {
  for (const m of members) m.kill('SIGCONT');
  await Promise.all(members.map((m) => m.stop(0)));
});

describe('exclusion and rejoin (3 real processes)', () => {
  it('reports exclusion through onError and rejoins with a higher incarnation', async () => {
    const options = {
      group: 'exclusion',
      heartbeatIntervalMs: 50,
      failureTimeoutMs: 500,
      rejoinOnExclusion: true,
    };
    const founder = new MemberProcess('x0', PROGRAM, options);
    members.push(founder);
    const { address } = await founder.next((e) => e.event === 'ready');
    members.push(
      new MemberProcess('x1', PROGRAM, { ...options, seeds: [address] }),
      new MemberProcess('x2', PROGRAM, { ...options, seeds: [address] }),
    );
    const ids = await Promise.all(
      members.map(async (m) => (await m.next((e) => e.event === 'ready')).id as string),
    );
    for (const m of members) {
      m.command({ cmd: 'join' });
      await m.next((e) => e.event === 'joined');
    }
    await Promise.all(members.map((m) => m.until(() => lastMembers(m).length === 3)));

    const frozen = members[2];
    frozen.kill('SIGSTOP');
    await Promise.all(
      members
        .slice(0, 2)
        .map((m) => m.until(() => lastMembers(m).length === 2 && !lastMembers(m).includes(ids[2]))),
    );
    frozen.kill('SIGCONT');

    const error = await frozen.next((e) => e.event === 'error');
    console.info(`frozen member heard: ${error.message}`);
    expect(['ExcludedError', 'MinorityPartitionError']).toContain(error.name);
    expect(error.message).toMatch(/rejoin|restart/);

    // The same address comes back as a new incarnation, never under its old identity.
    const [frozenAddress, oldIncarnation] = ids[2].split('/');
    const isReborn = (id: string): boolean =>
      id.startsWith(`${frozenAddress}/`) && Number(id.split('/')[1]) > Number(oldIncarnation);
    await Promise.all(
      members.map((m) => m.until(() => lastMembers(m).length === 3 && lastMembers(m).some(isReborn))),
    );
    expect(lastMembers(founder)).not.toContain(ids[2]);
    expect(new Set(members.map((m) => `${views(m).at(-1)!.id}:${lastMembers(m).join(',')}`)).size).toBe(1);
  });
});
