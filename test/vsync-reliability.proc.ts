/**
 * Reliability of membership on real processes, one scenario per failure seen in operation:
 * - a first seed restarted with unchanged options (as a supervisor restarts it) joins the running system instead of
 *   founding a second one, and a whole system started with one seed list forms without a founder flag;
 * - in a system of two, a graceful leave (shutdown) leaves the other running, not out with MinorityPartitionError;
 * - a view change that must flush more unstable messages than one frame holds completes, and new sends go on;
 * - a leader that cannot reach a member (one-way cut) does not drop it at the flush deadline: the member that cannot
 *   hear the leader is kept, and the leader it cannot hear is removed instead;
 * - g.flush() resolves once the member's messages are stable;
 * - after a total loss (a majority of the membership service dead at once), the re-found tool brings the system back,
 *   and refuses while a system is live.
 */
import { freePort } from '@gridcloud/command-line';
import { refoundSystem } from '@gridcloud/vsync';
import { afterEach, describe, expect, it } from 'vitest';
import { MemberProcess, type MemberEvent } from './vsync/member-process';

const PROGRAM = 'test/vsync/member.ts';
const GROUP = 'reliability';

let members: MemberProcess[] = [];

afterEach(async () => {
  await Promise.all(members.map((m) => m.stop(0)));
  members = [];
});

function start(name: string, options: Record<string, unknown>): MemberProcess {
  const m = new MemberProcess(name, PROGRAM, { group: GROUP, ...options });
  members.push(m);
  return m;
}

const groupViews = (m: MemberProcess): MemberEvent[] => m.events.filter((e) => e.event === 'view');
const systemViews = (m: MemberProcess): MemberEvent[] => m.events.filter((e) => e.event === 'systemView');
const errors = (m: MemberProcess): MemberEvent[] => m.events.filter((e) => e.event === 'error');
const lastMembers = (m: MemberProcess): string[] => (groupViews(m).at(-1)?.members as string[]) ?? [];
const delivered = (m: MemberProcess, from: string): number =>
  m.events.filter((e) => e.event === 'deliver' && e.from === from).length;

/** How long a condition over several members' events is polled for. */
const EVENTUALLY_MS = 90_000;

async function eventually(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + EVENTUALLY_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${EVENTUALLY_MS} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Each member's system views and errors, for a failure message. */
function describeMembers(ms: readonly MemberProcess[]): string {
  return ms
    .map(
      (m) =>
        `${m.name}: system views ${systemViews(m)
          .map((v) => `${v.id as number}:${(v.members as string[]).length}`)
          .join(',')}; errors ${errors(m)
          .map((e) => e.name as string)
          .join(',')}`,
    )
    .join('; ');
}

async function ready(m: MemberProcess): Promise<string> {
  return (await m.next((e) => e.event === 'ready')).id as string;
}

async function addressOf(m: MemberProcess): Promise<string> {
  return (await m.next((e) => e.event === 'ready')).address as string;
}

/** Starts `count` members one after the other, the first founding, and waits until all share one group view. */
async function startGroup(count: number, options: Record<string, unknown> = {}): Promise<string[]> {
  const founder = start('m0', options);
  const ids = [await ready(founder)];
  const seed = await addressOf(founder);
  for (let i = 1; i < count; i += 1) ids.push(await ready(start(`m${i}`, { ...options, seeds: [seed] })));
  for (const m of members) {
    m.command({ cmd: 'join' });
    await m.next((e) => e.event === 'joined');
  }
  await Promise.all(members.map((m) => m.until(() => lastMembers(m).length === count)));
  return ids;
}

describe('vsync seeds restarted with unchanged options (real processes)', () => {
  it('forms one system from one seed list, and a restarted first seed joins it instead of founding another', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    const options = (i: number): Record<string, unknown> => ({ seeds, bindPort: ports[i] });
    // Started together with the same seed list and no founder flag: the first seed founds once the others say that
    // they belong to no system.
    const first = [0, 1, 2].map((i) => start(`s${i}`, options(i)));
    await Promise.all(first.map(ready));
    for (const m of first) m.command({ cmd: 'join' });
    await Promise.all(first.map((m) => m.until(() => lastMembers(m).length === 3)));

    first[0].kill('SIGKILL');
    await first[0].stop(5_000);
    const restarted = start('s0-again', options(0));
    const restartedId = await ready(restarted);
    restarted.command({ cmd: 'join' });
    await restarted.next((e) => e.event === 'joined');

    // Its very first system view is the running system's, with both survivors in it: it never founded its own.
    const firstView = systemViews(restarted)[0];
    expect(firstView.id).toBeGreaterThan(1);
    expect(firstView.members).toEqual(expect.arrayContaining([restartedId]));
    expect((firstView.members as string[]).length).toBeGreaterThanOrEqual(2);
    await Promise.all(
      [first[1], first[2], restarted].map((m) =>
        m.until(() => lastMembers(m).length === 3 && lastMembers(m).includes(restartedId)),
      ),
    );
    expect([first[1], first[2], restarted].flatMap(errors)).toEqual([]);
  });
});

describe('vsync graceful leave in a system of two (real processes)', () => {
  it.each([
    ['the younger process', 1],
    ['the oldest process (the leader)', 0],
  ])('when %s shuts down, the other goes on alone', async (_who, leaverIndex) => {
    const ids = await startGroup(2);
    const leaver = members[leaverIndex];
    const stayer = members[1 - leaverIndex];
    leaver.command({ cmd: 'send', count: 20, ordering: 'fifo' });
    await leaver.next((e) => e.event === 'sendDone');
    leaver.command({ cmd: 'exit' });
    await leaver.next((e) => e.event === 'closed');
    // Either the view without the leaver comes, or the stayer fails: whichever comes first decides.
    await stayer.until(() => lastMembers(stayer).length === 1 || errors(stayer).length > 0);
    expect(errors(stayer)).toEqual([]);
    expect(groupViews(stayer).at(-1)).toMatchObject({
      members: [ids[1 - leaverIndex]],
      left: [ids[leaverIndex]],
    });
    expect(delivered(stayer, leaver.name)).toBe(20);

    stayer.command({ cmd: 'send', count: 5, ordering: 'total' });
    await stayer.until(() => delivered(stayer, stayer.name) === 5);
    expect(errors(stayer)).toEqual([]);
  });
});

