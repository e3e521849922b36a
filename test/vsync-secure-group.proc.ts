/**
 * Per-group keys and mutual TLS between real OS processes (test/hostile/vsync-member.ts).
 *
 * - A secured group of three members in a keyed system: a fourth process holds the system secret but a wrong group
 *   key; it tries to join (refused with GroupAccessError), to read (it delivers nothing) and to inject p2p messages
 *   (sealed under its key: refused and counted). Raw sockets writing crafted frames are refused. The group goes on:
 *   messages still delivered, views unchanged.
 * - A TLS cluster of three exchanges messages; a peer whose certificate comes from another CA is refused.
 */
import { encodeGroupCall } from '@gridcloud/vsync';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCa } from './support/tls-certs';
import { MemberProcess, type MemberEvent } from './vsync/member-process';
import { dataFrame, frame, keyedHello, openHello, parseId, RawPeer, wire } from './hostile/vsync-attacker';
import { HostileGroup, MEMBER_PROGRAM, sleep } from './hostile/vsync-rig';

const SECRET = 'gridcloud-test-secret-0123456789abcdefABCDEF';
const GROUP_SECRET = 'the vault group secret, 32 bytes or more ....';
const WRONG_GROUP_SECRET = 'a different vault secret, 32 bytes or more .';
const started: HostileGroup[] = [];
const outsiders: MemberProcess[] = [];

afterAll(async () => {
  for (const o of outsiders) o.kill('SIGKILL');
  await Promise.all(started.map((g) => g.close()));
  HostileGroup.killAll();
});

function refused(stats: MemberEvent): number {
  const r = (stats.groupSecurity as { refused: Record<string, number> }).refused;
  return r.unsealed + r.authFailed + r.replayed;
}

/** Starts a secured group of three in a system keyed with `systemSecret` (or open), lets an intruder holding
 *  `intruderKey` (or none) try to join and to send p2p messages into it, and checks nothing of it got through. */
async function intruderRefused(
  systemSecret: string | undefined,
  intruderKey: string | undefined,
): Promise<void> {
  const group = await HostileGroup.start(3, {
    secret: systemSecret,
    group: 'vault',
    groupSecret: GROUP_SECRET,
  });
  started.push(group);
  const viewsBefore = group.members.map((m) => group.lastView(m)!.id);
  const intruder = new MemberProcess('intruder', MEMBER_PROGRAM, {
    secret: systemSecret,
    group: 'vault',
    groupSecret: intruderKey,
    seeds: [group.addresses[0]],
  });
  outsiders.push(intruder);
  await intruder.next((e) => e.event === 'ready');
  intruder.command({ cmd: 'join' });
  const refusal = await intruder.next((e) => e.event === 'error' || e.event === 'joined');
  expect(refusal).toMatchObject({ event: 'error', name: 'GroupAccessError' });

  for (let i = 0; i < 3; i += 1) intruder.command({ cmd: 'p2p', to: group.currentId(i), tag: 'forged-p2p' });
  await intruder.next((e) => e.event === 'p2pDone');
  await sleep(1_000);
  const alive = await group.stillDelivers();
  expect(alive).toBe(true);
  expect(group.deliveriesTagged('forged')).toBe(0);
  expect(intruder.events.filter((e) => e.event === 'deliver')).toEqual([]);
  expect(await group.total(refused)).toBeGreaterThanOrEqual(1);
  const refusedJoins = await group.total((s) => (s.core as { refusedMessages: number }).refusedMessages);
  expect(refusedJoins).toBeGreaterThan(0);
  expect(group.members.map((m) => group.viewSize(m))).toEqual([3, 3, 3]);
  expect(group.members.map((m) => group.lastView(m)!.id)).toEqual(viewsBefore);
}

// A run here takes about 5 s on a quiet machine; the bound leaves room for a loaded one (process start-up alone then
// takes several seconds per member).
describe('a secured group', { timeout: 90_000 }, () => {
  it('refuses a process with the system secret but a wrong group key: no join, read or injection', async () => {
    await intruderRefused(SECRET, WRONG_GROUP_SECRET);
  });

  it('refuses a process of an open system without the group key: no join, read or injection', async () => {
    await intruderRefused(undefined, undefined);
  });

  it('refuses raw sockets writing crafted frames at the keyed system, and the group goes on', async () => {
    const group = started[0];
    const victim = parseId(group.currentId(1));
    const forgedData = wire(victim, {
      kind: 'data',
      records: [
        {
          group: 'vault',
          sender: victim,
          epoch: group.systemViewId(group.members[0]),
          seq: 1,
          ordering: 'fifo',
          lamport: 1,
          queryId: 0,
          payload: encodeGroupCall(1, ['forged-crafted', 0]),
        },
      ],
    });
    const attempts: Buffer[] = [
      Buffer.concat([openHello(group.addresses[1]), dataFrame([forgedData])]),
      Buffer.concat([
        keyedHello(group.addresses[1]),
        frame(0x04, Buffer.alloc(32, 9)),
        dataFrame([forgedData]),
      ]),
      dataFrame([forgedData]),
    ];
    for (const address of group.addresses)
      for (const bytes of attempts) {
        const peer = await RawPeer.connect(address);
        await peer.write(bytes);
        await Promise.race([peer.closed, sleep(1_000)]);
        peer.close();
      }
    expect(await group.stillDelivers()).toBe(true);
    expect(group.deliveriesTagged('forged')).toBe(0);
    expect(group.members.map((m) => group.viewSize(m))).toEqual([3, 3, 3]);
  });
});

describe('mutual TLS', () => {
  it('carries a cluster of three and refuses a peer whose certificate comes from another CA', async () => {
    const ca = makeTestCa('cluster');
    const foreign = makeTestCa('foreign');
    const tls = (name: string): Record<string, string> => ({ ...ca.issue(name), caFile: ca.caFile });
    const first = new MemberProcess('t0', MEMBER_PROGRAM, { tls: tls('t0') });
    const { address } = await first.next((e) => e.event === 'ready');
    const joiner = (n: string): MemberProcess =>
      new MemberProcess(n, MEMBER_PROGRAM, { tls: tls(n), seeds: [address] });
    const members = [first, joiner('t1'), joiner('t2')];
    outsiders.push(...members);
    for (const m of members) {
      await m.next((e) => e.event === 'ready');
      m.command({ cmd: 'join' });
      await m.next((e) => e.event === 'joined');
    }
    for (const m of members) m.command({ cmd: 'send', tag: 'over-tls', count: 5 });
    await Promise.all(
      members.map((m) => m.until(() => m.events.filter((e) => e.event === 'deliver').length >= 15)),
    );

    const stranger = new MemberProcess('stranger', MEMBER_PROGRAM, {
      tls: { ...foreign.issue('s'), caFile: ca.caFile },
      seeds: [address],
    });
    outsiders.push(stranger);
    await stranger.next((e) => e.event === 'ready');
    stranger.command({ cmd: 'join' });
    await sleep(4_000);
    expect(stranger.events.some((e) => e.event === 'joined' || e.event === 'deliver')).toBe(false);
    let tlsRefused = 0;
    for (const m of members) {
      const from = m.events.length;
      m.command({ cmd: 'stats' });
      const stats = await m.next((e) => e.event === 'stats', from);
      tlsRefused += (stats.transport as { tlsRefused: number }).tlsRefused;
    }
    expect(tlsRefused).toBeGreaterThan(0);
    for (const m of members) await m.stop(0);
  });
});
