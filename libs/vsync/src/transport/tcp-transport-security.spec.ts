import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport } from './tcp-transport';
import type { TransportConfig } from './transport-config';
import { encodeHelloFrame, FRAME_VERSION } from './frame-format';

const open: TcpTransport[] = [];
const SECRET = 'k'.repeat(43);

interface Node {
  transport: TcpTransport;
  received: string[];
}

async function node(options: Partial<TransportConfig> = {}): Promise<Node> {
  const received: string[] = [];
  const transport = new TcpTransport(options, (_from, m) => void received.push(Buffer.from(m).toString()));
  open.push(transport);
  await transport.start();
  return { transport, received };
}

/** Polls a condition; the test's own timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('TcpTransport with a key', () => {
  it('carries messages both ways between processes holding the same secret', async () => {
    const a = await node({ secret: SECRET });
    const b = await node({ secret: SECRET });
    for (let i = 0; i < 500; i += 1) a.transport.send(b.transport.address, Buffer.from(`m${i}`));
    b.transport.send(a.transport.address, Buffer.from('reply'));
    await until(() => b.received.length === 500 && a.received.length === 1);
    expect(b.received.at(-1)).toBe('m499');
    expect(a.transport.stats().rejectedFrames.authFailed).toBe(0);
  });

  it('refuses a peer with another secret and one with none, and delivers nothing from them', async () => {
    const a = await node({ secret: SECRET });
    const wrong = await node({ secret: 'w'.repeat(43) });
    const keyless = await node();
    wrong.transport.send(a.transport.address, Buffer.from('from the wrong key'));
    keyless.transport.send(a.transport.address, Buffer.from('from no key'));
    await until(() => wrong.transport.stats().rejectedFrames.authFailed > 0);
    await until(() => a.transport.stats().rejectedFrames.keyMismatch > 0);
    await sleep(100);
    expect(a.received).toEqual([]);
  });
});

describe('TcpTransport without a key', () => {
  it('never binds a hello naming a peer to a process with no link yet: the named address must echo the nonce', async () => {
    const a = await node({ dialBackTimeoutMs: 300 });
    const b = await node();
    const [host, port] = a.transport.address.split(':');
    const impostors = [connect({ host, port: Number(port) }), connect({ host, port: Number(port) })];
    let stolen = 0;
    for (const impostor of impostors) {
      impostor.on('error', () => undefined);
      impostor.on('data', (chunk: Buffer) => (stolen += chunk.length));
    }
    const forged = Buffer.alloc(8 + 4 + 6);
    forged.writeUInt16BE(0x5653, 0);
    forged.writeUInt8(FRAME_VERSION, 2);
    forged.writeUInt32BE(10, 4);
    forged.writeUInt32BE(6, 8);
    forged.write('forged', 12);
    // One keeps quiet, waiting to be bound; the other sends data in b's name at once.
    impostors[0].write(encodeHelloFrame(b.transport.address));
    impostors[1].write(Buffer.concat([encodeHelloFrame(b.transport.address), forged]));
    // a has no link to b: before dial-back it bound an impostor to b at once and sent it b's traffic.
    a.transport.send(b.transport.address, Buffer.from('to the real b'));
    await until(() => a.transport.stats().dialBackTimeouts === 1);
    await until(() => a.transport.stats().rejectedFrames.missingHello === 1);
    await until(() => b.received.length === 1);
    expect(b.received).toEqual(['to the real b']);
    expect(a.received).toEqual([]);
    expect(stolen).toBe(0);
    for (const impostor of impostors) impostor.destroy();
  });

  it('binds both halves of a simultaneous dial after dial-back, and a restarted peer at once', async () => {
    const a = await node();
    const b = await node();
    a.transport.send(b.transport.address, Buffer.from('a1'));
    b.transport.send(a.transport.address, Buffer.from('b1'));
    await until(() => a.received.length === 1 && b.received.length === 1);
    const port = Number(b.transport.address.split(':')[1]);
    await b.transport.close();
    const reborn = await node({ bindPort: port });
    reborn.transport.send(a.transport.address, Buffer.from('b2'));
    await until(() => a.received.length === 2);
    a.transport.send(reborn.transport.address, Buffer.from('a2'));
    await until(() => reborn.received.length === 1);
    expect(a.received).toEqual(['b1', 'b2']);
    expect(reborn.received).toEqual(['a2']);
    expect(a.transport.stats().dialBackTimeouts).toBe(0);
  });

  it('closes identified connections that stay idle and counts them', async () => {
    const a = await node({ idleTimeoutMs: 200 });
    const [host, port] = a.transport.address.split(':');
    const silent = connect({ host, port: Number(port) });
    silent.on('error', () => undefined);
    silent.write(encodeHelloFrame('127.0.0.1:9'));
    await new Promise((resolve) => silent.once('close', resolve));
    expect(a.transport.stats().idleClosed).toBe(1);
  });
});
