/**
 * A hello naming another member's address, sent to a live member while the group runs (no key configured). Before
 * the fix the newcomer replaced the member's link and the victim sent it that member's traffic. Now a hello is bound
 * only once the address it names echoes a nonce sent there (dial-back): the impostor is never bound, is closed and
 * counted when its dial-back times out, receives nothing, and the group goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHello, RawPeer } from './vsync-attacker';
import { HostileGroup, sleep } from './vsync-rig';

let group: HostileGroup;

beforeAll(async () => {
  group = await HostileGroup.start(3);
});

afterAll(async () => {
  await group?.close();
  HostileGroup.killAll();
});

describe('link takeover by a hello naming a member (no key)', () => {
  it('refuses the impostor, which receives none of the member traffic', async () => {
    const impostors: RawPeer[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 3; i += 1) {
        const peer = await RawPeer.connect(group.addresses[i]);
        await peer.write(openHello(group.addresses[(i + 1) % 3]));
        impostors.push(peer);
      }
      // Traffic flows while the impostors hold their sockets: none of it may reach them.
      for (const m of group.members) m.command({ cmd: 'send', tag: `during-${round}`, count: 20 });
      await sleep(300);
    }
    const stolenBytes = impostors.reduce((sum, peer) => sum + peer.receivedBytes, 0);
    // Every impostor's socket is closed by the member it tried once its dial-back times out, and counted.
    await sleep(3_500);
    const refusedEach = impostors.every((peer) => peer.isClosed);
    const refused = await group.total((s) => (s.transport as { dialBackTimeouts: number }).dialBackTimeouts);
    for (const peer of impostors) peer.close();
    console.info(`impostors refused ${refused}, bytes they received ${stolenBytes}`);
    const result = await group.verdict('vsync link takeover', stolenBytes > 0 ? 1 : 0);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
    expect(refusedEach).toBe(true);
    expect(refused).toBeGreaterThanOrEqual(impostors.length);
  });
});
