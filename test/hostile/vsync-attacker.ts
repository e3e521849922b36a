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

export const FLAG_DIALBACK = 0x10;
export const FLAG_ECHO = 0x20;

/** An address the attacker really listens at: it passes a member's dial-back for hellos naming it. */
export interface AttackerAddress {
  readonly address: string;
  /** Dial-back nonces members sent to this address, in arrival order. */
  readonly nonces: Buffer[];
  close(): void;
}

/** A listening socket that accepts and holds whatever connects and keeps the dial-back nonces members send it: an
 *  address the attacker can name as its own and prove (it is reachable there, as any process may be). */
export async function attackerAddress(): Promise<AttackerAddress> {
  const sockets = new Set<net.Socket>();
  const nonces: Buffer[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let held = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      held = Buffer.concat([held, chunk]);
      while (held.length >= 8 && held.length >= 8 + held.readUInt32BE(4)) {
        const end = 8 + held.readUInt32BE(4);
        if (held[3] === FLAG_DIALBACK) nonces.push(Buffer.from(held.subarray(8, end)));
        held = held.subarray(end);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    nonces,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Connects to `target` as the process at `attacker`'s address and passes its dial-back: echoes every nonce sent
 *  to that address until the member welcomes the connection (or 5 s passed). */
export async function verifiedPeer(target: string, attacker: AttackerAddress): Promise<RawPeer> {
  const peer = await RawPeer.connect(target);
  await peer.write(openHello(attacker.address));
  let echoed = 0;
  for (const end = Date.now() + 5_000; Date.now() < end && peer.receivedBytes < 8 && !peer.isClosed;) {
    for (; echoed < attacker.nonces.length; echoed += 1)
      await peer.write(frame(FLAG_ECHO, attacker.nonces[echoed]));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return peer;
}
