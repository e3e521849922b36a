import { afterEach, describe, expect, it } from 'vitest';
import { QueryAbortedError, QueryTimeoutError } from '../protocol';
import { VsyncOptionsError } from './errors/vsync-options-error';
import { Group } from './group';
import { GroupClient } from './group-client';
import { ALL, MAJORITY, splitQueryArguments } from './query-call';
import { VsyncProcess } from './vsync-process';

const ASK = 1;
const SLOW = 2;
const PICKY = 3;
const NOTE = 4;
const FAST = { core: { heartbeatIntervalMs: 20, failureTimeoutMs: 400 }, shutdownLingerMs: 20 };
const processes: VsyncProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.shutdown()));
});

/** Three members of group `q` on loopback; member i answers ASK with `i`, SLOW after a delay, PICKY by its rules. */
async function threeMembers(): Promise<{ groups: Group[]; notes: string[] }> {
  const notes: string[] = [];
  const groups: Group[] = [];
  let seed: string | undefined;
  for (let i = 0; i < 3; i++) {
    const process = new VsyncProcess({
      ...FAST,
      seeds: seed ? [seed] : undefined,
      founder: i === 0 ? true : false,
    });
    processes.push(process);
    const g = new Group('q', { process });
    g.handle(ASK, (x: number) => x * 10 + i);
    g.handle(SLOW, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return `slow-${i}`;
    });
    g.handle(PICKY, (mode: string) => {
      if (mode === 'null' && i === 1) return g.nullReply();
      if (mode === 'abort' && i === 2) return g.abortReply('member 2 says no');
      if (mode === 'throw' && i === 2) throw new Error('handler broke');
      g.reply(`explicit-${i}`);
      return 'ignored';
    });
    g.handle(NOTE, (text: string) => notes.push(`${i}:${text}:${g.delivery!.ordering}`));
    g.onError((error) => notes.push(`error ${i}: ${error.name}`));
    await g.join();
    seed ??= process.self.address;
    groups.push(g);
  }
  while (groups.some((g) => g.view!.members.length < 3))
    await new Promise((resolve) => setTimeout(resolve, 5));
  return { groups, notes };
}

describe('Group queries over real processes on loopback', () => {
  it('query(ALL) returns each member return value, oldest first; async handlers are awaited; want counts', async () => {
    const { groups } = await threeMembers();
    await expect(groups[1].query(ALL, ASK, 4)).resolves.toEqual([40, 41, 42]);
    await expect(groups[2].orderedQuery(ALL, SLOW)).resolves.toEqual(['slow-0', 'slow-1', 'slow-2']);
    expect(await groups[0].query(1, ASK, 1)).toHaveLength(1);
    expect((await groups[0].orderedQuery(MAJORITY, ASK, 1)).length).toBeGreaterThanOrEqual(2);
  });

  it('reply() wins over the return value, nullReply counts without a value, abortReply and throws reject', async () => {
    const { groups } = await threeMembers();
    await expect(groups[0].query(ALL, PICKY, 'plain')).resolves.toEqual([
      'explicit-0',
      'explicit-1',
      'explicit-2',
    ]);
    await expect(groups[0].query(ALL, PICKY, 'null')).resolves.toEqual(['explicit-0', 'explicit-2']);
    await expect(groups[0].query(ALL, PICKY, 'abort')).rejects.toThrow(QueryAbortedError);
    await expect(groups[0].query(ALL, PICKY, 'abort')).rejects.toThrow(/member 2 says no/);
    await expect(groups[0].query(ALL, PICKY, 'throw')).rejects.toThrow(/handler broke/);
    expect(() => groups[0].reply(1)).toThrow(VsyncOptionsError);
  });

  it('p2pSend and p2pQuery reach one member; a query times out by its onTimeout', async () => {
    const { groups, notes } = await threeMembers();
    const target = groups[2].process.self;
    await groups[0].p2pSend(target, NOTE, 'hello');
    await expect(groups[0].p2pQuery(target, ASK, 7)).resolves.toBe(72);
    while (notes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(notes.filter((n) => !n.startsWith('error'))).toEqual(['2:hello:p2p']);
    const silent = groups[1];
    silent.process.shutdown().catch(() => undefined);
    // The member leaving gracefully leaves the expected set; nullReply returns whoever answered.
    const answers = await groups[0].query(ALL, SLOW, { timeoutMs: 3_000, onTimeout: 'nullReply' });
    expect(answers.length).toBeGreaterThanOrEqual(2);
    await expect(groups[0].query(ALL, SLOW, { timeoutMs: 1, onTimeout: 'abort' })).rejects.toThrow(
      QueryTimeoutError,
    );
    await expect(groups[0].p2pQuery(silent.process.self, ASK, 1)).rejects.toThrow();
  });

  it('a GroupClient outside the group calls it through a member and follows it to the next when that one leaves', async () => {
    const { groups } = await threeMembers();
    const outsider = new VsyncProcess({ ...FAST, seeds: [groups[0].process.self.address], founder: false });
    processes.push(outsider);
    await new Group('lobby', { process: outsider }).join();
    const client = new GroupClient('q', outsider, { failoverMarginMs: 500 });
    await expect(client.query(ALL, ASK, 5)).resolves.toEqual([50, 51, 52]);
    const first = client.representative!;
    await groups.find((g) => g.process.self.address === first.address)!.process.shutdown();
    const after = await client.query(ALL, ASK, 6, { timeoutMs: 3_000 });
    expect(after).toHaveLength(2);
    expect(client.representative!.address).not.toBe(first.address);
    await client.orderedSend(NOTE, 'via-client');
  });

  it('reads a trailing options object only when its keys are timeoutMs/onTimeout', () => {
    expect(splitQueryArguments([1, { timeoutMs: 5 }])).toEqual({
      args: [1],
      options: { timeoutMs: 5, onTimeout: 'abort' },
    });
    expect(splitQueryArguments([{ key: 1 }]).args).toEqual([{ key: 1 }]);
  });
});
