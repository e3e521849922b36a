/**
 * The attacker's side of the vsync attacks: raw TCP sockets writing frames built by hand from the documented wire
 * format (transport/frame-format.ts), and protocol messages encoded with the library's own codec, so a forged
 * message is byte-for-byte what a real member would send.
 */
import net from 'node:net';
import { encodeMessage, type ProcessId, type WireBody, type WireMessage } from '@gridcloud/vsync';

export const FRAME_MAGIC = 0x5653;
export const FRAME_VERSION = 3;
export const FLAG_HELLO = 0x01;

export function frame(flags: number, body: Uint8Array, version = FRAME_VERSION): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(FRAME_MAGIC, 0);
  header.writeUInt8(version, 2);
  header.writeUInt8(flags, 3);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** An open (keyless) hello naming `address` as the dialer. */
export function openHello(address: string): Buffer {
  return frame(FLAG_HELLO, Buffer.concat([Buffer.from([0]), Buffer.from(address, 'utf8')]));
}

/** A keyed hello with a made-up nonce: what a process without the key can send. */
export function keyedHello(address: string): Buffer {
  return frame(
    FLAG_HELLO,
    Buffer.concat([Buffer.from([1]), Buffer.alloc(16, 7), Buffer.from(address, 'utf8')]),
  );
}

/** A data frame carrying `messages`, each with its u32 length prefix. */
export function dataFrame(messages: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const message of messages) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(message.length, 0);
    parts.push(prefix, Buffer.from(message));
  }
  return frame(0, Buffer.concat(parts));
}

/** A protocol message in `from`'s name, unsequenced (linkSeq 0), as the codec writes it. */
export function wire(from: ProcessId, body: WireBody, linkSeq = 0): Uint8Array {
  const message: WireMessage = { from, toIncarnation: 0, linkSeq, linkAck: 0, body };
  return encodeMessage(message);
}

export function parseId(id: string): ProcessId {
  const slash = id.lastIndexOf('/');
  return { address: id.slice(0, slash), incarnation: Number(id.slice(slash + 1)) };
}

/** One raw connection of the attacker's to a member; counts what the member sends back. */
export class RawPeer {
  receivedBytes = 0;
  readonly closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => (this.receivedBytes += chunk.length));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(address: string): Promise<RawPeer> {
    const colon = address.lastIndexOf(':');
    const socket = net.connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    const peer = new RawPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return peer;
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A listening socket that accepts and holds whatever connects: an address the attacker can name as its own. */
export async function attackerAddress(): Promise<{ address: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
