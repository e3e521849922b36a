/**
 * Queries across real OS processes: three register replicas (NestJS apps answering `@MessagePattern('register/get')`)
 * and a client process outside the group that calls it through a GroupClient, an orderedSend of put(i) then an
 * orderedQuery(ALL) of get, round after round. Mid-stream the client's current representative is SIGKILLed. Every
 * call must succeed (the client fails over to another member), every answer must be consistent (all replies of one
 * query equal: the request is totally ordered with the puts), states never go back, and the queries after the kill
 * complete with the two survivors: the dead replica left the expected set at the view change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const REGISTER = 'test/vsync/query/register.ts';
const CLIENT = 'test/vsync/query/client.ts';
const ROUNDS = 120;
const KILL_AT_ROUND = 40;

let processes: MemberProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.map((p) => p.stop(0)));
  processes = [];
});

interface State {
  readonly value: number;
  readonly applied: number;
}
const answers = (client: MemberProcess): MemberEvent[] => client.events.filter((e) => e.event === 'answer');

describe('vsync queries through a GroupClient (4 real processes, one SIGKILLed)', () => {
  it('answers every call consistently while the representative is killed', async () => {
    const first = new MemberProcess('r0', REGISTER, { founder: true });
    processes.push(first);
    const seed = (await first.next((e) => e.event === 'ready')).address as string;
    const replicas = [first];
    for (const name of ['r1', 'r2']) replicas.push(new MemberProcess(name, REGISTER, { seeds: [seed] }));
    processes.push(...replicas.slice(1));
    await Promise.all(
      replicas.map((r) =>
        r.until(() => r.events.some((e) => e.event === 'view' && (e.members as string[]).length === 3)),
      ),
    );
    const client = new MemberProcess('client', CLIENT, { seeds: [seed], rounds: ROUNDS, pauseMs: 20 });
    processes.push(client);

    await client.until(() => answers(client).length >= KILL_AT_ROUND);
    const repAddress = answers(client).at(-1)!.rep as string;
    const addresses = await Promise.all(
      replicas.map(async (r) => (await r.next((e) => e.event === 'ready')).address),
    );
    const victim = replicas[addresses.indexOf(repAddress)];
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    const killedAtRound = answers(client).length;

    await client.next((e) => e.event === 'done');
    const all = answers(client);
    const errors = client.events.filter((e) => e.event === 'error');
    expect(errors).toEqual([]);
    expect(all).toHaveLength(ROUNDS);
    let previous = -1;
    for (const answer of all) {
      const replies = answer.replies as State[];
      // Before the kill three replicas answer; after it two (one query may straddle the view change).
      expect([2, 3]).toContain(replies.length);
      for (const reply of replies) expect(reply).toEqual(replies[0]);
      // The put of this round precedes its query (same representative) or a failover re-issued it.
      expect(replies[0].value).toBeGreaterThanOrEqual(previous);
      previous = replies[0].value;
    }
    const after = all.slice(killedAtRound + 2);
    expect(after.length).toBeGreaterThan(0);
    for (const answer of after) expect(answer.replies).toHaveLength(2);
    expect(all.at(-1)!.rep).not.toBe(repAddress);
    console.info(
      `killed the representative ${repAddress} after round ${killedAtRound}; ${after.length} later rounds answered by the 2 survivors, last state ${JSON.stringify((all.at(-1)!.replies as State[])[0])}`,
    );
  });
});
