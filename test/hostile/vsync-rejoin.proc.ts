/**
 * "A second exclusion while a rejoin is under way loses the groups for good" (issue 19), attacker-driven: a member
 * is frozen past the failure timeout (as a connection flood or a stalled host does), excluded, and frozen again the
 * moment it hears of it, so it is excluded a second time while re-joining its group; meanwhile a raw socket fires
 * forged notMember messages at it in the other members' names. It must come back in its group with a new
 * incarnation, and every member must see it there. (The fix of the flapping-link variant, where the groups being
 * re-joined survive a second exclusion, covers this one; this test keeps it covered.)
 *
 * The group runs with a key, as shipped: without one, a process that has just restarted has no live link that could
 * out-rank an impostor's hello, so forged notMember messages in a member's name make it rejoin again and again (it
 * still comes back once they stop); with the key they never pass the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFrame, keyedHello, openHello, parseId, RawPeer, wire } from './vsync-attacker';
import { HostileGroup, sleep } from './vsync-rig';

let group: HostileGroup;
const SECRET = 'gridcloud-test-secret-0123456789abcdefABCDEF';

beforeAll(async () => {
  group = await HostileGroup.start(3, { failureTimeoutMs: 800, rejoinOnExclusion: true, secret: SECRET });
});

afterAll(async () => {
  for (const m of group?.members ?? []) m.kill('SIGCONT');
  await group?.close();
  HostileGroup.killAll();
});

/** Forged notMember messages at member `i` in every other member's name, for `ms`. */
async function forgeExclusions(i: number, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    for (let j = 0; j < 3; j += 1) {
      if (j === i) continue;
      const claimed = parseId(group.currentId(j));
      const peer = await RawPeer.connect(group.addresses[i]).catch(() => undefined);
      if (peer === undefined) continue;
      const notMember = wire(claimed, { kind: 'notMember', viewId: 1e6 });
      await peer.write(Buffer.concat([openHello(claimed.address), dataFrame([notMember])]));
      await peer.write(Buffer.concat([keyedHello(claimed.address), dataFrame([notMember])]));
      peer.close();
    }
  }
}

describe('a second exclusion while the rejoin is under way', () => {
  it('brings the member back into its group', async () => {
    const victim = group.members[2];
    const errorsBefore = victim.events.filter((e) => e.event === 'error').length;
    victim.kill('SIGSTOP');
    await sleep(2_000);
    victim.kill('SIGCONT');
    await victim.until(() => victim.events.filter((e) => e.event === 'error').length > errorsBefore);
    // It heard of its exclusion and re-joins: freeze it again once its new incarnation is back in the system, before
    // its group join completes, so it is excluded again while re-joining its group.
    const reborn = (id: string): boolean =>
      parseId(id).address === group.addresses[2] &&
      parseId(id).incarnation > parseId(group.ids[2]).incarnation;
    await victim.next(
      (e) => e.event === 'systemView' && (e.members as string[]).some(reborn),
      victim.events.length - 1,
    );
    victim.kill('SIGSTOP');
    await sleep(2_000);
    victim.kill('SIGCONT');
    const forging = forgeExclusions(2, 3_000);
    const back = (): boolean => {
      const self = group.lastView(victim)?.self as string | undefined;
      return (
        self !== undefined &&
        parseId(self).incarnation > parseId(group.ids[2]).incarnation &&
        group.members.every((m) =>
          ((group.lastView(m)?.members as string[] | undefined) ?? []).includes(self),
        )
      );
    };
    let rejoined = back();
    for (const end = Date.now() + 30_000; !rejoined && Date.now() < end; rejoined = back()) await sleep(100);
    await forging;
    const exclusions = (await group.stats(victim)).exclusions as number;
    console.info(`victim excluded ${exclusions} times, back in its group: ${rejoined}`);
    const result = await group.verdict('vsync exclusion during rejoin', 0, true);
    expect(rejoined).toBe(true);
    expect(exclusions).toBeGreaterThanOrEqual(2);
    expect(result).toMatchObject({ survived: true, outage: 0 });
  });
});
