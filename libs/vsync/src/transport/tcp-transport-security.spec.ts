import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport } from './tcp-transport';
import type { TransportConfig } from './transport-config';
import { encodeHelloFrame } from './frame-format';

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
  it('refuses a newcomer naming a peer whose link is live, and keeps the link', async () => {
    const a = await node();
    const b = await node();
    b.transport.send(a.transport.address, Buffer.from('first'));
    await until(() => a.received.length === 1);
    const [host, port] = a.transport.address.split(':');
    const impostor = connect({ host, port: Number(port) });
    impostor.on('error', () => undefined);
    let stolen = 0;
    impostor.on('data', (chunk: Buffer) => (stolen += chunk.length));
    impostor.write(encodeHelloFrame(b.transport.address));
    await until(() => a.transport.stats().impostorsRefused === 1);
    a.transport.send(b.transport.address, Buffer.from('to the real b'));
    await until(() => b.received.length === 1);
    expect(stolen).toBe(0);
    impostor.destroy();
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
