import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageTooLargeError } from './errors/message-too-large-error';
import {
  encodeDataFrame,
  encodeHelloFrame,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  type OutgoingMessage,
} from './frame-format';
import { READ_SLAB_BYTES } from './read-slab';
import { TcpTransport } from './tcp-transport';
import type { TransportConfig } from './transport-config';

/** A data frame as one buffer, as it appears on the wire. */
const dataFrame = (messages: OutgoingMessage[]): Buffer => Buffer.concat(encodeDataFrame(messages));

interface Node {
  transport: TcpTransport;
  received: Array<{ from: string; text: string }>;
}

const open: TcpTransport[] = [];

async function node(options: Partial<TransportConfig> = {}): Promise<Node> {
  const received: Node['received'] = [];
  const transport = new TcpTransport(
    options,
    (from, message) => void received.push({ from, text: Buffer.from(message).toString() }),
  );
  open.push(transport);
  await transport.start();
  return { transport, received };
}

/** Polls a condition; the test's own timeout bounds the wait, so nothing here asserts on speed. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rawClient(address: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const [host, port] = address.split(':');
  const socket = connect({ host, port: Number(port) });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed };
}

const text = (value: string): Uint8Array => Buffer.from(value);

afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

describe('TcpTransport', () => {
  it('carries messages both ways in FIFO order, batching small ones into few frames', async () => {
    const a = await node();
    const b = await node();
    for (let i = 0; i < 1000; i += 1) a.transport.send(b.transport.address, text(`m${i}`));
    await until(() => b.received.length === 1000);
    expect(b.received.map((r) => r.text)).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    expect(b.received.every((r) => r.from === a.transport.address)).toBe(true);
    expect(a.transport.stats().framesSent).toBeLessThan(10);
    b.transport.send(a.transport.address, text('reply'));
    await until(() => a.received.length === 1);
    expect(a.received[0]).toEqual({ from: b.transport.address, text: 'reply' });
    // b dialed a once, to verify a's hello (dial-back); no further connection was needed for the reply.
    expect(b.transport.stats().connectionsOpened).toBe(1 + 1);
  });

  it('reads both ends of a connection into read slabs: a frame spanning reads arrives whole where it was read', async () => {
    const slabBytes = new Map<string, number[]>();
    const nodeKeepingBuffers = async (): Promise<TcpTransport> => {
      const transport: TcpTransport = new TcpTransport({}, (from, message) => {
        const seen = slabBytes.get(transport.address) ?? [];
        slabBytes.set(transport.address, [...seen, message.buffer.byteLength]);
      });
      open.push(transport);
      await transport.start();
      return transport;
    };
    const a = await nodeKeepingBuffers();
    const b = await nodeKeepingBuffers();
    // Messages of 40 KB: frames of up to maxBatchBytes, so many of them span two reads of the socket. 800 KB in all,
    // so each end stays in its first slab (a frame cut by a new slab is joined, a copy).
    const big = Buffer.alloc(40_000, 9);
    for (let i = 0; i < 20; i += 1) a.send(b.address, big);
    await until(() => (slabBytes.get(b.address)?.length ?? 0) === 20);
    for (let i = 0; i < 20; i += 1) b.send(a.address, big);
    await until(() => (slabBytes.get(a.address)?.length ?? 0) === 20);
    // One connection carries both ways (a dialed it, b accepted it); each end's messages are views into its slabs.
    expect(new Set(slabBytes.get(a.address))).toEqual(new Set([READ_SLAB_BYTES]));
    expect(new Set(slabBytes.get(b.address))).toEqual(new Set([READ_SLAB_BYTES]));
  });

  it('sends a message given in parts as one message, to a peer and to itself', async () => {
    const a = await node();
    const b = await node();
    a.transport.send(b.transport.address, [text('head|'), text('body')]);
    a.transport.send(b.transport.address, text('whole'));
    a.transport.send(a.transport.address, [text('self|'), text('parts')]);
    await until(() => b.received.length === 2 && a.received.length === 1);
    expect(b.received.map((r) => r.text)).toEqual(['head|body', 'whole']);
    expect(a.received[0].text).toBe('self|parts');
    expect(() =>
      a.transport.send(b.transport.address, [
        new Uint8Array(3 * 1024 * 1024),
        new Uint8Array(2 * 1024 * 1024),
      ]),
    ).toThrow(MessageTooLargeError);
  });

  it('holds messages up to flushDelayMs so those sent across event-loop turns share a frame', async () => {
    const a = await node({ flushDelayMs: 500 });
    const b = await node();
    a.transport.send(b.transport.address, text('warm-up'));
    await until(() => b.received.length === 1);
    const framesBefore = a.transport.stats().framesSent;
    for (const word of ['one', 'two', 'three']) {
      a.transport.send(b.transport.address, text(word));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => b.received.length === 4);
    expect(a.transport.stats().framesSent - framesBefore).toBe(1);
  });

  it('writes each full batch at once, before the event loop turns, even with a flush already scheduled', async () => {
    const a = await node({ maxBatchBytes: 64 * 1024 });
    const b = await node();
    a.transport.send(b.transport.address, text('warm-up'));
    await until(() => b.received.length === 1);
    const framesBefore = a.transport.stats().framesSent;
    // One small message schedules the flush for the loop's next turn; 1 MiB more, sent without yielding, follows.
    a.transport.send(b.transport.address, text('first'));
    for (let i = 0; i < 1024; i += 1) a.transport.send(b.transport.address, new Uint8Array(1024));
    const framesWithoutYielding = a.transport.stats().framesSent - framesBefore;
    await until(() => b.received.length === 1 + 1 + 1024);
    expect(framesWithoutYielding).toBeGreaterThanOrEqual(15);
    expect(b.received[1].text).toBe('first');
  });

  it('delivers messages to its own address without a socket', async () => {
    const a = await node();
    a.transport.send(a.transport.address, text('self'));
    await until(() => a.received.length === 1);
    expect(a.received[0]).toEqual({ from: a.transport.address, text: 'self' });
    expect(a.transport.stats().connectionsOpened).toBe(0);
  });

  it('settles on one connection when both sides dial at once, losing nothing', async () => {
    const a = await node();
    const b = await node();
    for (let i = 0; i < 200; i += 1) {
      a.transport.send(b.transport.address, text(`a${i}`));
      b.transport.send(a.transport.address, text(`b${i}`));
    }
    await until(() => a.received.length === 200 && b.received.length === 200);
    const live = (t: TcpTransport): number => t.stats().connectionsOpened - t.stats().connectionsClosed;
    await until(() => live(a.transport) === 1 && live(b.transport) === 1);
    expect(new Set(b.received.map((r) => r.text)).size).toBe(200);
    expect(new Set(a.received.map((r) => r.text)).size).toBe(200);
  });

  it.each([
    ['garbage', 'badMagic', () => Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['a wrong version', 'wrongVersion', () => Buffer.from([0x56, 0x53, 9, 0, 0, 0, 0, 1, 0])],
    [
      'an oversized frame',
      'oversize',
      () => Buffer.from([0x56, 0x53, FRAME_VERSION, 0, 0xff, 0xff, 0xff, 0xff]),
    ],
    ['data before the hello', 'missingHello', () => dataFrame([text('x')])],
    ['a hello naming an address nobody can dial', 'malformed', () => encodeHelloFrame('not-an-address')],
    [
      'a batch overrunning its frame',
      'malformed',
      () =>
        Buffer.concat([
          encodeHelloFrame('127.0.0.1:1'),
          Buffer.from([0x56, 0x53, FRAME_VERSION, 0, 0, 0, 0, 5, 0, 0, 0, 9, 1]),
        ]),
    ],
  ] as const)(
    'closes a connection sending %s, counts it and keeps serving others',
    async (_name, kind, bytes) => {
      const a = await node({ maxFrameBytes: 64 * 1024 });
      const client = await rawClient(a.transport.address);
      client.socket.write(bytes());
      await client.closed;
      expect(a.transport.stats().rejectedFrames[kind]).toBe(1);
      expect(a.received).toEqual([]);
      const b = await node();
      b.transport.send(a.transport.address, text('still alive'));
      await until(() => a.received.length === 1);
      expect(a.received[0].text).toBe('still alive');
    },
  );

  it('closes an accepted connection that never says hello', async () => {
    const a = await node({ helloTimeoutMs: 20 });
    const client = await rawClient(a.transport.address);
    await client.closed;
    expect(a.transport.stats().connectionsClosed).toBe(1);
  });

  it('refuses connections beyond maxConnections', async () => {
    const a = await node({ maxConnections: 2 });
    const first = await rawClient(a.transport.address);
    const second = await rawClient(a.transport.address);
    const third = await rawClient(a.transport.address);
    await third.closed;
    expect(a.transport.stats().connectionsRefused).toBe(1);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('refuses to send a message larger than one frame can carry', async () => {
    const a = await node({ maxFrameBytes: 4096, maxBatchBytes: 1024 });
    const b = await node();
    // Room is left for the 16-byte tag a keyed connection seals each frame with.
    expect(a.transport.maxMessageBytes).toBe(4096 - FRAME_HEADER_BYTES - 4 - 16);
    expect(() => a.transport.send(b.transport.address, new Uint8Array(5000))).toThrow(MessageTooLargeError);
    expect(() => a.transport.send('nonsense', text('x'))).toThrow(/host:port/);
  });

  it('reconnects with backoff until the peer comes up, then delivers what was queued', async () => {
    const port = await freePort();
    const a = await node({ reconnectInitialDelayMs: 5, reconnectMaxDelayMs: 20 });
    a.transport.send(`127.0.0.1:${port}`, text('early'));
    await until(() => a.transport.stats().dialFailures >= 2);
    const b = await node({ bindPort: port });
    await until(() => b.received.length === 1);
    expect(b.received[0]).toEqual({ from: a.transport.address, text: 'early' });
  });

  it('reconnects after the peer restarts on the same address', async () => {
    const a = await node({ reconnectInitialDelayMs: 5, reconnectMaxDelayMs: 20 });
    const first = await node();
    const address = first.transport.address;
    a.transport.send(address, text('one'));
    await until(() => first.received.length === 1);
    await first.transport.close();
    // Every connection of the pair (a's dial and first's dial-back) is seen closed before the restart.
    await until(() => a.transport.stats().connectionsOpened === a.transport.stats().connectionsClosed);
    const second = await node({ bindPort: Number(address.split(':')[1]) });
    a.transport.send(address, text('two'));
    await until(() => second.received.length === 1);
    expect(second.received[0].text).toBe('two');
  });

  it('bounds the queue for an unreachable peer and counts what it drops', async () => {
    const port = await freePort();
    const a = await node({
      maxQueuedBytesPerPeer: 2048,
      maxBatchBytes: 1024,
      reconnectInitialDelayMs: 1000,
      reconnectMaxDelayMs: 1000,
    });
    const accepted = Array.from({ length: 10 }, () =>
      a.transport.send(`127.0.0.1:${port}`, new Uint8Array(500)),
    );
    expect(accepted).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(a.transport.stats().droppedQueueFull).toBe(6);
  });

  it('disconnect cuts the channel and discards what was queued', async () => {
    const a = await node();
    const b = await node();
    a.transport.send(b.transport.address, text('before'));
    await until(() => b.received.length === 1);
    a.transport.send(b.transport.address, text('discarded'));
    a.transport.disconnect(b.transport.address);
    await until(() => b.transport.stats().connectionsClosed === 1);
    expect(a.transport.stats().droppedOnDisconnect).toBe(1);
    a.transport.send(b.transport.address, text('after'));
    await until(() => b.received.length === 2);
    expect(b.received.map((r) => r.text)).toEqual(['before', 'after']);
  });

  it('identifies itself by its advertised address, not its bind address', async () => {
    const port = await freePort();
    const a = await node({ bindHost: '127.0.0.1', bindPort: port, advertiseAddress: `localhost:${port}` });
    const b = await node();
    expect(a.transport.address).toBe(`localhost:${port}`);
    a.transport.send(b.transport.address, text('hi'));
    await until(() => b.received.length === 1);
    expect(b.received[0].from).toBe(`localhost:${port}`);
    b.transport.send(`localhost:${port}`, text('back'));
    await until(() => a.received.length === 1);
    expect(a.received[0].from).toBe(b.transport.address);
  });
});
