/**
 * Memory and connection-slot attacks against live members (no key): before the fix one connection sending 1 MiB
 * data messages for a future view pinned 3.2 GB, 900 connections each holding an unfinished 4 MiB frame pinned
 * 3.7 GB, and connections that said hello and went silent held every slot for ever. Now every such buffer is bounded
 * in bytes per peer and in total, silent connections are closed, and every drop is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attackerAddress,
  type AttackerAddress,
  dataFrame,
  frame,
  openHello,
  RawPeer,
  verifiedPeer,
  wire,
} from './vsync-attacker';
import { HostileGroup, sleep } from './vsync-rig';

/** Far below what the attacks would pin before their fix, far above a member's own needs. */
const MAX_MEMBER_RSS_MB = 480;

let group: HostileGroup;
let attacker: AttackerAddress;

beforeAll(async () => {
  group = await HostileGroup.start(3, { idleTimeoutMs: 2_000, helloTimeoutMs: 500, maxConnections: 128 });
  attacker = await attackerAddress();
});

afterAll(async () => {
  attacker?.close();
  await group?.close();
  HostileGroup.killAll();
});

describe('memory bounded in bytes (no key)', () => {
  it('data for a view that never comes is dropped past the future-view byte bound', async () => {
    const target = group.members[0];
    const viewId = group.systemViewId(target);
    const self = { address: attacker.address, incarnation: Date.now() };
    const peer = await verifiedPeer(group.addresses[0], attacker);
    const payload = new Uint8Array(1024 * 1024 - 4096).fill(7);
    for (let seq = 1; seq <= 600 && !peer.isClosed; seq += 1) {
      const record = { group: 'hostile', sender: self, epoch: viewId + 1000, seq, ordering: 'fifo' as const };
      const body = { kind: 'data' as const, records: [{ ...record, lamport: seq, queryId: 0, payload }] };
      await peer.write(dataFrame([wire(self, body, seq)]));
    }
    await sleep(500);
    peer.close();
    const stats = await group.stats(target);
    const dropped = (stats.core as { droppedBufferedMessages: number }).droppedBufferedMessages;
    console.info(`future-view flood: dropped ${dropped}, member max RSS ${String(stats.maxRssMb)} MB`);
    const result = await group.verdict('vsync future-view flood', 0);
    expect(result).toMatchObject({ survived: true, outage: 0 });
    expect(dropped).toBeGreaterThan(0);
    expect(result.maxRssMb).toBeLessThan(MAX_MEMBER_RSS_MB);
  });

  it('unfinished large frames on many connections are cut at the total byte bound', async () => {
    const peers: RawPeer[] = [];
    const body = Buffer.alloc(2 * 1024 * 1024, 1);
    const header = frame(0, Buffer.alloc(0)).subarray(0, 8);
    header.writeUInt32BE(4 * 1024 * 1024 - 64, 4);
    const addresses: AttackerAddress[] = [];
    for (let i = 0; i < 40; i += 1) {
      // Each listens at an address of its own and passes the dial-back, so only the byte budget can stop them.
      const own = await attackerAddress();
      addresses.push(own);
      const peer = await verifiedPeer(group.addresses[1], own);
      void peer.write(header);
      void peer.write(body);
      peers.push(peer);
    }
    await sleep(1_500);
    const stats = await group.stats(group.members[1]);
    const transport = stats.transport as { rejectedFrames: { overBudget: number } };
    console.info(`partial frames: ${transport.rejectedFrames.overBudget} connections cut over budget`);
    for (const peer of peers) peer.close();
    for (const own of addresses) own.close();
    const result = await group.verdict('vsync unfinished frames', 0);
    expect(result).toMatchObject({ survived: true, outage: 0 });
    expect(transport.rejectedFrames.overBudget).toBeGreaterThan(0);
    expect(result.maxRssMb).toBeLessThan(MAX_MEMBER_RSS_MB);
  });

  it('silent connections, identified or not, are closed and counted; the slots come back', async () => {
    const peers: RawPeer[] = [];
    for (let i = 0; i < 150; i += 1) {
      const peer = await RawPeer.connect(group.addresses[2]);
      if (i % 2 === 0) await peer.write(openHello(`127.0.0.1:${30_000 + i}`));
      peers.push(peer);
    }
    const allClosed = await Promise.race([
      Promise.all(peers.map((peer) => peer.closed)).then(() => true),
      sleep(8_000).then(() => false),
    ]);
    const stats = await group.stats(group.members[2]);
    const transport = stats.transport as {
      idleClosed: number;
      handshakeTimeouts: number;
      connectionsRefused: number;
    };
    console.info(
      `silent connections: ${transport.handshakeTimeouts} hello timeouts, ${transport.idleClosed} idle, ` +
        `${transport.connectionsRefused} refused at the connection bound`,
    );
    for (const peer of peers) peer.close();
    const result = await group.verdict('vsync silent connections', 0);
    expect(allClosed).toBe(true);
    expect(transport.handshakeTimeouts).toBeGreaterThan(0);
    expect(transport.idleClosed).toBeGreaterThan(0);
    expect(result).toMatchObject({ survived: true, outage: 0 });
    // A fresh socket is accepted again once the silent ones are gone.
    const fresh = await RawPeer.connect(group.addresses[2]);
    await fresh.write(openHello(attacker.address));
    await sleep(200);
    expect(fresh.isClosed).toBe(false);
    fresh.close();
  });
});
