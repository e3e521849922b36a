/**
 * The keyless impostor against a process that has no live link yet (issue 19): a process has just started and joins
 * a running 3-member group; before any member has dialed it, a raw socket says hello in a member's name and keeps
 * sending forged notMember messages in that member's name. Before dial-back verification the impostor's connection
 * was bound to the member at once (no live link out-ranked it, and the impostor then kept it live), so the newcomer
 * was excluded and re-joined over and over, and sent that member's traffic to the impostor. Now a hello naming an
 * address is bound only after the process listening there echoes a nonce sent to it: the impostor is never bound,
 * receives nothing, and the newcomer joins once and stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberProcess } from '../vsync/member-process';
import { dataFrame, openHello, parseId, RawPeer, wire } from './vsync-attacker';
import { HostileGroup, MEMBER_PROGRAM, sleep } from './vsync-rig';

const ATTACK_MS = 10_000;

let group: HostileGroup;
let victim: MemberProcess | undefined;

beforeAll(async () => {
  group = await HostileGroup.start(3);
});

afterAll(async () => {
  await Promise.all([group?.close(), victim?.stop(0)]);
  HostileGroup.killAll();
});

/** The newest system view id the victim installed (0 before its first). */
function victimViewId(m: MemberProcess): number {
  return (m.events.filter((e) => e.event === 'systemView').at(-1)?.id as number | undefined) ?? 0;
}

/** Holds a connection to the victim in member `claimed`'s name and fires forged notMember messages on it; when the
 *  victim closes it, it opens another. Resolves with the bytes the victim sent to the impostor. */
async function impersonate(target: string, claimedIndex: number, m: MemberProcess): Promise<number> {
  let stolenBytes = 0;
  let peer: RawPeer | undefined;
  for (const end = Date.now() + ATTACK_MS; Date.now() < end; await sleep(50)) {
    if (peer === undefined || peer.isClosed) {
      if (peer !== undefined) stolenBytes += peer.receivedBytes;
      peer = await RawPeer.connect(target).catch(() => undefined);
      if (peer === undefined) continue;
      await peer.write(openHello(group.addresses[claimedIndex]));
    }
    const claimed = parseId(group.currentId(claimedIndex));
    const viewId = victimViewId(m);
    const forged = [viewId, viewId + 1].map((id) => wire(claimed, { kind: 'notMember', viewId: id }));
    await peer.write(dataFrame(forged));
  }
  if (peer !== undefined) {
    stolenBytes += peer.receivedBytes;
    peer.close();
  }
  return stolenBytes;
}

describe('a keyless impostor against a process with no live link yet', () => {
  it('is never bound to the member it names: the newcomer is not excluded and joins once', async () => {
    const m = new MemberProcess('newcomer', MEMBER_PROGRAM, { seeds: [group.addresses[0]] });
    victim = m;
    const { address } = await m.next((e) => e.event === 'ready');
    // Members 1 and 2 have not heard of the newcomer yet: it has no link to them that could out-rank the impostor.
    const attacks = [impersonate(address as string, 1, m), impersonate(address as string, 2, m)];
    m.command({ cmd: 'join' });
    const stolenBytes = (await Promise.all(attacks)).reduce((a, b) => a + b, 0);
    const exclusions = (await group.stats(m)).exclusions as number;
    const joined = await Promise.race([
      m.until(() => group.viewSize(m) === 4).then(() => true),
      sleep(20_000).then(() => false),
    ]);
    const transport = (await group.stats(m)).transport as Record<string, number>;
    console.info(
      `newcomer exclusions ${exclusions}, bytes sent to impostors ${stolenBytes}, ` +
        `dial-back timeouts ${transport.dialBackTimeouts}, joined ${joined}`,
    );
    const forgedAccepted = exclusions + (stolenBytes > 0 ? 1 : 0);
    const result = await group.verdict('vsync keyless impostor at a fresh process', forgedAccepted);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
    expect(joined).toBe(true);
  });
});