describe('vsync view change carrying more than a frame of unstable messages (real processes)', () => {
  it('flushes 300 messages of 16 KiB held when a member is SIGKILLed, then keeps sending', async () => {
    const COUNT = 300;
    const BYTES = 16 * 1024;
    await startGroup(3);
    const [a, b, victim] = members;
    // The victim never acknowledges: b's whole window (256 messages, about 4.2 MB) stays unstable until the view
    // change, whose flush answer, proposal and commit must all carry it.
    victim.kill('SIGKILL');
    b.command({ cmd: 'send', count: COUNT, ordering: 'fifo', bytes: BYTES });
    await Promise.all(
      [a, b].map((m) =>
        m.until(
          () => (lastMembers(m).length === 2 && delivered(m, b.name) === COUNT) || errors(m).length > 0,
        ),
      ),
    );
    expect([a, b].flatMap(errors)).toEqual([]);
    expect(lastMembers(a)).toEqual(lastMembers(b));
    // New sends are not stuck behind the old view.
    a.command({ cmd: 'send', count: 10, ordering: 'total' });
    await Promise.all([a, b].map((m) => m.until(() => delivered(m, a.name) === 10)));
  });
});

describe('vsync one-way cut from the leader during a view change (real processes)', () => {
  it('keeps the member that cannot hear the leader and removes the leader it cannot hear', async () => {
    const ids = await startGroup(3);
    const [leader, other, deaf] = members;
    const deafAddress = await addressOf(deaf);
    // Everything the leader sends to the third member is lost from now on; the third still reaches the leader.
    leader.command({ cmd: 'cut', to: deafAddress });
    // A view change the leader runs: the third member never gets its flush, so never answers it.
    other.command({ cmd: 'leave' });
    // Either both survivors install a view without the leader, or the third member is thrown out: whichever first.
    const leaderGone = (m: MemberProcess): boolean =>
      systemViews(m).some((v) => !(v.members as string[]).includes(ids[0]));
    // A condition over two members' events is polled: a member's own `until` wakes only on its own events, so the
    // one whose last event came first would never look again.
    await eventually(
      () => (leaderGone(other) && leaderGone(deaf)) || errors(deaf).length > 0,
      () =>
        `both survivors in a view without the leader, or the deaf member out (${describeMembers([other, deaf])})`,
    );
    expect(errors(deaf)).toEqual([]);
    const without = systemViews(deaf).find((v) => !(v.members as string[]).includes(ids[0]))!;
    expect(without.members).toEqual([ids[1], ids[2]]);
    // The leader learns it is out from the survivor that still hears it (ExcludedError), or, on a loaded machine,
    // hears neither survivor for a failure timeout first and leaves as a minority: either way it is gone.
    await leader.until(() => errors(leader).length > 0);
    expect(['ExcludedError', 'MinorityPartitionError']).toContain(errors(leader)[0].name);
  });
});

describe('vsync g.flush() (real processes)', () => {
  it('resolves only after every member received the messages sent before it', async () => {
    await startGroup(3);
    const [a, b, c] = members;
    a.command({ cmd: 'send', count: 50, ordering: 'fifo' });
    await a.next((e) => e.event === 'sendDone');
    a.command({ cmd: 'flush' });
    const flushed = await a.next((e) => e.event === 'flushed');
    // Members deliver FIFO messages on receipt, before they acknowledge them; all three processes stamp events with
    // the one system clock, so every delivery must carry a stamp no later than the flush's.
    for (const m of [b, c]) {
      await m.until(() => delivered(m, a.name) === 50);
      const last = m.events.filter((e) => e.event === 'deliver' && e.from === a.name).at(-1)!;
      expect(last.at as number).toBeLessThanOrEqual(flushed.at as number);
    }
  });
});

describe('vsync re-found after a total loss (real processes)', () => {
  it('refuses while a system is live, and re-founds once a majority of the service died', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    const options = (i: number): Record<string, unknown> => ({
      seeds,
      bindPort: ports[i],
      rejoinOnExclusion: true,
    });
    const first = [0, 1, 2].map((i) => start(`t${i}`, options(i)));
    await Promise.all(first.map(ready));
    for (const m of first) m.command({ cmd: 'join' });
    await Promise.all(first.map((m) => m.until(() => lastMembers(m).length === 3)));
    expect(await refoundSystem({ seeds })).toMatchObject({ outcome: 'live' });

    // Two of the three service members die at once: the survivor leaves as a minority and keeps trying to rejoin,
    // and the first seed restarted with its options cannot found either, because the third seed does not answer.
    first[0].kill('SIGKILL');
    first[1].kill('SIGKILL');
    await first[2].until(() => errors(first[2]).some((e) => e.name === 'MinorityPartitionError'));
    const restarted = start('t0-again', options(0));
    await ready(restarted);
    const result = await refoundSystem({ seeds, target: seeds[2] });
    expect(result).toMatchObject({ outcome: 'refounded', address: seeds[2] });
    // The survivor founded the new system; the restarted first seed joins it.
    await Promise.all(
      [first[2], restarted].map((m) =>
        m.until(() => (systemViews(m).at(-1)?.members as string[] | undefined)?.length === 2),
      ),
    );
  });
});
