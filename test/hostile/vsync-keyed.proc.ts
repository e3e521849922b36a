/**
 * A group whose members share a secret (the shipped configuration): a process with a wrong key or none cannot join,
 * read or inject, and raw sockets writing crafted frames are refused while the group goes on.
 */
import { encodeGroupCall } from '@gridcloud/vsync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberProcess } from '../vsync/member-process';
import { dataFrame, frame, keyedHello, openHello, parseId, RawPeer, wire } from './vsync-attacker';
import { HostileGroup, MEMBER_PROGRAM, sleep } from './vsync-rig';

const SECRET = 'gridcloud-test-secret-0123456789abcdefABCDEF';
/** Bytes of the one frame a member answers a keyed hello with: the challenge (header, nonce, MAC). */
const CHALLENGE_FRAME_BYTES = 8 + 16 + 32;

let group: HostileGroup;
const outsiders: MemberProcess[] = [];

beforeAll(async () => {
  group = await HostileGroup.start(3, { secret: SECRET });
});

afterAll(async () => {
  await Promise.all(outsiders.map((m) => m.stop(0)));
  await group?.close();
  HostileGroup.killAll();
});

/** Starts an outsider that tries to join; returns the forged acceptances (it joined or some view grew) and its own
 *  transport's rejection counts (a wrong key is caught by the dialer, which checks the member's challenge first). */
async function outsiderCannotJoin(
  name: string,
  secret: string | undefined,
): Promise<{ forged: number; rejected: Record<string, number> }> {
  const outsider = new MemberProcess(name, MEMBER_PROGRAM, { secret, seeds: [group.addresses[0]] });
  outsiders.push(outsider);
  await outsider.next((e) => e.event === 'ready');
  outsider.command({ cmd: 'join' });
  await sleep(5_000);
  const joined = outsider.events.some((e) => e.event === 'joined' || e.event === 'deliver');
  const grown = group.members.filter((m) => group.viewSize(m) !== 3).length;
  const from = outsider.events.length;
  outsider.command({ cmd: 'stats' });
  const stats = await outsider.next((e) => e.event === 'stats', from);
  outsider.kill('SIGKILL');
  const rejected = (stats.transport as { rejectedFrames: Record<string, number> }).rejectedFrames;
  return { forged: (joined ? 1 : 0) + grown, rejected };
}

describe('a keyed group', () => {
  it('refuses a process with the wrong key: it neither joins nor reads', async () => {
    const { forged, rejected } = await outsiderCannotJoin(
      'wrong-key',
      'not-the-secret-but-long-enough-0123456789',
    );
    const refused = await group.total(
      (s) => (s.transport as { rejectedFrames: { authFailed: number } }).rejectedFrames.authFailed,
    );
    console.info(`wrong key: refused ${refused} times by members, ${rejected.authFailed} by the outsider`);
    const result = await group.verdict('vsync wrong key', forged, true);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
    expect(refused + rejected.authFailed).toBeGreaterThan(0);
  });

  it('refuses a process without a key', async () => {
    const { forged } = await outsiderCannotJoin('no-key', undefined);
    const refused = await group.total(
      (s) => (s.transport as { rejectedFrames: { keyMismatch: number } }).rejectedFrames.keyMismatch,
    );
    const result = await group.verdict('vsync no key', forged, true);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses raw sockets writing crafted frames, which read nothing but a challenge', async () => {
    const victim = parseId(group.currentId(1));
    const viewId = group.systemViewId(group.members[0]);
    const forgedData = wire(victim, {
      kind: 'data',
      records: [
        {
          group: 'hostile',
          sender: victim,
          epoch: viewId,
          seq: 1,
          ordering: 'fifo',
          lamport: 1,
          queryId: 0,
          payload: encodeGroupCall(1, ['forged-keyed', 0]),
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
      Buffer.concat([keyedHello(group.addresses[1]), frame(0x08, Buffer.alloc(64, 3))]),
      dataFrame([forgedData]),
      frame(0x08, Buffer.alloc(40, 1)),
    ];
    let readBytes = 0;
    for (let i = 0; i < 3; i += 1) {
      for (const bytes of attempts) {
        const peer = await RawPeer.connect(group.addresses[i]);
        await peer.write(bytes);
        await Promise.race([peer.closed, sleep(1_000)]);
        readBytes += Math.max(0, peer.receivedBytes - CHALLENGE_FRAME_BYTES);
        peer.close();
      }
    }
    await sleep(500);
    const forged = group.deliveriesTagged('forged') + (readBytes > 0 ? 1 : 0);
    console.info(
      `crafted frames: forged deliveries ${group.deliveriesTagged('forged')}, bytes read ${readBytes}`,
    );
    const result = await group.verdict('vsync keyed crafted frames', forged, true);
    expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
  });
});
