/**
 * Forged protocol messages against a live 3-member group of real processes, no key configured (the open mode): each
 * forged message travels on a raw socket of the attacker's, whether it names the attacker's own address in its hello
 * or a member's. Before the fix, three notMember messages excluded every member for good, one commit installed a view
 * of its target alone, and data in a member's name was delivered. Now the sender named in a message must be the peer
 * bound to its connection at the hello, and view decisions, exclusions and votes are taken from members only.
 */
import { encodeGroupCall, type ProcessId, type WireBody } from '@gridcloud/vsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attackerAddress,
  type AttackerAddress,
  dataFrame,
  openHello,
  parseId,
  RawPeer,
  verifiedPeer,
  wire,
} from './vsync-attacker';
import { HostileGroup, sleep } from './vsync-rig';

let group: HostileGroup;
let attacker: AttackerAddress;
const attackerId = (): ProcessId => ({ address: attacker.address, incarnation: Date.now() });

beforeAll(async () => {
  group = await HostileGroup.start(3);
  attacker = await attackerAddress();
});

afterAll(async () => {
  attacker?.close();
  await group?.close();
  HostileGroup.killAll();
});

/** Sends one message on a fresh connection whose hello names `helloAs`; resolves once the member closed it or
 *  a moment passed. */
async function forge(target: string, helloAs: string, message: Uint8Array): Promise<void> {
  // As itself the attacker passes the dial-back (it listens there); naming a member it cannot.
  const peer =
    helloAs === attacker.address ? await verifiedPeer(target, attacker) : await RawPeer.connect(target);
  if (helloAs !== attacker.address) await peer.write(openHello(helloAs));
  await peer.write(dataFrame([message]));
  await Promise.race([peer.closed, sleep(200)]);
  peer.close();
}

/** Every way of sending `body` in `claimed`'s name to member `i`: on the attacker's own connection, on one whose
 *  hello names the claimed member, and in the attacker's own name. */
async function forgeEveryWay(i: number, claimed: ProcessId, body: WireBody): Promise<void> {
  const target = group.addresses[i];
  await forge(target, attacker.address, wire(claimed, body));
  await forge(target, claimed.address, wire(claimed, body));
  await forge(target, attacker.address, wire(attackerId(), body));
}

describe('forged membership messages (no key)', () => {
  it('notMember, suspect, flush and propose from a non-member exclude nobody', async () => {
    const before = await group.total((s) => s.exclusions as number);
    const viewId = group.systemViewId(group.members[0]);
    for (let i = 0; i < 3; i += 1) {
      const other = parseId(group.currentId((i + 1) % 3));
      await forgeEveryWay(i, other, { kind: 'notMember', viewId: viewId + 5 });
      await forgeEveryWay(i, other, { kind: 'suspect', viewId, suspects: [parseId(group.currentId(i))] });
      const ballot = { round: 1_000_000, leader: other };
      await forgeEveryWay(i, other, { kind: 'flush', viewId, ballot });
    }
    await sleep(2_000);
    const excluded = (await group.total((s) => s.exclusions as number)) - before;
    const shrunk = group.members.filter((m) => group.viewSize(m) !== 3).length;
    const result = await group.verdict('vsync forged notMember/suspect/flush', excluded + shrunk);
    const refused = await group.total((s) => (s.core as { refusedMessages: number }).refusedMessages);
    const wrongSender = await group.total(
      (s) => (s.transport as { rejectedFrames: Record<string, number> }).rejectedFrames.wrongSender,
    );
    console.info(`refused by entitlement ${refused}, refused as wrong sender ${wrongSender}`);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
    expect(wrongSender).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('a forged commit installs no view', async () => {
    const viewId = group.systemViewId(group.members[0]);
    const viewsBefore = group.members.map((m) => m.events.filter((e) => e.event === 'view').length);
    for (let i = 0; i < 3; i += 1) {
      const target = parseId(group.currentId(i));
      const leader = parseId(group.currentId((i + 1) % 3));
      const body: WireBody = {
        kind: 'commit',
        value: {
          id: viewId + 1,
          members: [target],
          groups: [{ name: 'hostile', viewId: viewId + 1, groupViewId: viewId + 1, members: [target] }],
          joined: [],
          left: [leader],
          failed: [],
          serviceSize: 5,
          flush: [],
        },
      };
      await forgeEveryWay(i, leader, body);
    }
    await sleep(1_500);
    const newViews = group.members.filter(
      (m, i) => m.events.filter((e) => e.event === 'view').length !== viewsBefore[i],
    ).length;
    const result = await group.verdict('vsync forged commit', newViews);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
  });

  it("data in a member's name is never delivered", async () => {
    const viewId = group.systemViewId(group.members[0]);
    for (let i = 0; i < 3; i += 1) {
      const victim = parseId(group.currentId((i + 1) % 3));
      for (const epoch of [viewId, viewId + 1]) {
        // The codec writes a data body's sender once, in the envelope: records always name the envelope's sender.
        const records = (sender: ProcessId): WireBody => ({
          kind: 'data',
          records: Array.from({ length: 40 }, (_, k) => ({
            group: 'hostile',
            sender,
            epoch,
            seq: k + 1,
            ordering: 'fifo' as const,
            lamport: k + 1,
            queryId: 0,
            payload: encodeGroupCall(1, [`forged-${epoch}`, k]),
          })),
        });
        const target = group.addresses[i];
        await forge(target, attacker.address, wire(victim, records(victim)));
        await forge(target, victim.address, wire(victim, records(victim)));
        const self = attackerId();
        await forge(target, attacker.address, wire(self, records(self)));
      }
    }
    await sleep(1_500);
    const result = await group.verdict('vsync forged data', group.deliveriesTagged('forged'));
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
  });
});
